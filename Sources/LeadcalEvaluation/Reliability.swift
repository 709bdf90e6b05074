import Foundation

/// Calibration of probabilities: the reliability table and the expected calibration error.
public enum Reliability {
    public struct Bin: Codable, Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        public var meanPredicted: Double?
        public var observedRate: Double?
        enum CodingKeys: String, CodingKey {
            case lower, upper, count
            case meanPredicted = "mean_predicted", observedRate = "observed_rate"
        }
    }

    /// `bins` equal-width bins of [0, 1] (a probability of exactly 1 falls in the last).
    public static func table(_ p: [Double], _ y: [Double], bins: Int = 10) -> [Bin] {
        var count = [Int](repeating: 0, count: bins), sumP = [Double](repeating: 0, count: bins), sumY = [Double](repeating: 0, count: bins)
        for i in p.indices {
            let b = min(max(Int(p[i] * Double(bins)), 0), bins - 1)
            count[b] += 1; sumP[b] += p[i]; sumY[b] += y[i]
        }
        return (0..<bins).map { b in
            Bin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: count[b],
                meanPredicted: count[b] > 0 ? sumP[b] / Double(count[b]) : nil, observedRate: count[b] > 0 ? sumY[b] / Double(count[b]) : nil)
        }
    }

    /// Expected calibration error: `Σ_b (n_b / n) |mean predicted_b − observed rate_b|` over the table's bins.
    public static func expectedError(_ table: [Bin]) -> Double {
        let n = Double(table.reduce(0) { $0 + $1.count })
        guard n > 0 else { return .nan }
        return table.reduce(0) { s, b in
            guard let m = b.meanPredicted, let o = b.observedRate else { return s }
            return s + Double(b.count) / n * abs(m - o)
        }
    }
}

/// Distribution shift between two score samples.
public enum Stability {
    /// Population stability index of `actual` against `expected`:
    /// `Σ_b (a_b − e_b) ln(a_b / e_b)` over the deciles of `expected`
    /// (shares below 10⁻⁴ are raised to it so empty bins stay finite).
    /// Under 0.1 is usually read as stable, over 0.25 as a major shift.
    public static func psi(expected: [Double], actual: [Double], bins: Int = 10) -> Double {
        guard !expected.isEmpty, !actual.isEmpty else { return .nan }
        let sorted = expected.sorted()
        var edges: [Double] = []
        for k in 1..<bins { edges.append(sorted[min(sorted.count - 1, Int(Double(k) * Double(sorted.count) / Double(bins)))]) }
        func shares(_ x: [Double]) -> [Double] {
            var c = [Double](repeating: 0, count: bins)
            for v in x {
                var b = 0
                while b < edges.count && v >= edges[b] { b += 1 }
                c[b] += 1
            }
            return c.map { max($0 / Double(x.count), 1e-4) }
        }
        let e = shares(expected), a = shares(actual)
        return zip(a, e).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }
}
