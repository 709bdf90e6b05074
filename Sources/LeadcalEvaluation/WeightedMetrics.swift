import Foundation

extension Metrics {
    /// AUC with case weights: the weighted probability that a won lead scores
    /// above a lost one, `Σ_{won i, lost j} w_i w_j ([p_i > p_j] + ½[p_i = p_j]) / (Σ_won w · Σ_lost w)`
    /// (with unit weights, ``auc(_:_:)``). Cost: O(n log n), one sort and one pass over tied groups.
    public static func auc(_ p: [Double], _ y: [Double], weights w: [Double]) -> Double? {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var lostBelow = 0.0, wonTotal = 0.0, lostTotal = 0.0, sum = 0.0
        var k = 0
        while k < order.count {
            // A group of tied scores: its won weight beats the lost weight below, and half of the lost weight tied with it.
            var end = k, wonHere = 0.0, lostHere = 0.0
            while end < order.count && p[order[end]] == p[order[k]] {
                let i = order[end]
                if y[i] == 1 { wonHere += w[i] } else { lostHere += w[i] }
                end += 1
            }
            sum += wonHere * (lostBelow + 0.5 * lostHere)
            lostBelow += lostHere
            wonTotal += wonHere
            lostTotal += lostHere
            k = end
        }
        guard wonTotal > 0, lostTotal > 0 else { return nil }
        return sum / (wonTotal * lostTotal)
    }

    /// Weighted mean negative log-likelihood (clipped as ``logLoss(_:_:)``).
    public static func logLoss(_ p: [Double], _ y: [Double], weights w: [Double]) -> Double {
        var s = 0.0, total = 0.0
        for i in p.indices {
            let q = min(max(p[i], 1e-15), 1 - 1e-15)
            s -= w[i] * (y[i] * log(q) + (1 - y[i]) * log(1 - q))
            total += w[i]
        }
        return total > 0 ? s / total : .nan
    }

    /// Weighted mean squared error of the probabilities.
    public static func brier(_ p: [Double], _ y: [Double], weights w: [Double]) -> Double {
        var s = 0.0, total = 0.0
        for i in p.indices { s += w[i] * (p[i] - y[i]) * (p[i] - y[i]); total += w[i] }
        return total > 0 ? s / total : .nan
    }

    /// The headline metrics weighted by `weights` (rows and won stay counts).
    public static func summary(_ p: [Double], _ y: [Double], weights: [Double]) -> Summary {
        Summary(rows: p.count, won: Int(y.reduce(0, +)), auc: auc(p, y, weights: weights), logLoss: logLoss(p, y, weights: weights),
                brier: brier(p, y, weights: weights))
    }
}
