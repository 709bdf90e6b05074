import Foundation
import LeadcalModel
import Testing
import LeadcalData
import LeadcalRoutine
import LeadcalSynth

@Suite("The backtest")
struct BacktestTests {
    /// A synthetic dataset; with `flipFrom`, every outcome closed at or after it is inverted.
    func dataset(flipFrom cut: Double? = nil) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-backtest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try SyntheticGenerator(leads: 3_000, seed: 17).write(to: url)
        if let cut {
            let file = url.appendingPathComponent("outcomes.csv")
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\r\n")
            let flipped = lines.enumerated().map { (i, line) -> String in
                let f = line.components(separatedBy: ",")
                guard i > 0, f.count >= 4, let asOf = parseTimestamp(f[2]) else { return line }
                let closed = f[3].isEmpty ? asOf : parseTimestamp(f[3])!
                guard closed >= cut else { return line }
                let won = ["won", "closed won", "closedwon", "closed-won", "1", "true", "yes"].contains(f[1].lowercased())
                return ([f[0], won ? "lost" : "won"] + f[2...]).joined(separator: ",")
            }
            try flipped.joined(separator: "\r\n").write(to: file, atomically: true, encoding: .utf8)
        }
        return try Dataset.load(directory: url)
    }

    @Test("never trains on an outcome closed in or after the month it predicts")
    func noLeakage() throws {
        let clean = try Backtest.run(dataset: try dataset(), from: parseTimestamp("2026-01-01"))
        #expect(clean.months.count >= 6)
        for m in clean.months {
            #expect(m.lastTrainingClosedAt < m.month + "-01", "\(m.month) trained on \(m.lastTrainingClosedAt)")
        }
        // Invert every outcome from 2026-05 on: the fits for months up to 2026-05 must not change at all.
        let cut = parseTimestamp("2026-05-01")!
        let poisoned = try Backtest.run(dataset: try dataset(flipFrom: cut), from: parseTimestamp("2026-01-01"))
        for (a, b) in zip(clean.months, poisoned.months) where a.month <= "2026-05" {
            #expect(a.trainingRows == b.trainingRows && a.trainingWon == b.trainingWon, "\(a.month)")
            #expect(a.halfLives == b.halfLives, "\(a.month): half-lives changed with future outcomes")
        }
        // …and they must change after it (the test can see leakage).
        let later = zip(clean.months, poisoned.months).filter { $0.0.month > "2026-05" }
        #expect(later.contains { $0.0.halfLives != $0.1.halfLives || $0.0.trainingWon != $0.1.trainingWon })
    }
}
