import Foundation
import LeadcalData
import LeadcalModel

/// `weight_by: amount`: how decided leads are weighted by their deal value.
///
/// Amounts are capped at the `percentile`-th percentile of the known
/// amounts of the training rows (linear interpolation between order
/// statistics, as NumPy's default), and a lead without an amount takes
/// their median. The fit divides the weights by their mean, so that l2
/// keeps its meaning; metrics are weighted means, where the scale cancels.
public struct AmountWeights: Sendable {
    public let percentile: Double
    /// The cap, and the value a missing amount takes.
    public let cap: Double
    public let median: Double
    /// Training rows without an amount.
    public let missing: Int

    /// The cap and median from the training rows `rows` of `dataset`. Cost: O(rows log rows).
    public init(dataset: Dataset, rows: [Int32], percentile: Double) throws(CalibrationError) {
        guard dataset.outcomes.hasAmount else {
            throw CalibrationError("weight_by: amount, but outcomes.csv has no amount column (the deal value of each decided lead)")
        }
        let all = dataset.amount
        let known = rows.map { all[Int($0)] }.filter { !$0.isNaN }.sorted()
        guard !known.isEmpty else { throw CalibrationError("weight_by: amount, but no training lead has an amount") }
        func quantile(_ q: Double) -> Double {
            let position = q / 100 * Double(known.count - 1)
            let lo = Int(position.rounded(.down)), hi = min(lo + 1, known.count - 1)
            return known[lo] + (known[hi] - known[lo]) * (position - Double(lo))
        }
        self.percentile = percentile
        cap = quantile(percentile)
        median = quantile(50)
        missing = rows.count - known.count
        guard cap > 0 else { throw CalibrationError("weight_by: amount, but every training amount is 0") }
    }

    /// The weights of decided rows `rows` (not normalized): the capped amount, or the median.
    public func weights(dataset: Dataset, rows: [Int32]) -> [Double] {
        let all = dataset.amount
        return rows.map { r in
            let a = all[Int(r)]
            return a.isNaN ? median : min(a, cap)
        }
    }

    /// The summary's line about it.
    public var note: String {
        let without = missing == 0 ? "every training lead has one" : "\(missing) training leads without one take the median (\(String(format: "%.6g", median)))"
        return String(format: "weighted by deal value: amounts capped at their percentile %g (%.6g), ", percentile, cap) + without
            + "; log-likelihoods are weighted, standard errors are sandwich (robust) ones, and half-life intervals are not computed (a weighted likelihood does not support the 1.92 threshold)"
    }
}
