import Foundation

/// A strict JSON reader (RFC 8259) over the bytes of a request body, read
/// straight into the request's fields: no intermediate tree, no recursion
/// (a request nests two levels at most, so no input can exhaust the stack),
/// and every error names the field where it happened. Cost: one pass over
/// the bytes; a `String` per string value.
struct JSONReader {
    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    enum Scalar {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null

        var kind: String {
            switch self {
            case .string: return "a string"
            case .number: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            }
        }
    }

    private func fail(_ path: String, _ message: String) -> RequestError {
        RequestError(400, path.isEmpty ? message : "\(path): \(message)")
    }

    private var malformed: RequestError { RequestError(400, "malformed JSON (at byte \(i))") }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    var atEnd: Bool { mutating get { skipSpace(); return i >= bytes.count } }

    /// The kind of the next value, without consuming it.
    mutating func peekKind() -> String {
        skipSpace()
        guard i < bytes.count else { return "nothing" }
        switch bytes[i] {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "a number"
        }
    }

    mutating func consume(_ c: UInt8) -> Bool {
        skipSpace()
        if i < bytes.count && bytes[i] == c { i += 1; return true }
        return false
    }

    mutating func expect(_ c: UInt8) throws(RequestError) {
        guard consume(c) else { throw malformed }
    }

    /// Iterates the members of an object; `body` reads each value (and must consume it).
    mutating func object(at path: String, _ body: (inout JSONReader, String) throws(RequestError) -> Void) throws(RequestError) {
        guard consume(UInt8(ascii: "{")) else { throw fail(path, "expected an object, found \(peekKind())") }
        if consume(UInt8(ascii: "}")) { return }
        var seen = Set<String>()
        repeat {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw malformed }
            let key = try string()
            if !seen.insert(key).inserted { throw fail(path.isEmpty ? key : "\(path).\(key)", "given twice") }
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Iterates the elements of an array; `body` reads each (and must consume it).
    mutating func array(at path: String, _ body: (inout JSONReader, Int) throws(RequestError) -> Void) throws(RequestError) {
        guard consume(UInt8(ascii: "[")) else { throw fail(path, "expected an array, found \(peekKind())") }
        if consume(UInt8(ascii: "]")) { return }
        var k = 0
        repeat {
            try body(&self, k)
            k += 1
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// A string, a number, a boolean or null; an object or an array is an error at `path`.
    mutating func scalar(at path: String) throws(RequestError) -> Scalar {
        skipSpace()
        guard i < bytes.count else { throw malformed }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw fail(path, "expected a string or a number, found \(peekKind())")
        default: return .number(try number())
        }
    }

    mutating func string(at path: String) throws(RequestError) -> String {
        switch try scalar(at: path) {
        case let .string(s): return s
        case let other: throw fail(path, "expected a string, found \(other.kind)")
        }
    }

    mutating func optionalNumber(at path: String) throws(RequestError) -> Double? {
        switch try scalar(at: path) {
        case let .number(v): return v
        case .null: return nil
        case let other: throw fail(path, "expected a number, found \(other.kind)")
        }
    }

    private mutating func literal(_ word: StaticString) throws(RequestError) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count else { throw malformed }
        for k in 0..<w.count where bytes[i + k] != w[k] { throw malformed }
        i += w.count
    }

    /// A JSON number (no leading zeros, no `+`, no `nan`), as the nearest double.
    private mutating func number() throws(RequestError) -> Double {
        let start = i
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - s
        }
        guard i < bytes.count else { throw malformed }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw malformed }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw malformed }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { throw malformed }
        }
        guard let v = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw malformed }
        return v
    }

    /// A JSON string: escapes decoded (surrogate pairs joined), UTF-8 checked.
    private mutating func string() throws(RequestError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw malformed }
        i += 1
        let start = i
        // Fast path: no escape.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        guard i < bytes.count else { throw malformed }
        if bytes[i] == UInt8(ascii: "\"") {
            guard let s = String(validating: bytes[start..<i], as: UTF8.self) else { throw RequestError(400, "a string that is not valid UTF-8") }
            i += 1
            return s
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw malformed }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw malformed }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw malformed }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { throw malformed }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw malformed }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw malformed
                }
                out.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
            default: throw malformed
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw RequestError(400, "a string that is not valid UTF-8") }
        return s
    }

    private mutating func hex4() throws(RequestError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw malformed }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw malformed
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
