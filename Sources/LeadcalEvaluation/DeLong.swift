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

    /// The indices of `x` in ascending order of value (ties in no
    /// particular order: every use averages over a tie). One sort of
    /// (value, index) pairs, compared inline. Cost: O(n log n).
    static func ascendingOrder(_ x: [Double]) -> [Int32] {
        precondition(x.count < Int(Int32.max), "over 2^31 scores")
        struct Entry { var value: Double; var index: Int32 }
        var entries = x.enumerated().map { Entry(value: $0.element, index: Int32($0.offset)) }
        entries.sort { $0.value < $1.value }
        return entries.map(\.index)
    }

    /// Midranks (1-based, ties averaged) of `x`. Cost: one sort, O(n log n).
    static func midranks(_ x: [Double]) -> [Double] {
        var ranks = [Double](repeating: 0, count: x.count)
        assignMidranks(order: ascendingOrder(x), values: x) { i, r in ranks[i] = r }
        return ranks
    }

    /// Walks `order` (indices into `values`, ascending by value) and hands
    /// each index its 1-based midrank within `order`: tied values share the
    /// mean of their positions.
    private static func assignMidranks(order: [Int32], values: [Double], _ assign: (Int, Double) -> Void) {
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[Int(order[j + 1])] == values[Int(order[i])] { j += 1 }
            let r = Double(i + j) / 2 + 1
            for t in i...j { assign(Int(order[t]), r) }
            i = j + 1
        }
    }

    /// Placements of scores `p` for labels `y` (1 won, 0 lost); nil without both classes.
    ///
    /// Sun & Xu's midrank form: a won lead's placement is (its midrank among
    /// all leads − its midrank among won leads) / n₀, a lost lead's is
    /// 1 − (its midrank among all − its midrank among lost) / n₁. One sort
    /// serves the three rankings: each class, read in the order of all
    /// leads, is itself in ascending order. Cost: one O(n log n) sort.
    public static func placements(_ p: [Double], _ y: [Double]) -> Placements? {
        let order = ascendingOrder(p)
        var wonOrder: [Int32] = [], lostOrder: [Int32] = []
        for i in order { if y[Int(i)] == 1 { wonOrder.append(i) } else { lostOrder.append(i) } }
        guard !wonOrder.isEmpty, !lostOrder.isEmpty else { return nil }
        var all = [Double](repeating: 0, count: p.count), own = all
        assignMidranks(order: order, values: p) { i, r in all[i] = r }
        assignMidranks(order: wonOrder, values: p) { i, r in own[i] = r }
        assignMidranks(order: lostOrder, values: p) { i, r in own[i] = r }
        let n1 = Double(wonOrder.count), n0 = Double(lostOrder.count)
        // In index order, as the correlated test pairs the placements of two score vectors lead by lead.
        var won: [Double] = [], lost: [Double] = []
        won.reserveCapacity(wonOrder.count); lost.reserveCapacity(lostOrder.count)
        for i in p.indices {
            if y[i] == 1 { won.append((all[i] - own[i]) / n0) } else { lost.append(1 - (all[i] - own[i]) / n1) }
        }
        return Placements(won: won, lost: lost)
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
