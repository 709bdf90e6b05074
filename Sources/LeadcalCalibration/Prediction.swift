import Foundation
import LeadcalData
import LeadcalFeatures

extension CalibrationResult {
    /// Win probabilities of decided rows `rows` of `dataset` (for example a
    /// holdout), with this fit's layout, weights and half-lives.
    /// Cost: one feature pass over the rows' events.
    public func probabilities(dataset: Dataset, rows: [Int32]) -> [Double] {
        guard !rows.isEmpty else { return [] }
        let builder = FeatureBuilder(dataset: dataset, rows: rows, layout: layout)
        var signals: [Double] = []
        builder.decayedSignals(halfLives: halfLives, values: &signals, derivatives: nil)
        let pa = layout.firstSignalColumn, ps = layout.signalCount
        let w = weightVector
        return (0..<rows.count).map { i in
            var eta = intercept
            for j in 0..<pa { eta += w[j] * builder.attributeValues[i * pa + j] }
            for s in 0..<ps { eta += w[pa + s] * signals[i * ps + s] }
            return 1 / (1 + exp(-eta))
        }
    }
}
