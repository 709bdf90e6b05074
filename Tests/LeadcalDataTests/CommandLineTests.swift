import Foundation
import Testing

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
