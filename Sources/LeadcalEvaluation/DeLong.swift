import Foundation

/// DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or
/// more correlated ROC curves: a nonparametric approach", Biometrics 44:837–845,
/// computed with midranks as in Sun & Xu (2014), IEEE Signal Processing
/// Letters 21(11): O(n log n) per score vector, ties counting one half.
public enum DeLong {
    /// Structural components: for each won lead, the share of lost leads it
    /// outranks (V10); for each lost lead, the share of won leads that outrank
    /// it (V01). Their means are the AUC.
    public struct Placements: Sendable {
        public var won: [Double]
        public var lost: [Double]
        public var auc: Double { won.reduce(0, +) / Double(won.count) }
    }

    /// Midranks (1-based, ties averaged) of `x`.
    static func midranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var ranks = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let r = Double(i + j) / 2 + 1
            for t in i...j { ranks[order[t]] = r }
            i = j + 1
        }
        return ranks
    }

    /// Placements of scores `p` for labels `y` (1 won, 0 lost); nil without both classes.
    public static func placements(_ p: [Double], _ y: [Double]) -> Placements? {
        let won = p.indices.filter { y[$0] == 1 }, lost = p.indices.filter { y[$0] != 1 }
        guard !won.isEmpty, !lost.isEmpty else { return nil }
        let all = midranks(p)
        let rankWon = midranks(won.map { p[$0] }), rankLost = midranks(lost.map { p[$0] })
        let n1 = Double(won.count), n0 = Double(lost.count)
        return Placements(
            won: won.indices.map { (all[won[$0]] - rankWon[$0]) / n0 },
            lost: lost.indices.map { 1 - (all[lost[$0]] - rankLost[$0]) / n1 })
    }

    static func covariance(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return 0 }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var s = 0.0
        for i in a.indices { s += (a[i] - ma) * (b[i] - mb) }
        return s / (n - 1)
    }

    /// Variance of the AUC: `S10/n1 + S01/n0`.
    public static func variance(_ v: Placements) -> Double {
        covariance(v.won, v.won) / Double(v.won.count) + covariance(v.lost, v.lost) / Double(v.lost.count)
    }

    /// An AUC with its 95% interval `AUC ± 1.96 SE`, clipped to [0, 1] (as pROC's `ci.auc(method = "delong")`).
    public struct Interval: Codable, Sendable, Equatable {
        public var auc: Double
        public var standardError: Double
        public var lower: Double
        public var upper: Double
        enum CodingKeys: String, CodingKey {
            case auc, lower, upper
            case standardError = "std_error"
        }
    }

    public static func interval(_ p: [Double], _ y: [Double]) -> Interval? {
        guard let v = placements(p, y) else { return nil }
        let se = variance(v).squareRoot(), auc = v.auc
        return Interval(auc: auc, standardError: se, lower: max(0, auc - 1.959963984540054 * se), upper: min(1, auc + 1.959963984540054 * se))
    }

    /// DeLong's test for two correlated AUCs (the same leads scored twice).
    public struct Test: Codable, Sendable, Equatable {
        public var aucA: Double
        public var aucB: Double
        /// `AUC_B − AUC_A`.
        public var difference: Double
        public var standardError: Double
        /// `difference / standardError`.
        public var z: Double
        /// Two-sided.
        public var p: Double
        /// 95% interval of the difference.
        public var lower: Double
        public var upper: Double
        enum CodingKeys: String, CodingKey {
            case difference, z, p, lower, upper
            case aucA = "auc_a", aucB = "auc_b", standardError = "std_error"
        }
    }

    public static func test(_ a: [Double], _ b: [Double], _ y: [Double]) -> Test? {
        guard let va = placements(a, y), let vb = placements(b, y) else { return nil }
        let n1 = Double(va.won.count), n0 = Double(va.lost.count)
        let varA = variance(va), varB = variance(vb)
        let cov = covariance(va.won, vb.won) / n1 + covariance(va.lost, vb.lost) / n0
        let d = vb.auc - va.auc
        let se = max(varA + varB - 2 * cov, 0).squareRoot()
        let z = se > 0 ? d / se : 0
        return Test(aucA: va.auc, aucB: vb.auc, difference: d, standardError: se, z: z, p: se > 0 ? erfc(abs(z) / 2.0.squareRoot()) : 1,
                    lower: d - 1.959963984540054 * se, upper: d + 1.959963984540054 * se)
    }
}
