import Foundation
import LeadcalData
import LeadcalModel

extension CalibrationResult {
    /// The weights file of this fit, but for what only the production scorer
    /// may compute: its tiers' thresholds and its metrics (``WeightsFile/pendingTiers``
    /// until then; LeadcalRoutine's `Version.make` completes it).
    /// - Parameters:
    ///   - rows: the decided rows this fit trained on (as passed to ``Calibration/fit(dataset:rows:options:)``; default all).
    ///   - trainBefore: the `--train-before` cut they were selected by, recorded as lineage and as the training window's end.
    public func weightsFile(
        version: String, parent: String?, createdAt: Date, tool: String, dataset: Dataset, rows: [Int32]? = nil, trainBefore: Double?
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
                case .breadth: source = spec.axes[a].name
                }
                return WeightsFile.Feature(
                    name: f.name, kind: f.kind, source: source, level: level, referenceLevel: f.referenceLevel, weight: f.weight,
                    stdError: f.stdError, interval: f.lower.flatMap { lo in f.upper.map { [lo, $0] } }, status: f.status,
                    reason: f.reason, mean: featureMeans[j])
            }
            let columns = Set(spec.axes[a].attributes.filter { $0.kind == .categorical }.map(\.column))
            return WeightsFile.Axis(
                name: axis.name, halfLife: axis.halfLife, saturation: axis.saturation, nonnegative: axis.nonnegative,
                referenceLevels: layout.referenceLevels.filter { columns.contains($0.key) }, breadthDays: spec.axes[a].breadthDays,
                features: features)
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
                newtonIterations: statistics.newtonIterations, warnings: warnings, standardErrors: standardErrors),
            metrics: .init(training: .init(rows: statistics.rows, won: statistics.won, logLoss: .nan, brier: .nan)),
            tiers: WeightsFile.pendingTiers)
    }
}
