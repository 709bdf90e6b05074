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
