import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadcalData
import LeadcalModel
import LeadcalScorer
import LeadcalSynth
import Testing

/// The built `leadcal` executable (next to the test bundle).
func leadcalBinary() -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("leadcal").path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("leadcal")
}

/// Weights files fitted once on synthetic data, for the service tests.
enum ServiceFixture {
    static let folder: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-service-\(UUID().uuidString)")
        try! SyntheticGenerator(leads: 1_500, seed: 41).write(to: root.appendingPathComponent("data"))
        for cut in ["2026-07-01", "2026-09-01"] {
            let p = Process()
            p.executableURL = leadcalBinary()
            p.arguments = ["fit", root.appendingPathComponent("data").path, "--out", root.appendingPathComponent("weights").path,
                           "--no-intervals", "--train-before", cut]
            p.standardOutput = FileHandle.nullDevice
            try! p.run()
            p.waitUntilExit()
        }
        return root.appendingPathComponent("weights")
    }()
    /// A version with breadth features (engagement: 14 days, history: 60 days), in its own folder.
    static let breadth: URL = {
        let data = folder.deletingLastPathComponent().appendingPathComponent("data")
        let spec = folder.deletingLastPathComponent().appendingPathComponent("breadth.yaml")
        var text = try! String(contentsOf: data.appendingPathComponent("model.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "    half_life_days: 14\n", with: "    half_life_days: 14\n    breadth_days: 14\n")
            .replacingOccurrences(of: "    half_life_days: 90\n", with: "    half_life_days: 90\n    breadth_days: 60\n")
        try! text.write(to: spec, atomically: true, encoding: .utf8)
        let out = folder.deletingLastPathComponent().appendingPathComponent("breadth")
        let p = Process()
        p.executableURL = leadcalBinary()
        p.arguments = ["fit", data.path, "--spec", spec.path, "--out", out.path, "--no-intervals", "--version", "b"]
        p.standardOutput = FileHandle.nullDevice
        try! p.run()
        p.waitUntilExit()
        return out.appendingPathComponent("b2b-default-b.json")
    }()
    static var older: URL { folder.appendingPathComponent("b2b-default-2026-06.1.json") }
    static var newer: URL { folder.appendingPathComponent("b2b-default-2026-08.1.json") }
}

/// A `leadcal serve` process on a free loopback port.
final class Server: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let errors = Pipe()

    init(weights: URL, extra: [String] = []) throws {
        process.executableURL = leadcalBinary()
        process.arguments = ["serve", "--weights", weights.path, "--port", "0"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errors
        try process.run()
        // "leadcal serve: <model> <version> on http://127.0.0.1:<port>"
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://127.0.0.1:"), let p = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw ServerError(message: "no listening line: \(text)")
        }
        port = p
    }

    struct ServerError: Error { var message: String }

    func request(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        let (status, data) = try await raw(method, path, body: body)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// The answer's bytes (Foundation's JSON parser may round a double's last digit; tests of exactness read the text).
    func raw(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: Data) {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        if let body { r.httpBody = Data(body.utf8); r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    /// The number after `"key":` in a JSON text, read exactly (Swift's `Double(String)` is correctly rounded).
    static func number(_ key: String, in body: Data) -> Double? {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: "\"\(key)\":") else { return nil }
        let rest = text[range.upperBound...].prefix { "0123456789.eE+-".contains($0) }
        return Double(rest)
    }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }

    /// Stops the server (SIGTERM) and returns its exit status and stderr.
    func stop() -> (status: Int32, stderr: String) {
        signal(SIGTERM)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

@Suite("leadcal serve", .serialized)
struct ServiceTests {
    static let lead = """
        {"lead_id": "L1", "as_of": "2026-11-01T00:00:00Z",
         "attributes": {"industry": "retail", "employees": 120, "job_level": "vp"},
         "signals": [{"signal": "pricing_visit", "occurred_at": "2026-10-30T10:00:00Z", "value": 3},
                     {"signal": "meeting", "occurred_at": "2026-09-15"},
                     {"signal": "chat_open", "occurred_at": "2026-10-31"}]}
        """

    @Test("POST /score answers what the Swift scorer computes, and lists what it ignored")
    func scoresLikeTheScorer() async throws {
        let server = try Server(weights: ServiceFixture.newer)
        defer { _ = server.stop() }
        let (status, json) = try await server.request("POST", "/score", body: Self.lead)
        #expect(status == 200)
        let body = try await server.raw("POST", "/score", body: Self.lead).body
        let scorer = try Scorer.load(ServiceFixture.newer)
        var totals = scorer.makeTotals(leads: 1)
        let asOf = parseTimestamp("2026-11-01T00:00:00Z")!
        totals.add(lead: 0, signal: scorer.signalIndex("pricing_visit")!, ageDays: (asOf - parseTimestamp("2026-10-30T10:00:00Z")!) / 86400, value: 3)
        totals.add(lead: 0, signal: scorer.signalIndex("meeting")!, ageDays: (asOf - parseTimestamp("2026-09-15")!) / 86400)
        let expected = scorer.score(lead: 0, totals: totals, attributes: scorer.attributes(["industry": "retail", "employees": "120", "job_level": "vp"]))
        #expect(Server.number("probability", in: body) == expected.probability)
        #expect(Server.number("logit", in: body) == expected.logit)
        #expect(json["score"] as? Int == expected.score)
        #expect(json["tier"] as? String == scorer.tier(expected))
        #expect(json["model_version"] as? String == "2026-08.1")
        #expect(json["ignored_signal_types"] as? [String] == ["chat_open"])
        #expect((json["axis_contributions"] as? [String: Double])?.count == 4)
        #expect((json["reasons"] as? [[String: Any]])?.count == 3)
    }

    @Test("a model with breadth features: the service answers what the Swift scorer computes")
    func breadthLikeTheScorer() async throws {
        let scorer = try Scorer.load(ServiceFixture.breadth)
        #expect(scorer.weights.features.filter { $0.kind == .breadth }.map(\.name) == ["engagement_breadth", "history_breadth"])
        #expect(scorer.weights.features.filter { $0.kind == .breadth }.allSatisfy { $0.weight != 0 })
        let server = try Server(weights: ServiceFixture.breadth)
        defer { _ = server.stop() }
        let body = try await server.raw("POST", "/score", body: Self.lead).body
        var totals = scorer.makeTotals(leads: 1)
        let asOf = parseTimestamp("2026-11-01T00:00:00Z")!
        totals.add(lead: 0, signal: scorer.signalIndex("pricing_visit")!, ageDays: (asOf - parseTimestamp("2026-10-30T10:00:00Z")!) / 86400, value: 3)
        totals.add(lead: 0, signal: scorer.signalIndex("meeting")!, ageDays: (asOf - parseTimestamp("2026-09-15")!) / 86400)
        #expect(totals.recent(lead: 0, signal: scorer.signalIndex("pricing_visit")!) && totals.recent(lead: 0, signal: scorer.signalIndex("meeting")!))
        let expected = scorer.score(lead: 0, totals: totals, attributes: scorer.attributes(["industry": "retail", "employees": "120", "job_level": "vp"]))
        #expect(Server.number("probability", in: body) == expected.probability)
        #expect(Server.number("logit", in: body) == expected.logit)
    }

    @Test("with an estimated amount, the answer adds expected_value = probability × amount; a negative amount is a 400")
    func expectedValue() async throws {
        let server = try Server(weights: ServiceFixture.newer)
        defer { _ = server.stop() }
        let withAmount = Self.lead.replacingOccurrences(of: "\"as_of\":", with: "\"amount\": 25000, \"as_of\":")
        let body = try await server.raw("POST", "/score", body: withAmount).body
        let p = try #require(Server.number("probability", in: body))
        #expect(Server.number("expected_value", in: body) == p * 25000)
        #expect(Server.number("expected_value", in: try await server.raw("POST", "/score", body: Self.lead).body) == nil)
        let (status, json) = try await server.request("POST", "/score", body: Self.lead.replacingOccurrences(of: "\"as_of\":", with: "\"amount\": -1, \"as_of\":"))
        #expect(status == 400)
        #expect((json["error"] as? String)?.hasPrefix("amount: expected a deal value >= 0") == true)
    }

    @Test("batch, model and health")
    func batchModelHealth() async throws {
        let server = try Server(weights: ServiceFixture.newer)
        defer { _ = server.stop() }
        let (status, json) = try await server.request(
            "POST", "/score/batch", body: "{\"as_of\": \"2026-11-01\", \"leads\": [\(Self.lead), {\"lead_id\": \"L2\"}]}")
        #expect(status == 200)
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.map { $0["lead_id"] as? String } == ["L1", "L2"])
        #expect((results[1]["notes"] as? [String])?.contains("employees missing (training mean used)") == true)
        let model = try await server.request("GET", "/model")
        #expect(model.status == 200 && model.json["version"] as? String == "2026-08.1")
        #expect((model.json["checksum"] as? String)?.hasPrefix("sha256:") == true)
        #expect((model.json["features"] as? [Any])?.isEmpty == false)
        let health = try await server.request("GET", "/health")
        #expect(health.status == 200 && health.json["status"] as? String == "ok")
    }

    @Test("bad requests get 400 naming the field, an oversized body 413")
    func badRequests() async throws {
        let server = try Server(weights: ServiceFixture.newer, extra: ["--max-body", "2000"])
        defer { _ = server.stop() }
        for (body, message) in [
            ("{bad", "malformed JSON (at byte 1)"),
            ("{\"attributes\": {\"employees\": \"many\"}}", "attributes.employees: expected a number, found 'many'"),
            ("{\"attributes\": {\"industry\": true}}", "attributes.industry: expected a string or a number, found a boolean"),
            ("{\"signals\": [{\"signal\": \"meeting\", \"occurred_at\": \"yesterday\"}]}", "signals[0].occurred_at: expected an ISO 8601 date or date-time, found 'yesterday'"),
            ("{\"signals\": [{\"signal\": 3, \"occurred_at\": \"2026-01-01\"}]}", "signals[0].signal: expected a string, found a number"),
            ("{\"signals\": [{\"occurred_at\": \"2026-01-01\"}]}", "signals[0].signal: missing"),
            ("{\"signal\": []}", "signal: unknown field (expected lead_id, as_of, attributes, signals, reasons, amount)"),
            ("{\"as_of\": \"2026-13-01\"}", "as_of: expected an ISO 8601 date or date-time, found '2026-13-01'"),
            ("{\"signals\": [{\"signal\": \"meeting\", \"occurred_at\": \"2026-01-01\", \"value\": -1}]}", "signals[0].value: expected a finite number >= 0, found -1.0"),
            ("[]", "expected an object, found an array"),
            ("{} {}", "malformed JSON (text after the object)"),
        ] {
            let (status, json) = try await server.request("POST", "/score", body: body)
            #expect(status == 400, "\(body)")
            #expect(json["error"] as? String == message, "\(body)")
        }
        let big = "{\"lead_id\": \"" + String(repeating: "x", count: 3000) + "\"}"
        let (status, json) = try await server.request("POST", "/score", body: big)
        #expect(status == 413)
        #expect(json["error"] as? String == "request body over 2000 bytes")
        // Still serving.
        #expect(try await server.request("POST", "/score", body: Self.lead).status == 200)
    }

    @Test("SIGHUP reloads the weights file; a bad file is refused and the old model keeps serving; SIGTERM drains and exits")
    func reloadAndStop() async throws {
        let served = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-served-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: served) }
        try FileManager.default.copyItem(at: ServiceFixture.older, to: served)
        let server = try Server(weights: served)
        #expect(try await server.request("GET", "/health").json["model_version"] as? String == "2026-06.1")
        // A new version in place, then SIGHUP.
        try FileManager.default.removeItem(at: served)
        try FileManager.default.copyItem(at: ServiceFixture.newer, to: served)
        server.signal(SIGHUP)
        var version = ""
        for _ in 0..<50 where version != "2026-08.1" {
            try await Task.sleep(for: .milliseconds(50))
            version = try await server.request("GET", "/health").json["model_version"] as? String ?? ""
        }
        #expect(version == "2026-08.1")
        // A truncated file: refused, the current model keeps serving.
        let bytes = try Data(contentsOf: served)
        try bytes.prefix(bytes.count / 2).write(to: served)
        server.signal(SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await server.request("POST", "/score", body: Self.lead).json["model_version"] as? String == "2026-08.1")
        let (status, stderr) = server.stop()
        #expect(status == 0)
        #expect(stderr.contains("reloaded \(served.path): b2b-default 2026-08.1"))
        #expect(stderr.contains("refused to reload: \(served.path): not a JSON document"))
        #expect(stderr.contains("leadcal serve: stopped"))
    }
}

@Suite("leadcal serve under malformed traffic", .serialized)
struct MalformedTrafficTests {
    @Test("10,000 malformed requests in a row, then valid ones still answered correctly")
    func survivesMalformedRequests() async throws {
        let server = try Server(weights: ServiceFixture.newer)
        defer { _ = server.stop() }
        let expected = try await server.request("POST", "/score", body: ServiceTests.lead)
        #expect(expected.status == 200)
        var state: UInt64 = 99
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let shapes: [() -> String] = [
            { String(ServiceTests.lead.prefix(Int(next() % UInt64(ServiceTests.lead.count)))) },           // truncated
            { String(repeating: "[", count: 100_000) },                                                    // deep nesting
            { "{\"signals\": [" + String(repeating: "{\"signal\": \"x\", \"occurred_at\": 1},", count: 50) + "]}" },
            { "{\"attributes\": {\"employees\": 1e999}}" },                                                 // out of range
            { "{\"lead_id\": \"\\ud800\"}" },                                                               // lone surrogate
            { String(decoding: (0..<200).map { _ in UInt8(truncatingIfNeeded: next()) }, as: UTF8.self) },  // noise
            { "{\"as_of\": \"2026-02-30T25:61:00Z\"}" },
            { "{\"reasons\": -1}" },
            { "null" },
        ]
        let bodies = (0..<10_000).map { shapes[$0 % shapes.count]() }
        var unexpected = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            for batch in 0..<100 {
                let mine = Array(bodies[(batch * 100)..<((batch + 1) * 100)])
                group.addTask {
                    var count = 0
                    for body in mine {
                        let status = try await server.request("POST", "/score", body: body).status
                        if status != 400 && status != 413 { count += 1 }
                    }
                    return count
                }
            }
            for try await n in group { unexpected += n }
        }
        #expect(unexpected == 0, "answers other than 400 or 413 to malformed requests")
        for _ in 0..<20 {
            let again = try await server.request("POST", "/score", body: ServiceTests.lead)
            #expect(again.status == 200)
            #expect(again.json["probability"] as? Double == expected.json["probability"] as? Double)
        }
        let (status, _) = server.stop()
        #expect(status == 0)
    }
}
