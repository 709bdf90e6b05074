import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalFeatures
import LeadcalModel

/// Signs that the training data leak the outcome, raised at fit time.
/// A flagged feature is never dropped: the analyst decides, and the
/// weights file keeps the warning.
///
/// 1. A signal type crowding the last day before `as_of` for won leads
///    (``LastDayPileUp``, on the training rows).
/// 2. One feature that alone ranks won above lost leads with an AUC above
///    ``featureAUCLimit`` (a field filled in after the decision, a signal
///    logged because of it): no honest single feature of a B2B funnel does.
/// 3. A training AUC more than ``overfitGap`` above the holdout's (or the
///    l2 path's mean validation AUC): what the model learned does not carry
///    to later outcomes.
public enum LeakageAlarms {
    public static let featureAUCLimit = 0.95
    public static let overfitGap = 0.10
    /// The single-feature AUCs are computed on at most this many training rows (every k-th).
    public static let featureRows = 20_000

    /// The alarms of a fit on the decided rows `training`, as warnings.
    /// Cost: one pass over the training rows' events, one feature pass and a
    /// sort per feature on at most ``featureRows`` rows.
    public static func warnings(
        _ result: CalibrationResult, dataset: Dataset, training: [Int32], trainingAUC: Double?, laterAUC: (auc: Double, what: String)?
    ) -> [String] {
        var out = LastDayPileUp.find(events: dataset.events, signals: dataset.requirements.signals, labels: dataset.labels, rows: training)
            .map(\.message)
        for (name, auc) in singleFeatureAUCs(result, dataset: dataset, training: training) where auc > featureAUCLimit {
            out.append(String(format: "possible leakage: %@ alone separates won from lost training leads (AUC %.3f); a field filled in "
                + "after the decision looks like this. The weight is kept: decide whether to drop the feature", name, auc))
        }
        if let trainingAUC, let later = laterAUC, trainingAUC - later.auc > overfitGap {
            out.append(String(format: "possible leakage or overfitting: training AUC %.3f, %@ AUC %.3f; what the model learned does not carry "
                + "to later outcomes", trainingAUC, later.what, later.auc))
        }
        return out
    }

    /// Each estimated feature's own AUC, as max(AUC, 1 − AUC), at the fitted half-lives.
    static func singleFeatureAUCs(_ result: CalibrationResult, dataset: Dataset, training: [Int32]) -> [(String, Double)] {
        let stride = max(1, training.count / featureRows)
        let rows = Swift.stride(from: 0, to: training.count, by: stride).map { training[$0] }
        let builder = FeatureBuilder(dataset: dataset, rows: rows, layout: result.layout)
        var signals: [Double] = []
        builder.decayedSignals(halfLives: result.halfLives, values: &signals, derivatives: nil)
        let pa = result.layout.firstSignalColumn, ps = result.layout.signalCount
        let y = rows.map { dataset.labels[Int($0)] }
        var out: [(String, Double)] = []
        for (j, f) in result.features.enumerated() where f.status != .notEstimated {
            let x = j < pa ? (0..<rows.count).map { builder.attributeValues[$0 * pa + j] } : (0..<rows.count).map { signals[$0 * ps + j - pa] }
            if let a = Metrics.auc(x, y) { out.append((f.name, max(a, 1 - a))) }
        }
        return out
    }
}
