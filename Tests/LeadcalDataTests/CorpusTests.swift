import Crypto
import Foundation
import Testing

/// The corpus of broken and hostile inputs (Tests/LeadcalDataTests/Corpus,
/// written by its make_corpus.py): every case's commands run on a temporary
/// copy, with the documented exit status, the expected message, and the case's
/// files unchanged afterwards.
enum Corpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("case.json").path) }
            .sorted()
    }

    struct Case: Decodable {
        struct Step: Decodable {
            var run: [String]
            var status: Int32
            var stderr: String?
            var stderr_prefix: String?
            var stderr_contains: String?
            var stdout_contains: String?
            var as_user: String?
        }
        struct Generate: Decodable {
            var file: String
            var kind: String
            var count: Int
        }
        var what: String
        var steps: [Step]
        var unchanged: Bool
        var shared: Bool?
        var generate: [Generate]?
        var chmod: [String: String]?
    }

    /// Copies `from` into `to`, recursively.
    static func copy(_ from: URL, into to: URL) throws {
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: from.path) where name != "case.json" {
            let source = from.appendingPathComponent(name), target = to.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: source.path, isDirectory: &isDirectory), isDirectory.boolValue {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                try copy(source, into: target)
            } else {
                if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
                try fm.copyItem(at: source, to: target)
            }
        }
    }

    /// Every file below `root` (relative path → SHA-256), folders included (as "dir").
    static func snapshot(_ root: URL) -> [String: String] {
        var out: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return out }
        while let rel = walker.nextObject() as? String {
            let path = root.appendingPathComponent(rel).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { out[rel] = "dir"; continue }
            let data = FileManager.default.contents(atPath: path) ?? Data("unreadable".utf8)
            out[rel] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    /// Big inputs are made here rather than committed.
    static func generate(_ g: Case.Generate, in root: URL) throws {
        let url = root.appendingPathComponent(g.file)
        var text = Data()
        switch g.kind {
        case "long_field":
            text = try Data(contentsOf: url) + Data("E,".utf8) + Data(repeating: UInt8(ascii: "x"), count: g.count) + Data(",5\n".utf8)
        case "many_types":
            text = try Data(contentsOf: url)
            var rows = ""
            for k in 0..<g.count { rows += "A,t\(k),2026-03-01,\n" }
            text += Data(rows.utf8)
        case "many_signals":
            var rows = "lead_id,signal,occurred_at,value\n"
            rows.reserveCapacity(g.count * 40)
            for k in 0..<g.count { rows += "L0000001,email_open,2026-0\(1 + k % 9)-\(10 + k % 19)T\(10 + k % 10):00:00Z,\n" }
            text = Data(rows.utf8)
        case "huge_values":
            text = Data("""
                lead_id,signal,occurred_at,value
                L0000001,meeting,2026-10-01,1.7e308
                L0000001,meeting,2026-10-02,1.7e308
                L0000002,reply,2026-10-03,1.2e17
                L0000003,call,2026-10-04,-0
                L0000004,email_open,2026-10-05,0

                """.utf8)
        case "rename_column":
            let s = try String(contentsOf: url, encoding: .utf8)
            text = Data(s.replacingOccurrences(of: "industry", with: "industry_renamed").utf8)
        default:
            throw CocoaError(.featureUnsupported)
        }
        try text.write(to: url)
    }
}

@Suite("Broken and hostile inputs: the corpus")
struct CorpusTests {
    @Test("every case ends as documented", arguments: Corpus.names)
    func corpusCase(_ name: String) throws {
        let source = Corpus.folder.appendingPathComponent(name)
        let spec = try JSONDecoder().decode(Corpus.Case.self, from: Data(contentsOf: source.appendingPathComponent("case.json")))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-corpus-\(UUID().uuidString)")
        let copy = root.appendingPathComponent("case"), out = root.appendingPathComponent("out")
        let fm = FileManager.default
        try fm.createDirectory(at: copy, withIntermediateDirectories: true)
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        defer {
            _ = try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
            if let walker = fm.enumerator(atPath: root.path) {
                while let rel = walker.nextObject() as? String { _ = try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.appendingPathComponent(rel).path) }
            }
            try? fm.removeItem(at: root)
        }
        if spec.shared == true {
            try fm.createDirectory(at: copy.appendingPathComponent("data"), withIntermediateDirectories: true)
            try Corpus.copy(Corpus.folder.appendingPathComponent("_shared/data"), into: copy.appendingPathComponent("data"))
            try fm.copyItem(at: Corpus.folder.appendingPathComponent("_shared/weights.json"), to: copy.appendingPathComponent("weights.json"))
        }
        try Corpus.copy(source, into: copy)
        for g in spec.generate ?? [] { try Corpus.generate(g, in: copy) }
        // Permission cases run as an unprivileged user when the tests run as root (root reads every file).
        if spec.steps.contains(where: { $0.as_user != nil }) && geteuid() == 0 {
            for path in [root.path, out.path] { try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: path) }
        }
        for (path, mode) in spec.chmod ?? [:] {
            try fm.setAttributes([.posixPermissions: Int(mode.dropFirst(2), radix: 8)!], ofItemAtPath: copy.appendingPathComponent(path).path)
        }
        let before = Corpus.snapshot(copy)

        for step in spec.steps {
            func fill(_ s: String) -> String {
                s.replacingOccurrences(of: "{case}", with: copy.path).replacingOccurrences(of: "{tmp}", with: out.path)
            }
            var arguments = step.run.map(fill)
            var executable = leadcalBinary()
            if let user = step.as_user, geteuid() == 0 {
                // The build folder may sit under a directory only root can enter (a checkout in
                // a mode-700 temporary folder): run a copy the other user can reach.
                let copy = root.appendingPathComponent("leadcal")
                if !fm.fileExists(atPath: copy.path) {
                    try fm.copyItem(at: executable, to: copy)
                    try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
                }
                arguments = ["-u", user, "--", copy.path] + arguments
                executable = URL(fileURLWithPath: "/usr/sbin/runuser")
            }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            // Both pipes drained at once, so that a large output never blocks the process.
            let errors = Drain(stderr.fileHandleForReading)
            let outText = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let errText = String(decoding: errors.wait(), as: UTF8.self)
            let what = "\(name) (\(spec.what)): \(step.run.joined(separator: " "))"
            #expect(process.terminationStatus == step.status, "\(what): exit \(process.terminationStatus), stderr: \(errText.prefix(600))")
            if let expected = step.stderr { #expect(errText == fill(expected), "\(what)") }
            if let prefix = step.stderr_prefix { #expect(errText.hasPrefix(fill(prefix)), "\(what): \(errText.prefix(600))") }
            if let part = step.stderr_contains { #expect(errText.contains(fill(part)), "\(what): \(errText.prefix(600))") }
            if let part = step.stdout_contains { #expect(outText.contains(fill(part)), "\(what): stdout \(outText.prefix(600))") }
        }
        if spec.unchanged {
            #expect(Corpus.snapshot(copy) == before, "\(name): the case's files changed")
        }
    }
}

/// Reads a pipe to its end on another thread.
final class Drain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        DispatchQueue.global().async { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }
    func wait() -> Data {
        done.wait()
        return data
    }
}

/// The built `leadcal` executable (next to the test bundle).
func leadcalBinary() -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("leadcal").path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("leadcal")
}
