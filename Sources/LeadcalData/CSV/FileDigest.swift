import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SHA-256 of a file, for the lineage of a weights file: computed only
/// when someone asks for it.
///
/// Most commands that load a dataset (inspect, evaluate, compare, backtest)
/// never write a weights file, and hashing the 916 MB `signals.csv` of a
/// 500,000-lead export costs about 0.5 s of a core, a tenth of the load's
/// CPU. So the digest is either computed on the first ``wait()``
/// (``Timing/onDemand``), or started at once on a thread of the lowest
/// priority (``Timing/background``, for `fit`), which runs on the cycles
/// the parse and the fit leave idle and is usually done by the time the
/// weights file is written. Cost: one sequential read of the file and
/// SHA-256 at 1.5–2 GB/s (SHA extensions where the CPU has them).
public final class FileDigest: @unchecked Sendable {
    /// When the digest is computed.
    public enum Timing: Sendable {
        /// On the first ``wait()``, by the caller.
        case onDemand
        /// At once, on a thread of the lowest priority (nice 19).
        case background
    }

    private let path: String
    private let lock = NSCondition()
    private var state: State

    private enum State {
        case pending, running, done(String?)
    }

    /// Prepares the digest of `url`, starting it now for `.background`.
    init(url: URL, timing: Timing) {
        path = url.path
        state = .pending
        guard timing == .background else { return }
        state = .running
        Thread.detachNewThread { [self] in
            Self.lowerPriority()
            let hex = Self.sha256(path: path)
            lock.lock()
            state = .done(hex)
            lock.broadcast()
            lock.unlock()
        }
    }

    /// The digest (hex), computing it or waiting for it if needed; nil if the file could not be read.
    func wait() -> String? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            switch state {
            case .done(let hex): return hex
            case .running: lock.wait()
            case .pending:
                state = .running
                lock.unlock()
                let hex = Self.sha256(path: path)
                lock.lock()
                state = .done(hex)
                lock.broadcast()
            }
        }
    }

    /// Nice 19 for the calling thread (Linux keeps the nice value per thread).
    private static func lowerPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
    }

    static func sha256(path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var state = Crypto.SHA256()
        while true {
            let n = read(fd, buffer, size)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            state.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: n))
        }
        return state.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
