import Foundation
import Testing
import LeadcalSynth
import LeadcalModel

/// Runs the built `leadcal` executable (built next to the test bundle).
func runLeadcal(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = leadcalBinary()
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errors = Drain(err.fileHandleForReading)
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = errors.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite("leadcal inspect on bad input")
struct CommandLineTests {
    @Test func oneLineErrorExitTwoNothingWritten() throws {
        let data = try TestDataset(signals: "lead_id,signal,occurred_at\nA,email_open,yesterday\n")
        defer { try? FileManager.default.removeItem(at: data.url) }
        let before = try FileManager.default.contentsOfDirectory(atPath: data.url.path).sorted()
        let r = try runLeadcal(["inspect", data.url.path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "error: signals.csv:2:14: occurred_at: expected an ISO 8601 date or date-time, found 'yesterday'\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.url.path).sorted() == before)
    }

    @Test func jsonReport() throws {
        let data = try TestDataset()
        defer { try? FileManager.default.removeItem(at: data.url) }
        let r = try runLeadcal(["inspect", data.url.path, "--json"])
        #expect(r.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let counts = json?["counts"] as? [String: Any]
        #expect(counts?["leads"] as? Int == 3)
        #expect(counts?["won"] as? Int == 1)
    }
}

@Suite("leadcal fit and score")
struct FitAndScoreCommandTests {
    @Test func versionsChainAndTamperingIsRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), weights = root.appendingPathComponent("weights")
        try SyntheticGenerator(leads: 1_500, seed: 9).write(to: data)

        let first = try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals", "--json"])
        #expect(second.status == 0)
        func json(_ s: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any] }
        let firstPath = try json(first.stdout)["weights_file"] as! String
        let secondPath = try json(second.stdout)["weights_file"] as! String
        #expect(firstPath.hasSuffix("b2b-default-2026-10.1.json"))
        #expect(secondPath.hasSuffix("b2b-default-2026-10.2.json"))
        let secondFile = try json(String(contentsOfFile: secondPath, encoding: .utf8))
        #expect(secondFile["parent"] as? String == "2026-10.1")

        // An explicit existing version is refused, and the file is untouched.
        let before = try Data(contentsOf: URL(fileURLWithPath: firstPath))
        let again = try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals", "--version", "2026-10.1"])
        #expect(again.status == 2)
        #expect(again.stderr.hasSuffix("exists: versions are immutable (pass another --version)\n"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: firstPath)) == before)

        // Scoring works; after changing one weight it is refused.
        let scores = root.appendingPathComponent("scores.csv")
        let ok = try runLeadcal(["score", "--weights", firstPath, data.path, "--as-of", "2026-11-01", "--out", scores.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let lines = try String(contentsOf: scores, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1_501)
        #expect(lines[0] == "lead_id,probability,score,tier,model_version,fit_logit,context_logit,engagement_logit,history_logit,reasons")
        // Written through a temporary file beside it, renamed into place: none is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".scores.csv.") }.isEmpty)
        var text = try String(contentsOfFile: firstPath, encoding: .utf8)
        let range = text.range(of: #""weight" : -?[0-9.]+"#, options: .regularExpression)!
        text.replaceSubrange(range, with: "\"weight\" : 7.5")
        try text.write(toFile: firstPath, atomically: true, encoding: .utf8)
        let refused = try runLeadcal(["score", "--weights", firstPath, data.path, "--out", root.appendingPathComponent("x.csv").path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("checksum mismatch"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("x.csv").path))
    }
}

@Suite("leadcal evaluate, compare, versions and report")
struct RoutineCommandTests {
    @Test func theMonthlyRoutine() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-routine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), weights = root.appendingPathComponent("weights")
        try SyntheticGenerator(leads: 2_000, seed: 12).write(to: data)
        for cut in ["2026-05-01", "2026-07-01"] {
            let r = try runLeadcal(["fit", data.path, "--out", weights.path, "--train-before", cut, "--no-intervals"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = weights.appendingPathComponent("b2b-default-2026-04.1.json").path
        let b = weights.appendingPathComponent("b2b-default-2026-06.1.json").path

        let versions = try runLeadcal(["versions", weights.path, "--json"])
        let list = try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as! [[String: Any]]
        #expect(list.map { $0["version"] as! String } == ["2026-04.1", "2026-06.1"])
        #expect(list[1]["parent"] as? String == "2026-04.1")

        let evaluate = try runLeadcal(["evaluate", "--weights", b, data.path, "--after", "2026-07-01", "--capacity", "50", "--json"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let e = try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as! [String: Any]
        #expect((e["reliability"] as! [Any]).count == 10)
        #expect((e["capacity"] as! [String: Any])["top"] as? Int == 50)

        let compare = try runLeadcal(["compare", a, b, data.path, "--after", "2026-07-01", "--json"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let c = try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as! [String: Any]
        #expect((c["verdict"] as! String).hasPrefix("B (2026-06.1) vs A (2026-04.1): AUC"))
        #expect(c["auc_test"] != nil && c["psi"] != nil && c["tier_moves"] != nil)

        // A version predicting another outcome definition is refused without --force.
        var other = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: b))) as! [String: Any]
        other["outcome"] = "meeting booked"
        other["version"] = "other"
        var text = String(decoding: try JSONSerialization.data(withJSONObject: other, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        text = text.replacingOccurrences(of: other["checksum"] as! String, with: "sha256:" + String(repeating: "0", count: 64))
        let digest = LeadcalModel.SHA256.hex(Array(text.utf8))
        text = text.replacingOccurrences(of: "sha256:" + String(repeating: "0", count: 64), with: "sha256:" + digest)
        let otherPath = root.appendingPathComponent("other.json").path
        try text.write(toFile: otherPath, atomically: true, encoding: .utf8)
        let refused = try runLeadcal(["compare", a, otherPath, data.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pass --force to compare anyway"))
        #expect(try runLeadcal(["compare", a, otherPath, data.path, "--force"]).status == 0)

        // A previous output (recognised by its first bytes) is replaced with --force, and only with it.
        let scores = root.appendingPathComponent("scores.csv").path
        #expect(try runLeadcal(["score", "--weights", b, data.path, "--out", scores, "--as-of", "2026-07-01"]).status == 0)
        #expect(try runLeadcal(["score", "--weights", b, data.path, "--out", scores]).stderr.contains("exists: pass --force to replace it"))
        let rescored = try runLeadcal(["score", "--weights", b, data.path, "--out", scores, "--as-of", "2026-08-01", "--force"])
        #expect(rescored.status == 0, "\(rescored.stderr)")
        let exported = root.appendingPathComponent("model.sql").path
        for _ in 0..<2 {
            let r = try runLeadcal(["export", "--weights", b, "--format", "sql-duckdb", "--out", exported, "--force"])
            #expect(r.status == 0, "\(r.stderr)")
        }

        // The notebook and the CSV files it reads.
        let out = root.appendingPathComponent("nb/report").path
        let report = try runLeadcal(["report", "--weights", b, "--baseline", a, data.path, "--after", "2026-07-01", "--out", out])
        #expect(report.status == 0, "\(report.stderr)")
        let notebook = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".ipynb"))) as! [String: Any]
        #expect(notebook["nbformat"] as? Int == 4 && notebook["nbformat_minor"] as? Int == 5)
        let cells = notebook["cells"] as! [[String: Any]]
        #expect(cells.contains { $0["cell_type"] as? String == "code" } && cells.allSatisfy { $0["id"] != nil })
        for file in ["scores.csv", "weights.csv", "half_lives.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
    }
}

@Suite("Killed or starved commands leave nothing half-written", .serialized)
struct KilledCommandTests {
    @Test("a fit killed at any moment leaves only complete weights files, and the next fit cleans up")
    func killedFit() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), weights = root.appendingPathComponent("weights")
        try SyntheticGenerator(leads: 8_000, seed: 17).write(to: data)
        // One complete version first: it must survive every kill untouched.
        #expect(try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals"]).status == 0)
        let first = try FileManager.default.contentsOfDirectory(atPath: weights.path).filter { $0.hasSuffix(".json") }
        let firstBytes = try Data(contentsOf: weights.appendingPathComponent(first[0]))
        for delay in [0.05, 0.2, 0.5, 0.8, 1.2, 1.8, 2.5] {
            let p = Process()
            p.executableURL = leadcalBinary()
            p.arguments = ["fit", data.path, "--out", weights.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            for name in try FileManager.default.contentsOfDirectory(atPath: weights.path) where !name.hasPrefix(".") {
                #expect((try? WeightsStore.load(weights.appendingPathComponent(name))) != nil, "after a kill at \(delay) s: \(name) is not a complete weights file")
            }
            #expect(try Data(contentsOf: weights.appendingPathComponent(first[0])) == firstBytes)
        }
        // A writer killed between its temporary file and the link leaves a hidden temporary: the next fit removes it.
        try Data("{".utf8).write(to: weights.appendingPathComponent(".b2b-default-2026-10.9.json.999999.1.tmp"))
        #expect(try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: weights.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test("a report or a score cut short by a full disk leaves no notebook without its data, no partial CSV")
    func fullDisk() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-full-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), weights = root.appendingPathComponent("weights")
        try SyntheticGenerator(leads: 3_000, seed: 19).write(to: data)
        let fit = try runLeadcal(["fit", data.path, "--out", weights.path, "--no-intervals", "--json"])
        let file = try JSONSerialization.jsonObject(with: Data(fit.stdout.utf8)) as! [String: Any]
        let path = file["weights_file"] as! String
        // prlimit: writing past 20 kB fails as on a full disk (the process gets SIGXFSZ).
        let out = root.appendingPathComponent("report").path
        for arguments in [["report", "--weights", path, data.path, "--out", out],
                          ["score", "--weights", path, data.path, "--as-of", "2026-11-01", "--out", root.appendingPathComponent("s.csv").path]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            p.arguments = ["--fsize=20000", "--", leadcalBinary().path] + arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus != 0, "\(arguments[0]) should fail on a full disk")
        }
        let visible = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(visible == ["data", "weights"], "left behind: \(visible)")
    }
}
