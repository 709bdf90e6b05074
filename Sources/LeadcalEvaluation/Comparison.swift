import Foundation
import LeadcalWeights

extension ComparisonReport {
    /// Compares version B with version A on the same scored leads (same rows, same order).
    public init(a fileA: WeightsFile, _ sa: ScoredOutcomes, b fileB: WeightsFile, _ sb: ScoredOutcomes, capacity: Int? = nil) {
        precondition(sa.rows == sb.rows, "both versions must be scored on the same leads")
        versionA = fileA.version
        versionB = fileB.version
        a = EvaluationReport(sa, capacity: capacity)
        b = EvaluationReport(sb, capacity: capacity)
        let y = sa.label
        aucTest = DeLong.test(sa.probability, sb.probability, y)

        // Paired log-loss difference, normal approximation.
        func loss(_ p: Double, _ y: Double) -> Double {
            let q = min(max(p, 1e-15), 1 - 1e-15)
            return -(y * log(q) + (1 - y) * log(1 - q))
        }
        let d = y.indices.map { loss(sb.probability[$0], y[$0]) - loss(sa.probability[$0], y[$0]) }
        let n = Double(d.count)
        let mean = d.reduce(0, +) / max(n, 1)
        let sd = n > 1 ? (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        let se = n > 0 ? sd / n.squareRoot() : 0
        let z = se > 0 ? mean / se : 0
        logLossTest = LogLossTest(difference: mean, standardError: se, z: z, p: se > 0 ? erfc(abs(z) / 2.0.squareRoot()) : 1)

        psi = Stability.psi(expected: sa.probability, actual: sb.probability)
        var moves: [String: [String: Int]] = [:]
        var changed = 0
        for i in sa.tier.indices {
            let ta = sa.tierNames[sa.tier[i]], tb = sb.tierNames[sb.tier[i]]
            moves[ta, default: [:]][tb, default: 0] += 1
            if ta != tb { changed += 1 }
        }
        tierMoves = moves
        tierChangeShare = sa.tier.isEmpty ? 0 : Double(changed) / Double(sa.tier.count)

        // Weights side by side.
        var rows: [FeatureRow] = []
        let featuresB = Dictionary(fileB.axes.flatMap { ax in ax.features.map { ($0.name, ($0, ax.name)) } }, uniquingKeysWith: { x, _ in x })
        var seen = Set<String>()
        for axis in fileA.axes {
            for f in axis.features {
                seen.insert(f.name)
                let g = featuresB[f.name]?.0
                var change: Double? = nil
                if let g, let sa = f.stdError, let sb = g.stdError, sa > 0 || sb > 0 { change = (g.weight - f.weight) / (sa * sa + sb * sb).squareRoot() }
                rows.append(FeatureRow(feature: f.name, axis: axis.name, weightA: f.weight, stdErrorA: f.stdError, weightB: g?.weight,
                                       stdErrorB: g?.stdError, changeInSDs: change, presence: g == nil ? "dropped" : "both"))
            }
        }
        for axis in fileB.axes {
            for g in axis.features where !seen.contains(g.name) {
                rows.append(FeatureRow(feature: g.name, axis: axis.name, weightA: nil, stdErrorA: nil, weightB: g.weight, stdErrorB: g.stdError,
                                       changeInSDs: nil, presence: "added"))
            }
        }
        weights = rows
        let axesB = Dictionary(fileB.axes.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        var halfLives: [HalfLifeRow] = []
        for axis in fileA.axes where axis.halfLifeDays != nil || axesB[axis.name]?.halfLifeDays != nil {
            let other = axesB[axis.name]
            halfLives.append(HalfLifeRow(axis: axis.name, a: axis.halfLifeDays, intervalA: axis.halfLifeInterval, b: other?.halfLifeDays,
                                         intervalB: other?.halfLifeInterval))
        }
        self.halfLives = halfLives

        // The one-line verdict.
        var parts: [String] = []
        if let t = aucTest {
            let better = t.difference > 0 && t.p < 0.05, worse = t.difference < 0 && t.p < 0.05
            parts.append(String(format: "AUC %@ (%.3f vs %.3f, DeLong p = %.3g)", better ? "better" : worse ? "worse" : "not different at 95%",
                                t.aucB, t.aucA, t.p))
        }
        let lBetter = logLossTest.difference < 0 && logLossTest.p < 0.05, lWorse = logLossTest.difference > 0 && logLossTest.p < 0.05
        parts.append(String(format: "log loss %@ (%.4f vs %.4f, p = %.3g)", lBetter ? "better" : lWorse ? "worse" : "not different at 95%",
                            b.logLoss, a.logLoss, logLossTest.p))
        parts.append(String(format: "tiers moved %.1f%% of leads (%@ the 10%% threshold)", 100 * tierChangeShare, tierChangeShare > 0.1 ? "over" : "under"))
        let promote = (aucTest.map { $0.difference > 0 && $0.p < 0.05 } ?? false) && lBetter
        verdict = "B (\(fileB.version)) vs A (\(fileA.version)): " + parts.joined(separator: "; ")
            + (promote ? ". B is better on AUC and log loss at 95%." : ". B is not better on both AUC and log loss at 95%.")
    }
}
