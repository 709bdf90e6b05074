import Foundation

/// Discrimination and calibration metrics of predicted win probabilities.
public enum Metrics {
    /// Area under the ROC curve: the probability that a random won lead
    /// scores above a random lost one, ties counting one half
    /// (Mann–Whitney U / (n₁ n₀), with midranks). Cost: O(n log n).
    public static func auc(_ p: [Double], _ y: [Double]) -> Double? {
        let n1 = y.reduce(0, +), n0 = Double(y.count) - n1
        guard n1 > 0, n0 > 0 else { return nil }
        let ranks = DeLong.midranks(p)
        var rankSum = 0.0
        for i in p.indices where y[i] == 1 { rankSum += ranks[i] }
        return (rankSum - n1 * (n1 + 1) / 2) / (n1 * n0)
    }

    /// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15]
    /// (as scikit-learn's `log_loss`).
    public static func logLoss(_ p: [Double], _ y: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for i in p.indices {
            let q = min(max(p[i], 1e-15), 1 - 1e-15)
            s -= y[i] * log(q) + (1 - y[i]) * log(1 - q)
        }
        return s / Double(p.count)
    }

    /// Mean squared error of the probabilities (Brier score).
    public static func brier(_ p: [Double], _ y: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for i in p.indices { s += (p[i] - y[i]) * (p[i] - y[i]) }
        return s / Double(p.count)
    }

    /// The three headline metrics with the counts they rest on.
    public struct Summary: Codable, Sendable, Equatable {
        public var rows: Int
        public var won: Int
        public var auc: Double?
        public var logLoss: Double
        public var brier: Double

        enum CodingKeys: String, CodingKey {
            case rows, won, auc, brier
            case logLoss = "log_loss"
        }
    }

    public static func summary(_ p: [Double], _ y: [Double]) -> Summary {
        Summary(rows: p.count, won: Int(y.reduce(0, +)), auc: auc(p, y), logLoss: logLoss(p, y), brier: brier(p, y))
    }
}
