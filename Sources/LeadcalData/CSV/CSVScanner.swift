import Foundation

/// A field of a CSV record: a byte range inside the scanned buffer.
///
/// `start..<end` excludes the surrounding quotes of a quoted field. When
/// `hasEscapedQuote` is set the range still holds doubled quotes (`""`); call
/// ``CSVRecordScanner/string(_:)`` to get the unescaped text.
struct CSVField {
    var start: Int
    var end: Int
    var quoted: Bool
    var hasEscapedQuote: Bool

    var count: Int { end - start }
}

/// The fields of the current record: reusable storage that appends without
/// the uniqueness checks of an `Array`.
final class CSVFields {
    private var storage: UnsafeMutablePointer<CSVField>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }
    deinit { storage.deallocate() }

    @inline(__always) subscript(i: Int) -> CSVField { storage[i] }
    var last: CSVField? { count > 0 ? storage[count - 1] : nil }

    @inline(__always) func removeAll() { count = 0 }

    @inline(__always) func append(_ f: CSVField) {
        if count == capacity { grow() }
        storage[count] = f
        count += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    func map<T>(_ f: (CSVField) -> T) -> [T] { (0..<count).map { f(storage[$0]) } }
}

/// An RFC 4180 record tokenizer over a byte buffer that holds whole records.
///
/// It allocates nothing per record: the caller passes reusable ``CSVFields``.
/// It tracks the physical line (relative to the buffer's first line) and the
/// offset of the current line's first byte, so that any field can be located
/// as `line:column` without a second pass. Cost: one pass over the bytes.
struct CSVRecordScanner {
    let base: UnsafePointer<UInt8>
    private(set) var position: Int
    let end: Int
    /// 0-based line of `position`, relative to the buffer start.
    private(set) var line = 0
    /// Offset of the first byte of the line holding `position`.
    private(set) var lineStart = 0
    /// Line and line start of the record returned last.
    private(set) var recordLine = 0
    private(set) var recordLineStart = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        position = 0
        end = buffer.count
    }

    /// Reads the next non-blank record into `fields` (cleared first).
    /// Returns false at the end of the buffer.
    mutating func next(into fields: CSVFields) throws(FieldError) -> Bool {
        while position < end {
            fields.removeAll()
            recordLine = line
            recordLineStart = lineStart
            try readRecord(into: fields)
            // A blank line (only "\n" or "\r\n") is one empty unquoted field: skip it.
            if fields.count == 1, fields[0].count == 0, !fields[0].quoted { continue }
            return true
        }
        return false
    }

    private mutating func newline(at offset: Int) {
        line += 1
        lineStart = offset + 1
    }

    private mutating func readRecord(into fields: CSVFields) throws(FieldError) {
        var p = position
        while true {
            if p < end && base[p] == UInt8(ascii: "\"") {
                // Quoted field.
                let open = p
                p += 1
                let start = p
                var escaped = false
                while true {
                    guard p < end else {
                        throw FieldError(
                            line: recordLine, column: column(of: open, lineStart: recordLineStart),
                            message: "unterminated quoted field (no closing \")")
                    }
                    let c = base[p]
                    if c == UInt8(ascii: "\"") {
                        if p + 1 < end && base[p + 1] == UInt8(ascii: "\"") {
                            escaped = true
                            p += 2
                            continue
                        }
                        break
                    }
                    if c == UInt8(ascii: "\n") { newline(at: p) }
                    p += 1
                }
                fields.append(CSVField(start: start, end: p, quoted: true, hasEscapedQuote: escaped))
                p += 1  // closing quote
                if p < end && base[p] == UInt8(ascii: "\r") && p + 1 < end && base[p + 1] == UInt8(ascii: "\n") {
                    p += 1
                }
                if p >= end { position = p; return }
                let c = base[p]
                if c == UInt8(ascii: ",") { p += 1; continue }
                if c == UInt8(ascii: "\n") { newline(at: p); position = p + 1; return }
                throw FieldError(
                    line: line, column: column(of: p, lineStart: lineStart),
                    message: "expected a comma or a line end after a closing quote")
            } else {
                let start = p
                p = Self.nextDelimiter(base, from: p, end: end)
                var fieldEnd = p
                if fieldEnd > start && base[fieldEnd - 1] == UInt8(ascii: "\r") && (p == end || base[p] == UInt8(ascii: "\n")) {
                    fieldEnd -= 1
                }
                fields.append(CSVField(start: start, end: fieldEnd, quoted: false, hasEscapedQuote: false))
                if p >= end { position = p; return }
                if base[p] == UInt8(ascii: ",") { p += 1; continue }
                newline(at: p)
                position = p + 1
                return
            }
        }
    }

    /// The first offset >= `from` holding a comma or a newline, or `end`.
    /// Eight bytes at a time (SWAR: a byte equal to c makes `x ^ c` zero, and
    /// `(v - 0x01..) & ~v & 0x80..` flags zero bytes).
    @inline(__always)
    static func nextDelimiter(_ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        var p = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while p + 8 <= end {
            let w = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
            let comma = w ^ (ones &* 0x2C)
            let newline = w ^ (ones &* 0x0A)
            let hits = ((comma &- ones) & ~comma | (newline &- ones) & ~newline) & highs
            if hits != 0 { return p + hits.trailingZeroBitCount / 8 }
            p += 8
        }
        while p < end {
            let c = base[p]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") { return p }
            p += 1
        }
        return end
    }

    /// 1-based character column of `offset` on the line starting at `lineStart`.
    func column(of offset: Int, lineStart: Int) -> Int {
        var n = 1
        var i = lineStart
        while i < offset {
            if base[i] & 0xC0 != 0x80 { n += 1 }  // count UTF-8 lead bytes only
            i += 1
        }
        return n
    }

    /// An error located at `field` of the record returned last.
    func error(at field: CSVField, _ message: String) -> FieldError {
        error(at: field, record: (recordLine, recordLineStart), message)
    }

    /// An error located at `field` of an earlier record, read at `record` (its ``recordLine`` and line start).
    func error(at field: CSVField, record: (line: Int, lineStart: Int), _ message: String) -> FieldError {
        let offset = field.quoted ? field.start - 1 : field.start
        // A quoted field may start on a later line than its record only if an
        // earlier field spanned lines; find the field's own line.
        var line = record.line
        var ls = record.lineStart
        var i = record.lineStart
        while i < offset {
            if base[i] == UInt8(ascii: "\n") { line += 1; ls = i + 1 }
            i += 1
        }
        return FieldError(line: line, column: column(of: offset, lineStart: ls), message: message)
    }

    /// The field's text, unescaped.
    func string(_ field: CSVField) -> String {
        let raw = UnsafeBufferPointer(start: base + field.start, count: field.count)
        let s = String(decoding: raw, as: UTF8.self)
        return field.hasEscapedQuote ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    /// The field's raw bytes: for a quoted field holding doubled quotes, still doubled
    /// (use ``withBytes(_:scratch:_:)`` wherever the text itself matters).
    func bytes(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + field.start, count: field.count)
    }

    /// Calls `body` with the field's text as bytes, RFC 4180 unescaped (`""`
    /// inside a quoted field is one `"`). Allocates nothing unless the field
    /// holds doubled quotes; then `scratch` receives the unescaped copy.
    @inline(__always)
    func withBytes<R, E: Error>(_ field: CSVField, scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let raw = bytes(field)
        guard field.hasEscapedQuote else { return try body(raw) }
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < raw.count {
            scratch.append(raw[i])
            i += raw[i] == UInt8(ascii: "\"") && i + 1 < raw.count && raw[i + 1] == UInt8(ascii: "\"") ? 2 : 1
        }
        return try scratch.withUnsafeBufferPointer { (b) throws(E) -> R in try body(b) }
    }
}
