import Foundation
import LeadcalData
import LeadcalModel

extension CalibrationResult {
    /// Probability thresholds of the tier rules: `top N%` becomes the
    /// probability that N% of the training leads reach (cumulative from the
    /// top), `p >= X` stays X, `rest` is 0. Thresholds never increase down the
    /// list, and a last tier takes every remaining lead.
    public static func tiers(_ rules: [ModelSpec.TierRule]?, trainingProbabilities: [Double]) -> [WeightsFile.Tier] {
        let sorted = trainingProbabilities.sorted(by: >)
        var previous = Double.infinity
        var out: [WeightsFile.Tier] = []
        for rule in rules ?? ModelSpec.TierRule.defaults {
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
    ///   - trainBefore: the `--train-before` cut they were selected by (ISO 8601), recorded as lineage and as the training window's end.
    public func weightsFile(
        version: String, parent: String?, createdAt: Date, tool: String, dataset: Dataset, rows: [Int32]? = nil,
        trainBefore: Double?, metrics: WeightsFile.Metrics
    ) -> WeightsFile {
        func range(_ values: [Double]) -> [String] {
            guard let lo = values.min(), let hi = values.max() else { return [] }
            return [formatTimestamp(lo), formatTimestamp(hi)]
        }
        let selected = (rows ?? (0..<Int32(dataset.decided.count)).map { $0 }).map(Int.init)
        precondition(selected.count == statistics.rows, "the rows must be those the fit trained on")
        let closed = selected.map { dataset.closedAt[$0] }
        let window = WeightsFile.TrainingWindow(
            from: formatTimestamp(closed.min() ?? 0), to: formatTimestamp(trainBefore ?? closed.max() ?? 0), toInclusive: trainBefore == nil)
        let axes: [WeightsFile.Axis] = self.axes.enumerated().map { (a, axis) in
            let features = self.features.enumerated().filter { layout.features[$0.offset].axis == a }.map { (j, f) in
                var source = f.name
                var level: String? = nil
                switch layout.features[j].kind {
                case let .category(column, l): source = column; level = l
                case let .numeric(column), let .log(column): source = column
                case let .signal(name, _): source = name
                }
                return WeightsFile.Feature(
                    name: f.name, kind: f.kind, source: source, level: level, referenceLevel: f.referenceLevel, weight: f.weight,
                    stdError: f.stdError, interval: f.lower.flatMap { lo in f.upper.map { [lo, $0] } }, status: f.status,
                    reason: f.reason, mean: featureMeans[j])
            }
            let columns = Set(spec.axes[a].attributes.filter { $0.kind == .categorical }.map(\.column))
            return WeightsFile.Axis(
                name: axis.name, halfLife: axis.halfLife, saturation: axis.saturation, nonnegative: axis.nonnegative,
                referenceLevels: layout.referenceLevels.filter { columns.contains($0.key) }, features: features)
        }
        return WeightsFile(
            model: spec.name, version: version, parent: parent, createdAt: formatTimestamp(createdAt.timeIntervalSince1970),
            tool: tool, spec: spec,
            training: .init(
                rows: statistics.rows, won: statistics.won, lost: statistics.lost, asOf: range(selected.map { dataset.asOf[$0] }),
                closedAt: range(closed), trainBefore: trainBefore.map(formatTimestamp), window: window,
                dataFingerprint: WeightsFile.dataFingerprint(dataset.fingerprints),
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
            tiers: Self.tiers(spec.tiers, trainingProbabilities: trainingProbabilities))
    }
}
