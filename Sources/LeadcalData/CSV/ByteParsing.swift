import Foundation

/// Index of the first byte of `bytes` that starts an invalid UTF-8 sequence
/// or is a NUL (which no text holds: the file is binary or corrupt), or nil.
/// ASCII runs without NUL are checked eight bytes at a time. Cost: one pass.
/// What is wrong at a byte `firstInvalidUTF8` returned.
func invalidTextMessage(_ byte: UInt8) -> String {
    byte == 0 ? "a NUL byte (the file is binary or corrupt, not UTF-8 text)" : "bytes that are not valid UTF-8 (save the file as UTF-8)"
}

func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let p = bytes.baseAddress else { return nil }
    let n = bytes.count
    var i = 0
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    while i < n {
        // Fast path: 8 ASCII bytes at once (no high bit set, no zero byte).
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if word & highs != 0 || (word &- ones) & ~word & highs != 0 { break }
            i += 8
        }
        guard i < n else { return nil }
        let c = p[i]
        if c == 0 { return i }
        if c < 0x80 { i += 1; continue }
        let length: Int
        var minimum: UInt32
        var scalar: UInt32
        switch c {
        case 0xC2...0xDF: length = 2; scalar = UInt32(c & 0x1F); minimum = 0x80
        case 0xE0...0xEF: length = 3; scalar = UInt32(c & 0x0F); minimum = 0x800
        case 0xF0...0xF4: length = 4; scalar = UInt32(c & 0x07); minimum = 0x10000
        default: return i
        }
        guard i + length <= n else { return i }
        for k in 1..<length {
            let b = p[i + k]
            if b & 0xC0 != 0x80 { return i }
            scalar = scalar << 6 | UInt32(b & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
        i += length
    }
    return nil
}

private let exactPowersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

/// Parses a decimal number (`12`, `-3.5`, `1e-3`, surrounding spaces allowed).
/// Returns nil for anything else, including `nan` and `inf`: the data contract
/// only admits finite numbers.
///
/// Plain decimals with at most 15 significant digits take an exact fast path
/// (an integer mantissa divided by an exact power of ten is correctly rounded);
/// anything else goes through `strtod`.
func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var lo = 0
    var hi = bytes.count
    while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
    while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
    guard lo < hi else { return nil }
    var i = lo
    var negative = false
    if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
        negative = bytes[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var fraction = 0
    var seenDot = false
    var simple = true
    var sawDigit = false
    while i < hi {
        let c = bytes[i]
        if c >= 0x30 && c <= 0x39 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(c - 0x30) }
            if mantissa != 0 || seenDot { digits += 1 }
            if seenDot { fraction += 1 }
        } else if c == UInt8(ascii: ".") && !seenDot {
            seenDot = true
        } else {
            simple = false
            break
        }
        i += 1
    }
    if simple {
        guard sawDigit else { return nil }
        if digits <= 15 && fraction <= 22 {
            let v = Double(mantissa) / exactPowersOfTen[fraction]
            return negative ? -v : v
        }
    }
    // General path: strtod on a NUL-terminated copy, which must consume everything.
    let count = hi - lo
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { tmp -> Double? in
        for k in 0..<count { tmp[k] = CChar(bitPattern: bytes[lo + k]) }
        tmp[count] = 0
        // Reject hex floats, "inf", "nan" and the like before strtod sees them.
        for k in 0..<count {
            let c = UInt8(bitPattern: tmp[k])
            let ok = (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e")
                || c == UInt8(ascii: "E") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            if !ok { return nil }
        }
        var endPointer: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(tmp.baseAddress!, &endPointer)
        guard endPointer == tmp.baseAddress! + count, v.isFinite else { return nil }
        return v
    }
}
