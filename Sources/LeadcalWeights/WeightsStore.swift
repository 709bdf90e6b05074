import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a weights file cannot be read or written.
public struct WeightsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reading, writing and versioning weights files.
///
/// **Checksum.** The document is written with `"checksum": "sha256:"` followed by
/// 64 zeros, hashed with SHA-256, and the zeros are replaced by the digest.
/// A reader replaces the 64 hex digits by zeros again and compares: any
/// changed byte (a tampered weight, a truncated copy) is detected, by any
/// language, without re-serializing anything.
///
/// **Writes** are atomic and never overwrite: the bytes go to a temporary file
/// in the same folder, are flushed with `fsync`, and are published with
/// `link(2)`, which fails if the name exists; then the folder is synced.
public enum WeightsStore {
    static let placeholder = "sha256:" + String(repeating: "0", count: 64)

    /// The file name of a model version.
    public static func fileName(model: String, version: String) -> String { "\(model)-\(version).json" }

    /// The document's bytes, checksum included.
    public static func encode(_ file: WeightsFile) throws -> Data {
        var document = file
        document.checksum = placeholder
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var bytes = try encoder.encode(document) + Data("\n".utf8)
        let digest = SHA256.hex(bytes)
        guard let range = bytes.range(of: Data(placeholder.utf8)) else { throw WeightsError("internal: no checksum placeholder") }
        bytes.replaceSubrange(range, with: Data(("sha256:" + digest).utf8))
        return bytes
    }

    /// Verifies the checksum of raw document bytes; returns nil when it holds, else the problem.
    static func checksumProblem(_ bytes: Data) -> String? {
        guard let text = String(data: bytes, encoding: .utf8) else { return "not UTF-8 text" }
        let pattern = #""checksum"\s*:\s*"sha256:([0-9a-f]{64})""#
        guard let match = text.range(of: pattern, options: .regularExpression) else { return "no checksum field" }
        let field = String(text[match])
        let digest = String(field.suffix(65).prefix(64))
        let zeroed = text.replacingCharacters(in: match, with: field.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64)))
        return SHA256.hex(Array(zeroed.utf8)) == digest ? nil : "checksum mismatch: the file was changed or truncated after it was written"
    }

    /// Reads and validates a weights file: format identifier, a major format
    /// version this reader knows, then the checksum, then the content.
    public static func load(_ url: URL) throws(WeightsError) -> WeightsFile {
        let name = url.path
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw WeightsError("\(name): cannot read (\(error.localizedDescription))") }
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw WeightsError("\(name): not a JSON document (truncated or not a weights file)")
        }
        guard object["format"] as? String == WeightsFile.formatIdentifier else {
            throw WeightsError("\(name): not a leadcal weights file (format is '\(object["format"] as? String ?? "missing")', expected '\(WeightsFile.formatIdentifier)')")
        }
        let version = object["format_version"] as? String ?? "?"
        guard let major = Int(version.split(separator: ".").first ?? ""), major <= WeightsFile.supportedMajor else {
            throw WeightsError("\(name): format version \(version) is newer than this leadcal understands (\(WeightsFile.supportedMajor).x); upgrade leadcal to read it")
        }
        if let problem = checksumProblem(bytes) { throw WeightsError("\(name): \(problem)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(WeightsFile.self, from: bytes) } catch {
            throw WeightsError("\(name): malformed weights file (\(error))")
        }
    }

    /// Writes `file` as `<folder>/<model>-<version>.json`, atomically, never
    /// replacing an existing file. Returns the path written.
    @discardableResult
    public static func write(_ file: WeightsFile, to folder: URL) throws(WeightsError) -> URL {
        let target = folder.appendingPathComponent(fileName(model: file.model, version: file.version))
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw WeightsError("\(folder.path): cannot create the folder (\(error.localizedDescription))")
        }
        if FileManager.default.fileExists(atPath: target.path) {
            throw WeightsError("\(target.path) exists: versions are immutable (pass another --version)")
        }
        let bytes: Data
        do { bytes = try encode(file) } catch { throw WeightsError("cannot encode the weights file (\(error))") }
        let temp = folder.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw WeightsError("\(temp.path): cannot create (\(String(cString: strerror(errno))))") }
        var ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        defer { unlink(temp.path) }
        guard ok else { throw WeightsError("\(temp.path): write failed (\(String(cString: strerror(errno))))") }
        if link(temp.path, target.path) != 0 {
            let reason = errno == EEXIST ? "exists: versions are immutable (pass another --version)" : String(cString: strerror(errno))
            throw WeightsError("\(target.path): \(reason)")
        }
        let dir = open(folder.path, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
        return target
    }

    /// The weights files of `model` in `folder` (all models when nil), oldest first.
    public static func versions(in folder: URL, model: String? = nil) -> [(url: URL, file: WeightsFile)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var out: [(URL, WeightsFile)] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let model, !name.hasPrefix(model + "-") { continue }
            let url = folder.appendingPathComponent(name)
            guard let file = try? load(url), model == nil || file.model == model else { continue }
            out.append((url, file))
        }
        return out.sorted { ($0.1.createdAt, $0.1.version) < ($1.1.createdAt, $1.1.version) }
    }

    /// The next version of `model` for a training cut in `month` (`YYYY-MM`):
    /// `YYYY-MM.N` with N one more than the highest N already in the folder for that month.
    public static func nextVersion(in folder: URL, model: String, month: String) -> String {
        let prefix = month + "."
        let taken = versions(in: folder, model: model).compactMap { v -> Int? in
            v.file.version.hasPrefix(prefix) ? Int(v.file.version.dropFirst(prefix.count)) : nil
        }
        return "\(month).\((taken.max() ?? 0) + 1)"
    }
}
