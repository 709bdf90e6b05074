import Foundation

/// Calibration in the large: the mean predicted probability against the
/// observed win rate of the same leads, with the win rate's 95% Wilson score
/// interval (Wilson 1927; Agresti & Coull 1998). A mean prediction outside
/// the interval means the base rate moved since training: the scores rank
/// leads but their probabilities no longer mean what they say.
public struct BaseRate: Codable, Sendable, Equatable {
    public var meanPredicted: Double
    public var observedRate: Double
    /// 95% Wilson interval of the observed rate.
    public var lower: Double
    public var upper: Double
    /// The mean prediction lies outside the interval.
    public var shifted: Bool

    enum CodingKeys: String, CodingKey {
        case lower, upper, shifted
        case meanPredicted = "mean_predicted", observedRate = "observed_rate"
    }

    /// Nil without leads.
    public init?(_ p: [Double], _ y: [Double]) {
        guard !p.isEmpty else { return nil }
        let n = Double(p.count)
        meanPredicted = p.reduce(0, +) / n
        let won = y.reduce(0, +)
        observedRate = won / n
        (lower, upper) = Self.wilson(won: won, n: n)
        shifted = meanPredicted < lower || meanPredicted > upper
    }

    /// The 95% Wilson score interval of `won / n`. Cost: O(1).
    public static func wilson(won: Double, n: Double, z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        let p = won / n, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }

    /// The warning to print, when shifted.
    public var warning: String? {
        guard shifted else { return nil }
        return String(format: "base rate shifted: the model predicts %.1f%% on average, but %.1f%% of these leads were won (95%% CI %.1f%%–%.1f%%): refit (or recalibrate) before promoting",
                      100 * meanPredicted, 100 * observedRate, 100 * lower, 100 * upper)
    }
}
