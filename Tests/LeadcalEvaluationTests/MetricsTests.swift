import Foundation
import LeadcalModel
import Testing
import LeadcalEvaluation

enum Reference {
    static func json(_ name: String) throws -> [String: Any] {
        let url = Bundle.module.url(forResource: "References", withExtension: nil)!.appendingPathComponent(name)
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }
    /// pROC's aSAH data: poor outcome (1) and three predictors.
    static func asah() throws -> (y: [Double], wfns: [Double], s100b: [Double], ndka: [Double]) {
        let url = Bundle.module.url(forResource: "References", withExtension: nil)!.appendingPathComponent("asah.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = lines.map { $0.split(separator: ",").map { Double($0.replacingOccurrences(of: "\"", with: ""))! } }
        return (rows.map { $0[0] }, rows.map { $0[1] }, rows.map { $0[2] }, rows.map { $0[3] })
    }
}

@Suite("Metrics agree with scikit-learn")
struct SklearnMetricsTests {
    @Test func aucLogLossBrier() throws {
        let r = try Reference.json("sklearn.json")
        let y = (r["y"] as! [Int]).map(Double.init)
        for name in ["p", "q"] {
            let s = r[name] as! [Double]
            let m = r[name + "_metrics"] as! [String: Double]
            #expect(abs(Metrics.auc(s, y)! - m["auc"]!) < 1e-12)
            #expect(abs(Metrics.logLoss(s, y) - m["log_loss"]!) < 1e-12)
            #expect(abs(Metrics.brier(s, y) - m["brier"]!) < 1e-12)
            #expect(abs(DeLong.placements(s, y)!.auc - m["auc"]!) < 1e-12)
        }
    }
}

@Suite("DeLong agrees with R's pROC, ties included")
struct DeLongTests {
    @Test func intervalsAndVariances() throws {
        let r = try Reference.json("proc.json")
        let d = try Reference.asah()
        for (name, scores) in [("wfns", d.wfns), ("s100b", d.s100b), ("ndka", d.ndka)] {
            let e = r[name] as! [String: Any]
            let ci = DeLong.interval(scores, d.y)!
            #expect(abs(ci.auc - (e["auc"] as! Double)) < 1e-12, "\(name) AUC")
            #expect(abs(ci.standardError * ci.standardError - (e["var"] as! Double)) < 1e-14, "\(name) variance")
            let bounds = e["ci"] as! [Double]
            #expect(abs(ci.lower - bounds[0]) < 1e-10 && abs(ci.upper - bounds[1]) < 1e-10, "\(name) interval")
        }
    }

    @Test func correlatedTest() throws {
        let r = try Reference.json("proc.json")
        let d = try Reference.asah()
        let scores = ["wfns": d.wfns, "s100b": d.s100b, "ndka": d.ndka]
        for (a, b) in [("s100b", "wfns"), ("ndka", "wfns"), ("ndka", "s100b")] {
            let e = r["test_\(a)_\(b)"] as! [String: Any]
            let t = DeLong.test(scores[a]!, scores[b]!, d.y)!
            #expect(abs(t.z - (e["z"] as! Double)) < 1e-9, "\(a) vs \(b): z \(t.z)")
            #expect(abs(t.p - (e["p"] as! Double)) < 1e-10, "\(a) vs \(b): p")
            let ci = e["ci"] as! [Double]
            #expect(abs(t.lower - ci[0]) < 1e-10 && abs(t.upper - ci[1]) < 1e-10)
        }
        let same = DeLong.test(d.wfns, d.wfns, d.y)!
        #expect(same.z == 0 && same.p == 1)
    }
}

@Suite("DeLong's placements are their definition")
struct PlacementDefinitionTests {
    /// V10 of a won lead: the share of lost leads it outranks, a tie counting
    /// one half; V01 of a lost lead: the share of won leads that outrank it.
    /// Brute force over every (won, lost) pair: the definition, not the midranks.
    static func bruteForce(_ p: [Double], _ y: [Double]) -> (won: [Double], lost: [Double]) {
        let won = p.indices.filter { y[$0] == 1 }, lost = p.indices.filter { y[$0] != 1 }
        func credit(_ a: Double, _ b: Double) -> Double { a > b ? 1 : a == b ? 0.5 : 0 }
        return (won.map { i in lost.reduce(0) { $0 + credit(p[i], p[$1]) } / Double(lost.count) },
                lost.map { j in won.reduce(0) { $0 + credit(p[$1], p[j]) } / Double(won.count) })
    }

    @Test("heavy ties, within and across classes, at every sample size from 2 to 60")
    func ties() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for n in 2...60 {
            // Scores on a grid of 5 values (ties everywhere), a -0.0 beside 0.0, labels at random with both classes.
            var p = (0..<n).map { _ in Double(next() % 5) / 4 }
            p[0] = -0.0
            var y = (0..<n).map { _ in Double(next() % 2) }
            y[0] = 1; y[n - 1] = 0
            let v = DeLong.placements(p, y)!
            let expected = Self.bruteForce(p, y)
            // Won placements are a count over n₀ in both; a lost one is 1 − (a count over n₁), which rounds once more.
            #expect(v.won == expected.won, "n = \(n)")
            #expect(zip(v.lost, expected.lost).allSatisfy { abs($0 - $1) <= 0x1p-52 } && v.lost.count == expected.lost.count, "n = \(n)")
        }
    }

    @Test("one class only: no placements")
    func oneClass() {
        #expect(DeLong.placements([0.1, 0.2], [1, 1]) == nil)
        #expect(DeLong.placements([0.1, 0.2], [0, 0]) == nil)
    }
}

@Suite("Calibration and stability, by hand")
struct HandComputedTests {
    @Test func populationStabilityIndex() {
        // A's deciles are 0.1, 0.2, …, 1.0: ten bins of one value each.
        let a = (1...10).map { Double($0) / 10 }
        #expect(Stability.psi(expected: a, actual: a) == 0)
        // B puts 2 of its 10 leads in A's first bin and none in the last:
        // shares b = (0.2, 0.1, …, 0.1, 1e-4-floored 0) against a = 0.1 each.
        let b = [0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
        let expected = (0.2 - 0.1) * log(0.2 / 0.1) + (1e-4 - 0.1) * log(1e-4 / 0.1)
        #expect(abs(Stability.psi(expected: a, actual: b) - expected) < 1e-12)
    }

    @Test func expectedCalibrationError() {
        let p = [0.05, 0.05, 0.15, 0.95, 0.95, 1.0]
        let y = [0.0, 1, 0, 1, 1, 0]
        let table = Reliability.table(p, y)
        #expect(table[0].count == 2 && table[0].observedRate == 0.5 && table[0].meanPredicted == 0.05)
        #expect(table[9].count == 3 && abs(table[9].meanPredicted! - (0.95 + 0.95 + 1) / 3) < 1e-15)
        let ece = 2.0 / 6 * 0.45 + 1.0 / 6 * 0.15 + 3.0 / 6 * abs((0.95 + 0.95 + 1) / 3 - 2.0 / 3)
        #expect(abs(Reliability.expectedError(table) - ece) < 1e-15)
    }
}
