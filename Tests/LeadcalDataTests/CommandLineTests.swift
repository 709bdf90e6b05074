import Foundation
import Testing
import LeadcalSynth

/// Runs the built `leadcal` executable (built next to the test bundle).
func runLeadcal(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("leadcal").path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    let process = Process()
    process.executableURL = dir.appendingPathComponent("leadcal")
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
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
        #expect(lines[0] == "lead_id,probability,score,tier,fit_logit,context_logit,engagement_logit,history_logit,reasons")
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
