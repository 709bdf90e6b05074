import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SHA-256 of a file, computed on a thread of its own while the caller
/// does other work (the loader starts it before reading the small files, so
/// the otherwise idle core hashes the large one).
final class FileDigest: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var hex: String? = nil

    /// Starts hashing `url` in the background.
    init(url: URL) {
        let path = url.path
        Thread.detachNewThread { [self] in
            self.hex = Self.sha256(path: path)
            self.done.signal()
        }
    }

    /// The digest (hex), waiting for it if needed; nil if the file could not be read.
    func wait() -> String? {
        done.wait()
        done.signal()
        return hex
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
