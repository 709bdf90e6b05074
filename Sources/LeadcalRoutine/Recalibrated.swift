import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalScorer

/// `fit --recalibrate`: a child version that keeps its parent's weights up to
/// one intercept and one slope on the parent's logit, fitted on recent
/// outcomes (``LogitRecalibration``). The remedy when `evaluate` reports a
/// shifted base rate but there are too few new outcomes to refit every weight.
public enum Recalibrated {
    /// The child of `parent` recalibrated on the decided rows `rows` of
    /// `dataset` (read with the parent's requirements), closed at or after
    /// `after`. Cost: one scoring pass over the rows' events and a few O(rows)
    /// Newton steps, then one more scoring pass for the child's metrics.
    public static func make(
        parent: WeightsFile, dataset: Dataset, rows: [Int32], after: Double, version: String, createdAt: Date = Date(), tool: String
    ) throws(CalibrationError) -> Version.Made {
        guard !rows.isEmpty else { throw CalibrationError("no decided lead closed at or after \(formatTimestamp(after)) to recalibrate on") }
        let scored = ScoredOutcomes(scorer: Scorer(weights: parent), dataset: dataset, rows: rows)
        let fit = try LogitRecalibration.fit(logit: scored.logit, y: scored.label)
        let a = fit.offset, b = fit.slope
        let z = 1.959963984540054
        let won = Int(scored.label.reduce(0, +))
        let parentLL = -Metrics.logLoss(scored.probability, scored.label) * Double(rows.count)

        var file = parent
        file.version = version
        file.parent = parent.version
        file.createdAt = formatTimestamp(createdAt.timeIntervalSince1970)
        file.tool = tool
        file.l2Path = nil
        file.intercept = .init(weight: a + b * parent.intercept.weight, stdError: nil)
        for i in file.axes.indices {
            for j in file.axes[i].features.indices {
                file.axes[i].features[j].weight *= b
                file.axes[i].features[j].stdError = nil
                file.axes[i].features[j].interval = nil
            }
        }
        let closed = rows.map { dataset.closedAt[Int($0)] }
        // Both the parent's outcomes and these shaped this version: its window covers both.
        let from = min(parseTimestamp(parent.training.window.from) ?? closed.min()!, closed.min()!)
        let to = max(parent.training.window.end.map { $0.nextDown } ?? closed.max()!, closed.max()!)
        file.training = .init(
            rows: rows.count, won: won, lost: rows.count - won,
            asOf: [formatTimestamp(rows.map { dataset.asOf[Int($0)] }.min()!), formatTimestamp(rows.map { dataset.asOf[Int($0)] }.max()!)],
            closedAt: [formatTimestamp(closed.min()!), formatTimestamp(closed.max()!)], trainBefore: nil,
            window: .init(from: formatTimestamp(from), to: formatTimestamp(to), toInclusive: true),
            dataFingerprint: WeightsFile.dataFingerprint(dataset.fingerprints),
            anomalies: Dictionary(uniqueKeysWithValues: dataset.report.anomalies.map { ($0.kind, $0.count) }), inputs: dataset.fingerprints)
        let nullLL = {
            let p = Double(won) / Double(rows.count)
            return Double(won) * log(p) + Double(rows.count - won) * log(1 - p)
        }()
        var warnings = [String(format: "recalibrated from %@ on %d outcomes closed from %@: logit = %.4f + %.4f × the parent's logit; "
            + "the weights are the parent's times the slope and their standard errors are not re-estimated", parent.version, rows.count,
            String(formatTimestamp(after).prefix(10)), a, b)]
        if !fit.converged { warnings.append("the recalibration did not converge: treat the offset and slope with caution") }
        file.statistics = .init(
            objective: -fit.logLikelihood, logLikelihood: fit.logLikelihood, nullLogLikelihood: nullLL,
            pseudoR2: 1 - fit.logLikelihood / nullLL, aic: 2 * 2 - 2 * fit.logLikelihood, converged: fit.converged,
            iterations: fit.iterations, newtonIterations: fit.iterations, warnings: warnings, standardErrors: nil)
        file.recalibration = Recalibration(
            parent: parent.version, after: formatTimestamp(after), rows: rows.count, won: won,
            offset: .init(weight: a, stdError: fit.offsetStdError), offsetInterval: [a - z * fit.offsetStdError, a + z * fit.offsetStdError],
            slope: .init(weight: b, stdError: fit.slopeStdError), slopeInterval: [b - z * fit.slopeStdError, b + z * fit.slopeStdError],
            logLikelihood: fit.logLikelihood, parentLogLikelihood: parentLL)
        // Tiers and metrics by the child's own scores on the recalibration outcomes.
        file.tiers = WeightsFile.pendingTiers
        let child = ScoredOutcomes(scorer: Scorer(weights: file), dataset: dataset, rows: rows)
        file.tiers = WeightsFile.Tier.thresholds(file.spec.tiers, trainingProbabilities: child.probability)
        let metrics = Metrics.summary(ScoredOutcomes(scorer: Scorer(weights: file), dataset: dataset, rows: rows))
        file.metrics = .init(training: metrics.metricSet, holdout: nil)
        return Version.Made(file: file, training: metrics, holdout: nil)
    }
}
