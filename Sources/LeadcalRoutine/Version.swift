import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalScorer

/// A new model version: a fit made into a complete weights file.
///
/// What depends on predictions is computed by the production scorer (the
/// one prediction path): the tiers' probability thresholds from the training
/// leads' scores, and the training and holdout metrics.
public enum Version {
    public struct Made: Sendable {
        public var file: WeightsFile
        public var training: Metrics.Summary
        public var holdout: Metrics.Summary?
        /// `weight_by: amount`: the metrics weighted by capped deal value.
        public var weightedTraining: Metrics.Summary? = nil
        public var weightedHoldout: Metrics.Summary? = nil
    }

    /// The weights file of `result`, fitted on the decided rows `training` of
    /// `dataset` (and measured on `holdout`). Cost: one scoring pass over the
    /// training rows' events and one over the holdout's; with `alarms`, the leakage alarms
    /// (``LeakageAlarms``) join the file's warnings, the training AUC judged
    /// against the holdout's, else against `validationAUC` (the l2 path's).
    public static func make(
        _ result: CalibrationResult, dataset: Dataset, training: [Int32], holdout: [Int32] = [], trainBefore: Double? = nil,
        version: String, parent: String?, createdAt: Date = Date(), tool: String, alarms: Bool = false, validationAUC: Double? = nil
    ) -> Made {
        var file = result.weightsFile(
            version: version, parent: parent, createdAt: createdAt, tool: tool, dataset: dataset, rows: training, trainBefore: trainBefore)
        // One scoring pass per row set: the tiers move no probability, so the training
        // scores that set the thresholds are the ones the metrics read.
        let trained = ScoredOutcomes(scorer: Scorer(weights: file), dataset: dataset, rows: training)
        // The thresholds and the training metrics each sort the training scores: one on each core.
        let tiers = SendableSlots<[WeightsFile.Tier]>(count: 1), summary = SendableSlots<Metrics.Summary>(count: 1)
        let rules = result.spec.tiers
        parallelFor(2) { task in
            if task == 0 { tiers[0] = WeightsFile.Tier.thresholds(rules, trainingProbabilities: trained.probability) }
            else { summary[0] = Metrics.summary(trained) }
        }
        file.tiers = tiers[0]
        let trainingMetrics = summary[0]
        let held = holdout.isEmpty ? nil : ScoredOutcomes(scorer: Scorer(weights: file), dataset: dataset, rows: holdout)
        let holdoutMetrics = held.map { Metrics.summary($0) }
        file.metrics = WeightsFile.Metrics(training: trainingMetrics.metricSet, holdout: holdoutMetrics?.metricSet)
        var weightedTraining: Metrics.Summary? = nil, weightedHoldout: Metrics.Summary? = nil
        if result.spec.weightBy == .amount,
            let amounts = try? AmountWeights(dataset: dataset, rows: training, percentile: result.spec.amountCap ?? ModelSpec.defaultAmountCap)
        {
            // The training cap and median serve the holdout too: the rule the fit used.
            func weighted(_ scored: ScoredOutcomes) -> Metrics.Summary {
                Metrics.summary(scored.probability, scored.label, weights: amounts.weights(dataset: dataset, rows: scored.rows))
            }
            weightedTraining = weighted(trained)
            weightedHoldout = held.map(weighted)
            file.metrics.amountWeighted = .init(training: weightedTraining!.metricSet, holdout: weightedHoldout?.metricSet)
        }
        if alarms {
            let later = holdoutMetrics?.auc.map { ($0, "holdout") } ?? validationAUC.map { ($0, "mean validation (l2 path)") }
            file.statistics.warnings += LeakageAlarms.warnings(
                result, dataset: dataset, training: training, trainingAUC: trainingMetrics.auc, laterAUC: later)
        }
        return Made(file: file, training: trainingMetrics, holdout: holdoutMetrics, weightedTraining: weightedTraining, weightedHoldout: weightedHoldout)
    }
}

extension Metrics {
    /// The headline metrics of scored outcomes.
    public static func summary(_ s: ScoredOutcomes) -> Summary { summary(s.probability, s.label) }
}

extension Metrics.Summary {
    /// As the weights file records them.
    public var metricSet: WeightsFile.MetricSet { .init(rows: rows, won: won, auc: auc, logLoss: logLoss, brier: brier) }
}
