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

/// An RFC 4180 record tokenizer over a byte buffer that holds whole records.
///
/// It allocates nothing per record: the caller passes a reusable field array.
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
    mutating func next(into fields: inout [CSVField]) throws(FieldError) -> Bool {
        while position < end {
            fields.removeAll(keepingCapacity: true)
            recordLine = line
            recordLineStart = lineStart
            try readRecord(into: &fields)
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

    private mutating func readRecord(into fields: inout [CSVField]) throws(FieldError) {
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
                while p < end {
                    let c = base[p]
                    if c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") { break }
                    p += 1
                }
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
        let offset = field.quoted ? field.start - 1 : field.start
        // A quoted field may start on a later line than its record only if an
        // earlier field spanned lines; find the field's own line.
        var line = recordLine
        var ls = recordLineStart
        var i = recordLineStart
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

    func bytes(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + field.start, count: field.count)
    }
}

import Foundation
