import Foundation
import LeadcalModel

/// Where a command may write, checked before any work is done.
///
/// No command replaces its own inputs, a weights file or an existing
/// dataset. An output that exists is replaced only with `--force`, and only
/// when it is what the same command wrote before (a scores CSV, a report);
/// a weights file is never replaced, `--force` or not.
enum OutputPath {
    /// The path with symbolic links and `..` resolved (for a file that does
    /// not exist yet: its folder resolved, then its name).
    static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if FileManager.default.fileExists(atPath: url.path) { return url.resolvingSymlinksInPath().path }
        return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
    }

    /// Whether the file at `path` is a leadcal weights file (by its content, whatever its name).
    static func isWeightsFile(_ path: String) -> Bool {
        head(path, bytes: 1 << 16).contains("\"\(WeightsFile.formatIdentifier)\"")
    }

    /// The first `bytes` bytes of the file at `path` as text ("" when it cannot
    /// be read): enough to recognise a previous output without reading a
    /// 60 MB scores file whole.
    static func head(_ path: String, bytes: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        return String(decoding: (try? handle.read(upToCount: bytes)) ?? Data(), as: UTF8.self)
    }

    /// The input files of a dataset folder.
    static func datasetFiles(_ directory: String) -> [String] {
        ["leads.csv", "signals.csv", "outcomes.csv", "model.yaml"].map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }

    /// Checks that a file may be written at `path`. `inputs` are the files the
    /// command reads; `previous(path)` says whether an existing file is a
    /// previous output of the same command (then `force` replaces it).
    static func checkFile(
        _ path: String, option: String, inputs: [String], force: Bool, previous: (String) -> Bool = { _ in true }
    ) throws(CLIError) {
        let target = canonical(path)
        if inputs.map(canonical).contains(target) {
            throw CLIError("\(option) \(path) is one of this command's inputs: refusing to replace it")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue { throw CLIError("\(option) \(path) is a folder: give a file name") }
        if isWeightsFile(target) { throw CLIError("\(option) \(path) is a weights file: versions are never replaced") }
        if !force { throw CLIError("\(option) \(path) exists: pass --force to replace it") }
        if !previous(target) { throw CLIError("\(option) \(path) exists and is not an output of this command: refusing to replace it") }
    }

    /// Checks that a folder may be (re)written at `path`: with `force`, an
    /// existing one must be a previous output (`previous`), and may not hold any input.
    static func checkFolder(
        _ path: String, option: String, inputs: [String], force: Bool, previous: (String) -> Bool
    ) throws(CLIError) {
        let target = canonical(path)
        for input in inputs.map(canonical) where input == target || input.hasPrefix(target + "/") {
            throw CLIError("\(option) \(path) holds this command's input \(input): refusing to replace it")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw CLIError("\(option) \(path) is a file, not a folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
        if entries.isEmpty { return }
        if entries.contains(where: { $0.hasSuffix(".json") && isWeightsFile(URL(fileURLWithPath: target).appendingPathComponent($0).path) }) {
            throw CLIError("\(option) \(path) holds weights files: versions are never replaced")
        }
        if !force { throw CLIError("\(option) \(path) exists and is not empty: pass --force to replace it") }
        if !previous(target) { throw CLIError("\(option) \(path) exists and is not an output of this command: refusing to replace it") }
    }
}

/// Writes `data` to `url` atomically (a temporary file beside it, renamed into
/// place): a failure leaves the old file, or nothing. Errors say why in words.
func writeAtomically(_ data: Data, to url: URL) throws(CLIError) {
    do { try data.write(to: url, options: .atomic) } catch {
        throw CLIError("\(url.path): cannot write (\(WeightsStore.ioReasonText(error)))")
    }
}

/// Writes `chunks`, one after another, to `url` atomically: into a new
/// temporary file beside it (`.<name>.<random>.tmp`), renamed into place
/// once complete. A failure removes the temporary file and leaves the old
/// file, or nothing. Cost: one `write(2)` per chunk (more if the kernel
/// takes less), no copy of the bytes.
func writeAtomically(chunks: [[UInt8]], to url: URL) throws(CLIError) {
    let folder = url.deletingLastPathComponent()
    let temp = folder.appendingPathComponent(".\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max) >> 16).tmp")
    let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw CLIError("\(url.path): cannot write (\(String(cString: strerror(errno))))") }
    func fail(_ code: Int32) -> CLIError {
        close(fd)
        unlink(temp.path)
        return CLIError("\(url.path): cannot write (\(String(cString: strerror(code))))")
    }
    for chunk in chunks {
        let error: Int32? = chunk.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let error { throw fail(error) }
    }
    guard close(fd) == 0 else {
        let code = errno
        unlink(temp.path)
        throw CLIError("\(url.path): cannot write (\(String(cString: strerror(code))))")
    }
    guard rename(temp.path, url.path) == 0 else {
        let code = errno
        unlink(temp.path)
        throw CLIError("\(url.path): cannot write (\(String(cString: strerror(code))))")
    }
}
