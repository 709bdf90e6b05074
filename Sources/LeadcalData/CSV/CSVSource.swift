import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV file of the data contract, read in large blocks of whole records and
/// scanned on every core.
///
/// The file is never held whole in memory: it is read `blockSize` bytes at a
/// time (the tail of an incomplete record carries over), each block is cut at
/// record boundaries into one part per core (quote-aware, so a quoted field
/// holding a newline is never split), and the parts are scanned concurrently.
/// Each part yields a partial result; partials come back in file order.
/// While the cores scan a block, another thread reads the next one into a
/// second buffer (``Prefetch``), so `read(2)`'s copy does not leave the cores
/// idle between blocks.
/// Cost: one read and one scan of every byte, plus one quote count per cut.
final class CSVSource {
    /// The name used in messages (for example `signals.csv`).
    let name: String
    /// Column names of the header row, trimmed, BOM removed.
    private(set) var header: [String]

    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// The second buffer, which a ``Prefetch`` fills while `buffer` is scanned.
    private var spare: UnsafeMutableRawBufferPointer?
    /// The read of the next bytes of the file under way, if any.
    private var prefetch: Prefetch?
    private var filled = 0       // bytes of `buffer` that hold data
    private var consumed = 0     // bytes of `buffer` already handed out
    private var eof = false
    private var nextLine = 0     // 0-based line of the first unconsumed byte
    private var blockCapacity: Int
    /// SHA-256 of every byte handed out so far (the whole file once scanned).
    private let hasher = Hasher()

    /// The SHA-256 of the file, hex; valid once the file has been scanned to its end.
    var sha256: String { hasher.hex() }

    final class Hasher: @unchecked Sendable {
        private var state = Crypto.SHA256()
        func update(_ bytes: UnsafeRawBufferPointer) { state.update(bufferPointer: bytes) }
        func hex() -> String { state.finalize().map { String(format: "%02x", $0) }.joined() }
    }

    /// The file's size in bytes when known (a regular file), else nil.
    private(set) var fileSize: Int?

    /// Whether ``sha256`` is computed from the blocks as they are read.
    private let hashing: Bool

    /// Opens `url`, reads and checks its header.
    /// - Parameter hashing: compute ``sha256`` from the blocks read (off when the caller hashes the file itself).
    init(url: URL, name: String, blockSize: Int = 32 << 20, hashing: Bool = true) throws(DataError) {
        self.hashing = hashing
        self.name = name
        self.blockCapacity = blockSize
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw DataError(file: url.path, line: 0, column: 0, message: "cannot open (\(String(cString: strerror(errno))))")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw DataError(file: url.path, line: 0, column: 0, message: "is a folder, not a CSV file")
        }
        self.fd = fd
        // A small file needs no 32 MiB block (a record longer than the block still grows it).
        if info.st_mode & S_IFMT == S_IFREG && info.st_size >= 0 {
            fileSize = Int(info.st_size)
            if Int(info.st_size) < blockSize { blockCapacity = max(Int(info.st_size), 1 << 12) }
        }
        buffer = .allocate(byteCount: blockCapacity + 1, alignment: 64)
        header = []
        try fill()
        // Skip a UTF-8 byte order mark.
        if filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { consumed = 3 }
        // Read the header record.
        let headerEnd = try firstBoundary()
        // A file whose lines end with CR alone (classic Mac OS) reads as one line: say so.
        if headerEnd == filled, eof, let cr = memchr(base + consumed, 0x0D, filled - consumed) {
            let at = base.distance(to: cr.assumingMemoryBound(to: UInt8.self))
            if at + 1 < filled && base[at + 1] != 0x0A {
                throw DataError(
                    file: name, line: 1, column: columnOf(at - consumed, in: UnsafeBufferPointer(start: base + consumed, count: filled - consumed)),
                    message: "lines end with a carriage return alone (classic Mac OS): save the file with LF or CRLF line ends")
            }
        }
        let bytes = UnsafeBufferPointer(start: base + consumed, count: headerEnd - consumed)
        if let bad = firstInvalidUTF8(bytes) {
            throw locate(FieldError(line: 0, column: columnOf(bad, in: bytes), message: invalidTextMessage(bytes[bad])), baseLine: 0)
        }
        var scanner = CSVRecordScanner(bytes)
        let fields = CSVFields()
        do throws(FieldError) {
            guard try scanner.next(into: fields) else {
                throw FieldError(line: 0, column: 1, message: "empty file: expected a header row")
            }
        } catch { throw locate(error, baseLine: 0) }
        header = fields.map { scanner.string($0).trimmingCharacters(in: .whitespaces) }
        // The data contract: a column named twice is an error (which one would count?).
        var seen: [String: Int] = [:]
        for (i, column) in header.enumerated() where !column.isEmpty {
            if let first = seen[column] {
                let where_ = scanner.error(at: fields[i], "")
                throw DataError(
                    file: name, line: where_.line + 1, column: where_.column,
                    message: "column '\(column)' is named twice in the header (fields \(first + 1) and \(i + 1))")
            }
            seen[column] = i
        }
        nextLine = scanner.line
        if hashing { hasher.update(UnsafeRawBufferPointer(start: base, count: headerEnd)) }
        consumed = headerEnd
    }

    deinit {
        _ = prefetch?.wait()
        close(fd)
        buffer.deallocate()
        spare?.deallocate()
    }

    /// A read of the file's next bytes into the spare buffer, after room for
    /// the `tail` of the block being scanned, on a thread of its own:
    /// `read(2)` until `count` bytes or the end of the file.
    private final class Prefetch: @unchecked Sendable {
        let tail: Int, count: Int
        private let done = DispatchSemaphore(value: 0)
        private var result: (bytes: Int, error: Int32?) = (0, nil)

        init(fd: Int32, into buffer: UnsafeMutableRawPointer, tail: Int, count: Int) {
            self.tail = tail
            self.count = count
            let target = SendablePointer(buffer + tail)
            Thread.detachNewThread { [self] in
                var n = 0
                while n < count {
                    let r = read(fd, target.value + n, count - n)
                    if r < 0 {
                        if errno == EINTR { continue }
                        result = (n, errno)
                        break
                    }
                    if r == 0 { break }
                    n += r
                }
                if result.error == nil { result = (n, nil) }
                done.signal()
            }
        }

        /// Bytes read (the end of the file when fewer than asked), and the error that stopped it.
        func wait() -> (bytes: Int, error: Int32?) {
            done.wait()
            return result
        }
    }

    /// Starts reading, into the spare buffer after room for the current
    /// block's `tail` (the bytes after its last whole record), the bytes that
    /// follow in the file; ``fill()`` takes them over.
    private func startPrefetch(tail: Int) {
        guard !eof, prefetch == nil else { return }
        if let s = spare, s.count != buffer.count { s.deallocate(); spare = nil }
        if spare == nil { spare = .allocate(byteCount: buffer.count, alignment: 64) }
        prefetch = Prefetch(fd: fd, into: spare!.baseAddress!, tail: tail, count: blockCapacity - tail)
    }

    private var base: UnsafeMutablePointer<UInt8> { buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) }

    /// About how many records follow the header: the lines of the block read
    /// so far, scaled to the file's size when it holds more than one block
    /// (a quoted field's newlines count too, so the estimate errs high).
    /// Cost: one `memchr` pass over the block.
    func estimatedRecords() -> Int {
        var lines = 0, p = consumed
        while p < filled, let nl = memchr(base + p, Int32(UInt8(ascii: "\n")), filled - p) {
            lines += 1
            p = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
        }
        guard !eof, let size = fileSize, filled > consumed else { return lines }
        return Int(Double(lines) * Double(size) / Double(filled - consumed)) + 1
    }

    /// Index of each column in `required`, or an error at the header naming the missing one.
    func columns(required: [String]) throws(DataError) -> [Int] {
        var result: [Int] = []
        for name in required {
            guard let i = header.firstIndex(of: name) else {
                throw DataError(
                    file: self.name, line: 1, column: 1,
                    message: "missing required column '\(name)' (header has: \(header.joined(separator: ", ")))")
            }
            result.append(i)
        }
        return result
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Converts a part-relative error into a located `DataError`.
    func locate(_ e: FieldError, baseLine: Int) -> DataError {
        DataError(file: name, line: baseLine + e.line + 1, column: e.column, message: e.message)
    }

    /// Moves unconsumed bytes to the front and reads until the buffer is full
    /// or the file ends; bytes a ``Prefetch`` read come first, in the spare
    /// buffer, which becomes the buffer.
    private func fill() throws(DataError) {
        if let pending = prefetch {
            prefetch = nil
            let (n, error) = pending.wait()
            let rest = filled - consumed
            precondition(rest == pending.tail, "the read-ahead left room for \(pending.tail) bytes, not \(rest)")
            let next = spare!
            if rest > 0 { memcpy(next.baseAddress!, buffer.baseAddress! + consumed, rest) }
            spare = buffer
            buffer = next
            filled = rest + n
            consumed = 0
            if let error {
                throw DataError(file: name, line: nextLine + 1, column: 1, message: "read error (\(String(cString: strerror(error))))")
            }
            if n < pending.count { eof = true }
        }
        if consumed > 0 {
            let rest = filled - consumed
            if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + consumed, rest) }
            filled = rest
            consumed = 0
        }
        while !eof && filled < blockCapacity {
            let n = read(fd, buffer.baseAddress! + filled, blockCapacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(file: name, line: nextLine + 1, column: 1, message: "read error (\(String(cString: strerror(errno))))")
            }
            if n == 0 { eof = true; break }
            filled += n
        }
    }

    /// Doubles the buffer (a single record longer than a block).
    private func grow() {
        blockCapacity *= 2
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: blockCapacity + 1, alignment: 64)
        bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
        buffer.deallocate()
        buffer = bigger
    }

    /// Quote parity of `[from, to)`: true when an odd number of quotes lies there.
    /// Cost: one ``quoteCount(_:_:_:)`` pass over the bytes, on every core
    /// for a long range (where a block ends: the cores wait for it).
    private func oddQuotes(_ from: Int, _ to: Int) -> Bool {
        let pieces = to - from >= 1 << 20 ? Self.maxParallelParts : 1
        guard pieces > 1 else { return Self.quoteCount(UnsafePointer(base), from, to) & 1 == 1 }
        let counts = SendableSlots<Int>(count: pieces)
        let bytes = SendablePointer(UnsafePointer(base))
        parallelFor(pieces) { k in
            counts[k] = Self.quoteCount(bytes.value, from + (to - from) * k / pieces, from + (to - from) * (k + 1) / pieces)
        }
        return counts.values().reduce(0, +) & 1 == 1
    }

    /// The number of `"` bytes in `base[from..<to]`.
    ///
    /// Sixteen bytes at a time: a vector compare whose all-ones lanes are
    /// subtracted into byte counters, widened every 255 steps. Quotes are
    /// common in real exports (a quoted campaign name every few rows), so
    /// this runs at the speed of reading the bytes whatever their number,
    /// where a `memchr` per quote costs a call each. It runs on the reading
    /// thread once per block (where the block ends) and once per cut, so
    /// its speed bounds the cores' idle time between blocks.
    /// Cost: O(to − from), about one vector instruction per 16 bytes.
    static func quoteCount(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var p = from, total = 0
        let quote = SIMD16<UInt8>(repeating: UInt8(ascii: "\""))
        while to - p >= 16 {
            var lanes = SIMD16<UInt8>()
            let stop = p + min((to - p) / 16, 255) * 16
            while p < stop {
                let v = UnsafeRawPointer(base + p).loadUnaligned(as: SIMD16<UInt8>.self)
                // A true lane is all ones (255): subtracting it adds one.
                lanes &-= unsafeBitCast(v .== quote, to: SIMD16<UInt8>.self)
                p += 16
            }
            let wide = SIMD16<UInt16>(truncatingIfNeeded: lanes)
            total += Int(wide.wrappedSum())
        }
        while p < to {
            if base[p] == UInt8(ascii: "\"") { total += 1 }
            p += 1
        }
        return total
    }

    /// The end (one past its newline) of the first complete record starting at
    /// `consumed`, reading more of the file when the block holds none.
    private func firstBoundary() throws(DataError) -> Int {
        while true {
            var odd = false
            var p = consumed
            while p < filled {
                guard let nl = memchr(base + p, Int32(UInt8(ascii: "\n")), filled - p) else { break }
                let stop = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                if oddQuotes(p, stop) { odd.toggle() }
                if !odd { return stop + 1 }
                p = stop + 1
            }
            if eof { return filled }
            if consumed == 0 && filled >= blockCapacity { grow() }
            try fill()
        }
    }

    /// The next block of whole records, `[start, end)` in the buffer, or nil at
    /// the end of the file. The previous block is released.
    private func nextBlock() throws(DataError) -> (start: Int, end: Int)? {
        while consumed >= filled {
            if eof { return nil }
            try fill()
            if filled == 0 && eof { return nil }
        }
        let blockEnd = eof ? filled : try lastBoundary()
        return (consumed, blockEnd)
    }

    /// Cuts `[start, end)` into about `parts` pieces at record boundaries
    /// (quote-aware). The last piece is smaller by ``hashShare`` of a share,
    /// because its task also hashes the whole block (the first task runs on
    /// the calling thread, which also reads the file).
    private func cut(_ start: Int, _ end: Int, parts: Int) -> [Int] {
        var cuts = [start]
        let length = Double(end - start)
        let share = hashing ? Self.hashShare : 0
        let total = Double(parts) - share
        var odd = false
        var scanned = start
        for k in 1..<max(parts, 1) {
            let target = start + Int(length * Double(k) / total)
            if target <= cuts.last! { continue }
            if oddQuotes(scanned, target) { odd.toggle() }
            var p = target
            var found: Int? = nil
            while p < end {
                guard let nl = memchr(base + p, Int32(UInt8(ascii: "\n")), end - p) else { break }
                let stop = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                if oddQuotes(p, stop) { odd.toggle() }
                p = stop + 1
                if !odd { found = p; break }
            }
            scanned = p
            guard let c = found, c < end else { break }
            cuts.append(c)
        }
        cuts.append(end)
        return cuts
    }

    /// Hashing a block costs about this share of parsing it (SHA-256 with the
    /// CPU's SHA extensions runs ~6× faster than the scanner).
    static let hashShare = 0.15

    /// Scans the rest of the file on every core. `body` is called once per part
    /// (concurrently for the parts of one block) with a scanner over that part's
    /// whole records and returns a partial result; `consume` receives the
    /// partials in file order with the 0-based file line of each part's first
    /// record, as soon as their block is done, so memory stays bounded by a
    /// block. The first error in file order is thrown, located in the file.
    /// `slot` (below ``CSVSource/maxParallelParts``) is unique among the parts
    /// running at once, so a body may reuse per-slot scratch memory.
    func scan<Partial: Sendable>(
        _ body: @Sendable (inout CSVRecordScanner, _ slot: Int) throws(FieldError) -> Partial,
        consume: (Partial, _ firstLine: Int) throws(DataError) -> Void
    ) throws(DataError) {
        while let (start, end) = try nextBlock() {
            let cuts = end - start < (1 << 20) ? [start, end] : cut(start, end, parts: Self.maxParallelParts)
            startPrefetch(tail: filled - end)
            let results = runParts(cuts: cuts, body: body, hashing: UnsafeRawBufferPointer(start: base + start, count: end - start))
            for r in results {
                switch r.outcome {
                case .success(let p): try consume(p, nextLine)
                case .failure(let e): throw locate(e, baseLine: nextLine)
                }
                nextLine += r.lines
            }
            consumed = end
        }
    }

    /// Like ``scan(_:consume:)``, but hands over all the partials of a block at
    /// once, in file order (for work on every core across the parts of a block).
    func scanBlocks<Partial: Sendable>(
        _ body: @Sendable (inout CSVRecordScanner, _ slot: Int) throws(FieldError) -> Partial,
        consume: ([Partial]) throws(DataError) -> Void
    ) throws(DataError) {
        while let (start, end) = try nextBlock() {
            let cuts = end - start < (1 << 20) ? [start, end] : cut(start, end, parts: Self.maxParallelParts)
            startPrefetch(tail: filled - end)
            let results = runParts(cuts: cuts, body: body, hashing: UnsafeRawBufferPointer(start: base + start, count: end - start))
            var partials: [Partial] = []
            for r in results {
                switch r.outcome {
                case .success(let p): partials.append(p)
                case .failure(let e): throw locate(e, baseLine: nextLine)
                }
                nextLine += r.lines
            }
            consumed = end
            try consume(partials)
        }
    }

    /// Scans the rest of the file on the calling thread: `body` is called once
    /// per block with a scanner over its whole records, and the 0-based file
    /// line of its first record.
    func scanSequentially(_ body: (inout CSVRecordScanner, _ firstLine: Int) throws(FieldError) -> Void) throws(DataError) {
        while let (start, end) = try nextBlock() {
            let bytes = UnsafeBufferPointer(start: base + start, count: end - start)
            if let bad = firstInvalidUTF8(bytes) { throw invalidUTF8(bad, in: bytes) }
            if hashing { hasher.update(UnsafeRawBufferPointer(bytes)) }
            var scanner = CSVRecordScanner(bytes)
            do { try body(&scanner, nextLine) } catch { throw locate(error, baseLine: nextLine) }
            nextLine += scanner.line
            consumed = end
        }
    }

    private func invalidUTF8(_ bad: Int, in bytes: UnsafeBufferPointer<UInt8>) -> DataError {
        var line = 0
        for i in 0..<bad where bytes[i] == UInt8(ascii: "\n") { line += 1 }
        return locate(FieldError(line: line, column: columnOf(bad, in: bytes), message: invalidTextMessage(bytes[bad])), baseLine: nextLine)
    }

    /// The end of the last complete record in the unconsumed bytes, reading more if none is complete.
    private func lastBoundary() throws(DataError) -> Int {
        while true {
            var p = filled
            while p > consumed {
                var stop = p - 1
                while stop >= consumed && base[stop] != UInt8(ascii: "\n") { stop -= 1 }
                if stop < consumed { break }
                if !oddQuotes(consumed, stop) { return stop + 1 }
                p = stop
            }
            // No complete record: make room and read more.
            if consumed == 0 && filled >= blockCapacity { grow() }
            try fill()
            if eof { return filled }
        }
    }

    private struct PartResult<P> {
        var outcome: Result<P, FieldError>
        var lines: Int
    }

    /// Parts scanned at once: one per core.
    static let maxParallelParts = max(1, ProcessInfo.processInfo.activeProcessorCount)

    private func runParts<P: Sendable>(
        cuts: [Int], body: @Sendable (inout CSVRecordScanner, Int) throws(FieldError) -> P, hashing block: UnsafeRawBufferPointer
    ) -> [PartResult<P>] {
        let n = cuts.count - 1
        let slots = SendableSlots<PartResult<P>>(count: n)
        let base = UnsafePointer(self.base)
        let pointer = SendablePointer(base)
        let hasher = self.hasher, hashing = self.hashing
        let hashed = SendablePointer(block)
        // The last part's task also hashes the block (its part is smaller for that).
        parallelFor(n) { k in
            if hashing && k == n - 1 { hasher.update(hashed.value) }
            let bytes = UnsafeBufferPointer(start: pointer.value + cuts[k], count: cuts[k + 1] - cuts[k])
            if let bad = firstInvalidUTF8(bytes) {
                var line = 0
                for i in 0..<bad where bytes[i] == UInt8(ascii: "\n") { line += 1 }
                let error = FieldError(line: line, column: columnOf(bad, in: bytes), message: invalidTextMessage(bytes[bad]))
                slots[k] = PartResult(outcome: .failure(error), lines: 0)
                return
            }
            var scanner = CSVRecordScanner(bytes)
            do throws(FieldError) {
                let p = try body(&scanner, k)
                slots[k] = PartResult(outcome: .success(p), lines: scanner.line)
            } catch {
                slots[k] = PartResult(outcome: .failure(error), lines: scanner.line)
            }
        }
        return slots.values()
    }
}

/// 1-based character column of byte `offset` in `bytes` (counted from the last newline before it).
func columnOf(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var n = 1
    var i = 0
    while i < offset && i < bytes.count {
        if bytes[i] == UInt8(ascii: "\n") { n = 1 } else if bytes[i] & 0xC0 != 0x80 { n += 1 }
        i += 1
    }
    return n
}
