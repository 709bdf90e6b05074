import Foundation
import LeadcalData
import LeadcalWeights

extension CalibrationResult {
    /// The default tiers: the top 5% of training scores act now, the next 20% are nurtured.
    public static let defaultTiers: [ModelSpec.TierRule] = [
        .init(name: "act_now", topShare: 0.05), .init(name: "nurture", topShare: 0.25), .init(name: "monitor", minProbability: 0),
    ]

    /// Probability thresholds of the tier rules: `top N%` becomes the
    /// probability that N% of the training leads reach (cumulative from the
    /// top), `p >= X` stays X, `rest` is 0. Thresholds never increase down the list.
    public func tiers(_ rules: [ModelSpec.TierRule]?) -> [WeightsFile.Tier] {
        let sorted = trainingProbabilities.sorted(by: >)
        var previous = Double.infinity
        var out: [WeightsFile.Tier] = []
        for rule in rules ?? Self.defaultTiers {
            var threshold: Double
            var text: String
            if let share = rule.topShare {
                let index = max(0, min(sorted.count - 1, Int((share * Double(sorted.count)).rounded(.up)) - 1))
                threshold = sorted.isEmpty ? 1 : sorted[index]
                text = "top \(String(format: "%g", share * 100))%"
            } else {
                threshold = rule.minProbability ?? 0
                text = threshold == 0 ? "rest" : "p >= \(threshold)"
            }
            threshold = min(threshold, previous)
            previous = threshold
            out.append(.init(name: rule.name, minProbability: threshold, rule: text))
        }
        if let last = out.last, last.minProbability > 0 { out.append(.init(name: "other", minProbability: 0, rule: "rest")) }
        return out
    }

    /// The weights file of this fit.
    /// - Parameters:
    ///   - rows: the decided rows this fit trained on (as passed to ``Calibration/fit(dataset:rows:options:)``; default all).
    ///   - trainBefore: the `--train-before` cut they were selected by, recorded as lineage.
    public func weightsFile(
        version: String, parent: String?, createdAt: Date, tool: String, dataset: Dataset, rows: [Int32]? = nil,
        trainBefore: String?, metrics: WeightsFile.Metrics
    ) -> WeightsFile {
        func range(_ values: [Double]) -> [String] {
            guard let lo = values.min(), let hi = values.max() else { return [] }
            return [formatTimestamp(lo), formatTimestamp(hi)]
        }
        let selected = (rows ?? (0..<Int32(dataset.decided.count)).map { $0 }).map(Int.init)
        precondition(selected.count == statistics.rows, "the rows must be those the fit trained on")
        let closed = dataset.closedAt, asOf = dataset.asOf
        let specAxes = spec.axes.map { a in
            WeightsFile.SpecAxis(
                name: a.name, attributes: Dictionary(uniqueKeysWithValues: a.attributes.map { ($0.column, $0.kind.rawValue) }),
                signals: a.signals, halfLifeDays: a.halfLifeDays, fitHalfLife: a.fitHalfLife, saturation: a.saturation.rawValue)
        }
        var specTiers: [String: String]? = nil
        if let t = spec.tiers {
            specTiers = Dictionary(uniqueKeysWithValues: t.map { ($0.name, $0.topShare.map { "top \($0 * 100)%" } ?? "p >= \($0.minProbability ?? 0)") })
        }
        let axes: [WeightsFile.Axis] = self.axes.map { axis in
            let features = self.features.enumerated().filter { $0.element.axis == axis.name }.map { (j, f) in
                var source = f.name
                var level: String? = nil
                switch layout.features[j].kind {
                case let .category(column, l): source = column; level = l
                case let .numeric(column), let .log(column): source = column
                case let .signal(name, _): source = name
                }
                return WeightsFile.Feature(
                    name: f.name, kind: f.kind, source: source, level: level, referenceLevel: f.referenceLevel, weight: f.weight,
                    stdError: f.stdError, interval: f.lower.flatMap { lo in f.upper.map { [lo, $0] } }, status: f.status.rawValue,
                    mean: featureMeans[j])
            }
            return WeightsFile.Axis(
                name: axis.name, halfLifeDays: axis.halfLifeDays,
                halfLifeInterval: axis.lower.flatMap { lo in axis.upper.map { [lo, $0] } }, halfLifeFitted: axis.fitted,
                saturation: axis.saturation, nonnegative: axis.nonnegative, features: features)
        }
        return WeightsFile(
            model: spec.name, version: version, parent: parent, createdAt: formatTimestamp(createdAt.timeIntervalSince1970),
            tool: tool,
            spec: .init(name: spec.name, l2: spec.l2, nonnegative: spec.nonnegative, axes: specAxes,
                        outcome: "won vs lost (outcomes.csv), signals strictly before as_of", tiers: specTiers),
            training: .init(
                rows: statistics.rows, won: statistics.won, lost: statistics.lost, asOf: range(selected.map { asOf[$0] }),
                closedAt: range(selected.map { closed[$0] }), trainBefore: trainBefore,
                anomalies: Dictionary(uniqueKeysWithValues: dataset.report.anomalies.map { ($0.kind, $0.count) }),
                inputs: dataset.fingerprints),
            intercept: .init(weight: intercept, stdError: interceptStdError),
            axes: axes,
            statistics: .init(
                objective: statistics.objective, logLikelihood: statistics.logLikelihood,
                nullLogLikelihood: statistics.nullLogLikelihood, pseudoR2: statistics.pseudoR2, aic: statistics.aic,
                converged: statistics.converged, iterations: statistics.iterations,
                newtonIterations: statistics.newtonIterations, warnings: warnings),
            metrics: metrics,
            tiers: tiers(spec.tiers))
    }
}
