import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
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
    static let placeholderDigest = String(repeating: "0", count: 64)
    /// The checksum field as written: the key, then `sha256:` and 64 hex digits.
    /// A string value cannot match it (its quotes would be escaped).
    static let checksumPattern = #""checksum"\s*:\s*"sha256:([0-9a-f]{64})""#

    /// Longest model name or version accepted (a file name must fit in 255 bytes).
    public static let maxNameLength = 100

    /// Whether `name` may be a model name or a version: 1 to ``maxNameLength``
    /// ASCII letters, digits, `.`, `_` or `-`, not starting with `.` or `-`
    /// (no hidden files, no options, no path separators).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maxNameLength, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else {
            return false
        }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    /// The file name of a model version.
    public static func fileName(model: String, version: String) -> String { "\(model)-\(version).json" }

    /// The document's bytes, checksum included. Refuses, before producing
    /// anything, a document that ``WeightsFile/problems()`` finds wrong (a
    /// NaN or infinite number among them).
    public static func encode(_ file: WeightsFile) throws(WeightsError) -> Data {
        if let problem = file.problems().first { throw WeightsError("cannot write the weights file: \(problem)") }
        var document = file
        document.checksum = "sha256:" + placeholderDigest
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var bytes: Data
        do { bytes = try encoder.encode(document) + Data("\n".utf8) } catch {
            throw WeightsError("cannot write the weights file: \(error)")
        }
        let digest = SHA256.hex(bytes)
        guard let text = String(data: bytes, encoding: .utf8),
            let match = text.range(of: checksumPattern, options: .regularExpression)
        else { throw WeightsError("internal: no checksum field in the encoded document") }
        let field = String(text[match])
        let filled = text.replacingCharacters(in: match, with: field.replacingOccurrences(of: placeholderDigest, with: digest))
        bytes = Data(filled.utf8)
        return bytes
    }

    /// Verifies the checksum of raw document bytes; returns nil when it holds, else the problem.
    static func checksumProblem(_ bytes: Data) -> String? {
        guard let text = String(data: bytes, encoding: .utf8) else { return "not UTF-8 text" }
        guard let match = text.range(of: checksumPattern, options: .regularExpression) else { return "no checksum field" }
        let field = String(text[match])
        let digest = String(field.suffix(65).prefix(64))
        let zeroed = text.replacingCharacters(in: match, with: field.replacingOccurrences(of: digest, with: placeholderDigest))
        return SHA256.hex(Array(zeroed.utf8)) == digest ? nil : "checksum mismatch: the file was changed or truncated after it was written"
    }

    /// Decodes and validates a weights document: format identifier, a major
    /// format version this reader knows (1.x files are migrated in memory),
    /// the checksum, the content, then ``WeightsFile/problems()``.
    /// `name` is used in messages.
    public static func decode(_ bytes: Data, name: String) throws(WeightsError) -> WeightsFile {
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw WeightsError("\(name): not a JSON document (truncated or not a weights file)")
        }
        guard object["format"] as? String == WeightsFile.formatIdentifier else {
            throw WeightsError("\(name): not a leadcal weights file (format is '\(object["format"] as? String ?? "missing")', expected '\(WeightsFile.formatIdentifier)')")
        }
        let version = object["format_version"] as? String ?? "?"
        guard let major = Int(version.split(separator: ".").first ?? ""), major >= 1 else {
            throw WeightsError("\(name): format version '\(version)' is not MAJOR.MINOR")
        }
        guard major <= WeightsFile.supportedMajor else {
            throw WeightsError("\(name): format version \(version) is newer than this leadcal understands (\(WeightsFile.supportedMajor).x); upgrade leadcal to read it")
        }
        if let problem = checksumProblem(bytes) { throw WeightsError("\(name): \(problem)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file: WeightsFile
        do {
            file = major == 1 ? try decoder.decode(LegacyWeightsFile.self, from: bytes).migrated()
                : try decoder.decode(WeightsFile.self, from: bytes)
        } catch {
            throw WeightsError("\(name): malformed weights file (\(describe(error)))")
        }
        if let problem = file.problems().first { throw WeightsError("\(name): \(problem)") }
        return file
    }

    /// Reads and validates a weights file (see ``decode(_:name:)``).
    public static func load(_ url: URL) throws(WeightsError) -> WeightsFile {
        let name = url.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WeightsError("\(name): is a folder, not a weights file")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw WeightsError("\(name): cannot read (\(ioReason(error)))") }
        return try decode(bytes, name: name)
    }

    /// A decoding error in one line: what was wrong, and where.
    static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error as? DecodingError {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c):
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case let .keyNotFound(key, c):
            return "\(path(c.codingPath + [key])): missing"
        default:
            return "\(error)"
        }
    }

    /// The system's reason for a failed file operation, without Foundation's domain codes.
    public static func ioReasonText(_ error: Error) -> String { ioReason(error) }

    static func ioReason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch ns.code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return String(cString: strerror(ENOENT))
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return String(cString: strerror(EACCES))
        case NSFileWriteOutOfSpaceError: return String(cString: strerror(ENOSPC))
        case NSFileWriteVolumeReadOnlyError: return String(cString: strerror(EROFS))
        case NSFileWriteFileExistsError: return String(cString: strerror(EEXIST))
        default: return ns.localizedDescription
        }
    }

    /// Writes `file` as `<folder>/<model>-<version>.json`, atomically, never
    /// replacing an existing file. Returns the path written.
    ///
    /// With `nextFreeVersion` (a month, `YYYY-MM`), a version taken by a
    /// concurrent writer is not an error: the next free `YYYY-MM.N` is used.
    /// Temporary files that an earlier writer left behind (killed between the
    /// write and the link) are removed first.
    @discardableResult
    public static func write(_ file: WeightsFile, to folder: URL, nextFreeVersion month: String? = nil) throws(WeightsError) -> URL {
        var file = file
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw WeightsError("\(folder.path): cannot create the folder (\(ioReason(error)))")
        }
        removeStaleTemporaries(in: folder)
        for _ in 0..<1000 {
            let target = folder.appendingPathComponent(fileName(model: file.model, version: file.version))
            let outcome: PublishError?
            do throws(PublishError) {
                try publish(file, at: target, folder: folder)
                outcome = nil
            } catch {
                outcome = error
            }
            switch outcome {
            case nil:
                return target
            case .exists?:
                guard let month else { throw WeightsError("\(target.path) exists: versions are immutable (pass another --version)") }
                file.version = nextVersion(in: folder, model: file.model, month: month, after: file.version)
            case let .failed(e)?:
                throw e
            }
        }
        throw WeightsError("\(folder.path): no free version found")
    }

    /// A fault injection point for tests: when set, a write fails right after
    /// the temporary file is written and before it is published (as a full disk
    /// or a failing `fsync` would). Task-local, so a test that sets it (with
    /// `$failBeforePublishing.withValue(true)`) fails only its own writes.
    @TaskLocal package static var failBeforePublishing = false

    private enum PublishError: Error {
        case exists
        case failed(WeightsError)
    }

    private static func publish(_ file: WeightsFile, at target: URL, folder: URL) throws(PublishError) {
        if FileManager.default.fileExists(atPath: target.path) { throw .exists }
        let bytes: Data
        do { bytes = try encode(file) } catch { throw .failed(error) }
        let temp = folder.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .failed(WeightsError("\(folder.path): cannot write in this folder (\(String(cString: strerror(errno))))")) }
        var ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let reason = failBeforePublishing ? ENOSPC : errno
        ok = ok && !failBeforePublishing && fsync(fd) == 0
        close(fd)
        defer { unlink(temp.path) }
        guard ok else { throw .failed(WeightsError("\(target.path): write failed (\(String(cString: strerror(reason))))")) }
        if link(temp.path, target.path) != 0 {
            if errno == EEXIST { throw .exists }
            throw .failed(WeightsError("\(target.path): \(String(cString: strerror(errno)))"))
        }
        let dir = open(folder.path, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    /// Removes `.<name>.<pid>.<random>.tmp` files whose writing process is gone.
    static func removeStaleTemporaries(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".json.") {
            let parts = name.split(separator: ".")
            guard parts.count >= 4, let pid = Int32(parts[parts.count - 3]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder.appendingPathComponent(name).path)
            }
        }
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
    /// `YYYY-MM.N` with N one more than the highest N already in the folder
    /// for that month (and than `after`'s, when given). Files that do not load
    /// still hold their name.
    public static func nextVersion(in folder: URL, model: String, month: String, after: String? = nil) -> String {
        let prefix = "\(model)-\(month)."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var taken = names.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), name.hasSuffix(".json") else { return nil }
            return Int(name.dropFirst(prefix.count).dropLast(5))
        }
        if let after, after.hasPrefix(month + "."), let n = Int(after.dropFirst(month.count + 1)) { taken.append(n) }
        return "\(month).\((taken.max() ?? 0) + 1)"
    }
}
