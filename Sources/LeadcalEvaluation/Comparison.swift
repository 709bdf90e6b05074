import Foundation
import LeadcalModel

extension ComparisonReport {
    /// Compares version B with version A on the same scored leads (same rows, same order).
    ///
    /// The verdict ranks the versions only when the comparison is fair:
    /// when either version could have trained on some of the evaluated leads
    /// (they lie in its training window), it says so instead. Weights whose
    /// column has a different reference level in each version get no change
    /// in standard deviations: they are measured against different baselines.
    public init(a fileA: WeightsFile, _ sa: ScoredOutcomes, b fileB: WeightsFile, _ sb: ScoredOutcomes, capacity: Int? = nil) {
        precondition(sa.rows == sb.rows, "both versions must be scored on the same leads")
        versionA = fileA.version
        versionB = fileB.version
        a = EvaluationReport(sa, file: fileA, capacity: capacity)
        b = EvaluationReport(sb, file: fileB, capacity: capacity)
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

        // Reference levels that differ.
        let refsA = fileA.referenceLevels, refsB = fileB.referenceLevels
        referenceChanges = Set(refsA.keys).union(refsB.keys).sorted().compactMap { column in
            refsA[column] == refsB[column] || refsA[column] == nil || refsB[column] == nil
                ? nil : ReferenceChange(column: column, a: refsA[column], b: refsB[column])
        }
        let incomparable = Set(referenceChanges.map(\.column))

        // Weights side by side.
        var rows: [FeatureRow] = []
        let featuresB = Dictionary(fileB.axes.flatMap { ax in ax.features.map { ($0.name, $0) } }, uniquingKeysWith: { x, _ in x })
        var seen = Set<String>()
        for axis in fileA.axes {
            for f in axis.features {
                seen.insert(f.name)
                let g = featuresB[f.name]
                var change: Double? = nil
                var note: String? = nil
                if f.kind == .category && incomparable.contains(f.source) {
                    note = "reference level differs"
                } else if let g {
                    if let sa = f.stdError, let sb = g.stdError, sa > 0 || sb > 0 {
                        change = (g.weight - f.weight) / (sa * sa + sb * sb).squareRoot()
                    }
                }
                rows.append(FeatureRow(
                    feature: f.name, axis: axis.name, weightA: f.weight, stdErrorA: f.stdError, weightB: g?.weight, stdErrorB: g?.stdError,
                    changeInSDs: change, presence: g == nil ? "dropped" : "both", statusA: f.status, statusB: g?.status, note: note))
            }
        }
        for axis in fileB.axes {
            for g in axis.features where !seen.contains(g.name) {
                rows.append(FeatureRow(
                    feature: g.name, axis: axis.name, weightA: nil, stdErrorA: nil, weightB: g.weight, stdErrorB: g.stdError,
                    changeInSDs: nil, presence: "added", statusA: nil, statusB: g.status,
                    note: g.kind == .category && incomparable.contains(g.source) ? "reference level differs" : nil))
            }
        }
        weights = rows
        let axesB = Dictionary(fileB.axes.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        halfLives = fileA.axes.compactMap { axis in
            let other = axesB[axis.name]?.halfLife
            return axis.halfLife == nil && other == nil ? nil : HalfLifeRow(axis: axis.name, a: axis.halfLife, b: other)
        }

        trainingOverlap = Overlap(a: a.trainingOverlap ?? 0, b: b.trainingOverlap ?? 0)
        fair = trainingOverlap.a == 0 && trainingOverlap.b == 0

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
        let head = "B (\(fileB.version)) vs A (\(fileA.version)): "
        if !fair {
            var who: [String] = []
            if trainingOverlap.b > 0 { who.append("B trained on \(trainingOverlap.b)") }
            if trainingOverlap.a > 0 { who.append("A trained on \(trainingOverlap.a)") }
            verdict = head + "not a fair comparison: \(who.joined(separator: " and ")) of these \(sa.rows.count) leads. "
                + "Evaluate after both training windows (leave out --after, or pass --after with the later cut); no version is ranked."
        } else {
            let promote = (aucTest.map { $0.difference > 0 && $0.p < 0.05 } ?? false) && lBetter
            verdict = head + parts.joined(separator: "; ")
                + (promote ? ". B is better on AUC and log loss at 95%." : ". B is not better on both AUC and log loss at 95%.")
        }
    }

    /// The first instant after the later of the versions' training windows:
    /// outcomes closed from then on are new to every version (a fair test).
    public static func fairStart(_ files: [WeightsFile]) -> Double? {
        files.compactMap(\.training.window.end).max()
    }
}
