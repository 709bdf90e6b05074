import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalRoutine
import LeadcalScorer
import LeadcalSynth
import Testing

/// A synthetic dataset folder, altered by `edit` before loading.
func syntheticFolder(leads: Int = 3_000, seed: UInt64 = 31, edit: (URL) throws -> Void = { _ in }) throws -> Dataset {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-routine-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: url) }
    try SyntheticGenerator(leads: leads, seed: seed).write(to: url)
    try edit(url)
    return try Dataset.load(directory: url)
}

/// The outcome rows of outcomes.csv (lead id, won, as_of text, closed_at text), header dropped.
func outcomeRows(_ url: URL) throws -> [(id: String, won: Bool, asOf: String, closedAt: String)] {
    try String(contentsOf: url.appendingPathComponent("outcomes.csv"), encoding: .utf8).components(separatedBy: .newlines).dropFirst()
        .filter { !$0.isEmpty }.map { line in
            let f = line.components(separatedBy: ",")
            return (f[0], OutcomeTable.wonSpellings.contains(f[1].lowercased()), f[2], f[3])
        }
}

@Suite("Leakage alarms")
struct LeakageTests {
    func fitWarnings(_ data: Dataset) throws -> [String] {
        let fit = try Calibration.fit(dataset: data, options: { var o = Calibration.Options(); o.intervals = false; return o }())
        let rows = (0..<Int32(data.decided.count)).map { $0 }
        return Version.make(fit, dataset: data, training: rows, version: "t", parent: nil, tool: "test", alarms: true).file.statistics.warnings
    }

    @Test("a planted leak (a meeting one minute before as_of, for won deals only) is flagged, in inspect's report and in the fit")
    func plantedLeak() throws {
        let data = try syntheticFolder { url in
            // Rows in the file's own column order (synth writes the columns in a seeded order).
            let header = try String(contentsOf: url.appendingPathComponent("signals.csv"), encoding: .utf8)
                .prefix { $0 != "\n" && $0 != "\r" }.components(separatedBy: ",")
            var extra = ""
            for o in try outcomeRows(url) where o.won {
                let asOf = parseTimestamp(o.asOf)!
                let cells = ["lead_id": o.id, "signal": "meeting", "occurred_at": formatTimestamp(asOf - 60)]
                extra += header.map { cells[$0] ?? "" }.joined(separator: ",") + "\r\n"
            }
            let handle = try FileHandle(forWritingTo: url.appendingPathComponent("signals.csv"))
            handle.seekToEndOfFile()
            handle.write(Data(extra.utf8))
            try handle.close()
        }
        let alarms = data.report.leakage
        #expect(alarms.map(\.signal) == ["meeting"])
        #expect(alarms[0].wonShare == 1)
        let warnings = try fitWarnings(data)
        #expect(warnings.contains { $0.hasPrefix("possible leakage") && $0.contains("meeting event in the last day") })
        // The meeting feature alone separates the classes (every won lead has a fresh one).
        #expect(warnings.contains { $0.contains("meeting alone separates won from lost") })
        // Flagged, not dropped: the weight is still estimated.
        let fit = try Calibration.fit(dataset: data, options: { var o = Calibration.Options(); o.intervals = false; return o }())
        #expect(fit.features.first { $0.name == "meeting" }?.status == .estimated)
        // On part of the decided leads (every other one) the alarm is found on those rows.
        let half = (0..<Int32(data.decided.count)).filter { $0 % 2 == 0 }
        let partial = LeakageAlarms.warnings(fit, dataset: data, training: half, trainingAUC: nil, laterAUC: nil)
        #expect(partial.contains { $0.hasPrefix("possible leakage") && $0.contains("meeting event in the last day") })
        // Lost leads only: no won lead to pile up, whatever the whole data's report says.
        let lostOnly = half.filter { data.labels[Int($0)] == 0 }
        #expect(!LeakageAlarms.warnings(fit, dataset: data, training: lostOnly, trainingAUC: nil, laterAUC: nil)
            .contains { $0.contains("meeting event in the last day") })
    }

    @Test("a clean dataset raises no alarm")
    func clean() throws {
        for seed in [31, 32, 33] as [UInt64] {
            let data = try syntheticFolder(seed: seed)
            #expect(data.report.leakage.isEmpty)
            #expect(!(try fitWarnings(data)).contains { $0.contains("possible leakage") }, "seed \(seed)")
        }
    }

    @Test("a training AUC far above the holdout's is flagged")
    func overfit() throws {
        // Invert every outcome from 2026-06 on: what was learned before does not carry to the holdout.
        let data = try syntheticFolder { url in
            let path = url.appendingPathComponent("outcomes.csv")
            var lines = ["lead_id,outcome,as_of,closed_at"]
            for o in try outcomeRows(url) {
                let late = parseTimestamp(o.closedAt.isEmpty ? o.asOf : o.closedAt)! >= parseTimestamp("2026-06-01")!
                lines.append([o.id, (o.won != late) ? "won" : "lost", o.asOf, o.closedAt].joined(separator: ","))
            }
            try (lines.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        }
        let cut = parseTimestamp("2026-06-01")!
        let training = (0..<Int32(data.decided.count)).filter { data.closedAt[Int($0)] < cut }
        let holdout = (0..<Int32(data.decided.count)).filter { data.closedAt[Int($0)] >= cut }
        var o = Calibration.Options()
        o.intervals = false
        let fit = try Calibration.fit(dataset: data, rows: training, options: o)
        let made = Version.make(fit, dataset: data, training: training, holdout: holdout, version: "t", parent: nil, tool: "test", alarms: true)
        #expect(made.file.statistics.warnings.contains { $0.hasPrefix("possible leakage or overfitting: training AUC") })
    }
}

@Suite("Recalibration")
struct RecalibrationTests {
    @Test("on outcomes whose base rate was shifted by a known logit offset, it recovers the offset and a slope of 1")
    func recoversShift() throws {
        let base = try syntheticFolder(leads: 8_000, seed: 41)
        var o = Calibration.Options()
        o.intervals = false
        let parent = Version.make(try Calibration.fit(dataset: base, options: o), dataset: base,
                                  training: (0..<Int32(base.decided.count)).map { $0 }, version: "2026-01.1", parent: nil, tool: "test").file
        let all = (0..<Int32(base.decided.count)).map { $0 }
        let logits = ScoredOutcomes(scorer: Scorer(weights: parent), dataset: base, rows: all).logit
        let shift = -0.8
        // New outcomes drawn from the parent's probabilities shifted by `shift` logit points (a fixed stream).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var won: [String: Bool] = [:]
        for (k, r) in all.enumerated() { won[base.leadID(row: Int(r))] = uniform() < 1 / (1 + exp(-(shift + logits[k]))) }
        let shifted = try syntheticFolder(leads: 8_000, seed: 41) { url in
            var lines = ["lead_id,outcome,as_of,closed_at"]
            // (Rows of unknown leads stay as they are: the loader counts and skips them.)
            for o in try outcomeRows(url) { lines.append([o.id, won[o.id].map { $0 ? "won" : "lost" } ?? "won", o.asOf, o.closedAt].joined(separator: ",")) }
            try (lines.joined(separator: "\n") + "\n").write(to: url.appendingPathComponent("outcomes.csv"), atomically: true, encoding: .utf8)
        }
        let made = try Recalibrated.make(parent: parent, dataset: shifted, rows: all, after: 0, version: "2026-02.1", tool: "test")
        let r = made.file.recalibration!
        #expect(abs(r.offset.weight - shift) < 3 * r.offset.stdError!, "offset \(r.offset.weight) ± \(r.offset.stdError!)")
        #expect(abs(r.slope.weight - 1) < 3 * r.slope.stdError!, "slope \(r.slope.weight) ± \(r.slope.stdError!)")
        #expect(r.offsetInterval[0] < shift && shift < r.offsetInterval[1])
        #expect(r.logLikelihood > r.parentLogLikelihood)
        // The child is the parent's logit, transformed: offset + slope × parent logit, through the one scorer.
        let child = ScoredOutcomes(scorer: Scorer(weights: made.file), dataset: shifted, rows: all).logit
        let parentLogits = ScoredOutcomes(scorer: Scorer(weights: parent), dataset: shifted, rows: all).logit
        for k in stride(from: 0, to: all.count, by: 97) {
            #expect(abs(child[k] - (r.offset.weight + r.slope.weight * parentLogits[k])) < 1e-9)
        }
        #expect(made.file.parent == "2026-01.1")
        #expect(made.file.features.allSatisfy { $0.stdError == nil })
    }

    @Test("the two-parameter fit matches statsmodels' Logit on a fixed example")
    func matchesReference() throws {
        // statsmodels 0.14: sm.Logit(y, sm.add_constant(x)).fit(tol=1e-12) on the data below
        // (Tests/LeadcalRoutineTests/References/recalibration_reference.py prints them).
        let x: [Double] = [-2.1, -1.3, -0.7, -0.2, 0.1, 0.4, 0.9, 1.5, 2.2, -1.8, 0.0, 1.1, -0.5, 0.6, 1.9, -2.5]
        let y: [Double] = [0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0]
        let fit = try LogitRecalibration.fit(logit: x, y: y)
        let reference = RecalibrationReference.values
        #expect(abs(fit.offset - reference.offset) < 1e-6)
        #expect(abs(fit.slope - reference.slope) < 1e-6)
        #expect(abs(fit.offsetStdError - reference.offsetSE) < 1e-6)
        #expect(abs(fit.slopeStdError - reference.slopeSE) < 1e-6)
        #expect(abs(fit.logLikelihood - reference.logLikelihood) < 1e-8)
    }
}
