import Foundation
import LeadcalFeatures

/// Checks that need the data but not the fit: features that cannot be
/// estimated and perfect separation by a single feature.
enum Diagnostics {
    /// Features whose population sd over the rows is zero (or not finite).
    static func constantFeatures(sd: [Double]) -> [Int] {
        sd.indices.filter { !(sd[$0] > 1e-12 * max(1, abs(sd[$0]))) || !sd[$0].isFinite }
    }

    /// Features that are exact linear combinations of other (non-constant)
    /// features: pivoted Cholesky (`dpstrf`) of `ZᵀZ / n`, the correlation
    /// matrix of the standardized columns (the intercept column is orthogonal
    /// to them); the columns pivoted past the numerical rank are reported.
    /// `problem` must hold exactly the `candidates` as its active columns.
    static func collinearFeatures(problem: PenalizedLogit, candidates: [Int]) -> [Int] {
        let k = problem.k
        guard k > 2 else { return [] }
        let (rank, pivot) = pivotedCholeskyRank(upper: problem.gram(), k: k, tolerance: 1e-9)
        return rank < k ? pivot[rank...].filter { $0 > 0 }.map { candidates[$0 - 1] }.sorted() : []
    }

    /// Features that alone separate won from lost: an indicator whose rows
    /// are all won or all lost (quasi-complete separation), or a number whose
    /// range among won rows does not overlap its range among lost rows.
    /// Under `l2 = 0` their maximum-likelihood weight is infinite.
    static func separatingFeatures(attributes: [Double], pa: Int, signals: [Double], ps: Int, y: [Double], candidates: [Int], layout: FeatureLayout) -> [(feature: Int, detail: String)] {
        let n = y.count
        var found: [(Int, String)] = []
        for j in candidates {
            var wonMin = Double.infinity, wonMax = -Double.infinity, lostMin = Double.infinity, lostMax = -Double.infinity
            var onesWon = 0, onesLost = 0
            for i in 0..<n {
                let x = j < pa ? attributes[i * pa + j] : signals[i * ps + j - pa]
                if y[i] == 1 { wonMin = min(wonMin, x); wonMax = max(wonMax, x); if x != 0 { onesWon += 1 } }
                else { lostMin = min(lostMin, x); lostMax = max(lostMax, x); if x != 0 { onesLost += 1 } }
            }
            if case .category = layout.features[j].kind {
                if onesWon == 0 && onesLost > 0 { found.append((j, "all \(onesLost) leads with it were lost")) }
                if onesLost == 0 && onesWon > 0 { found.append((j, "all \(onesWon) leads with it were won")) }
            } else if wonMax < lostMin || lostMax < wonMin {
                found.append((j, "its values among won and lost leads do not overlap"))
            }
        }
        return found
    }
}
