import Foundation

/// Index of the first byte of `bytes` that starts an invalid UTF-8 sequence, or nil.
/// ASCII runs are checked eight bytes at a time. Cost: one pass.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let p = bytes.baseAddress else { return nil }
    let n = bytes.count
    var i = 0
    while i < n {
        // Fast path: 8 ASCII bytes at once.
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        guard i < n else { return nil }
        let c = p[i]
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

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
@inlinable
public func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = m > 2 ? m - 3 : m + 9
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01 (Hinnant's civil_from_days).
@inlinable
public func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}

@inline(__always)
private func digit(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
    let c = b[i]
    return c >= 0x30 && c <= 0x39 ? Int(c - 0x30) : nil
}

@inline(__always)
private func number(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
    guard i + n <= b.count else { return nil }
    var v = 0
    for k in 0..<n {
        guard let d = digit(b, i + k) else { return nil }
        v = v * 10 + d
    }
    return v
}

/// Parses an ISO 8601 date (`2026-03-14`, midnight UTC) or date-time
/// (`2026-03-14T09:30`, `…:00`, `…:00.250`, then `Z`, `+02:00`, `+0200` or
/// nothing for UTC; a space may replace `T`) into seconds since 1970-01-01 UTC.
/// Returns nil for anything else, including impossible dates (`2026-02-30`).
public func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var lo = 0
    var hi = bytes.count
    while lo < hi && bytes[lo] == 0x20 { lo += 1 }
    while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
    let b = UnsafeBufferPointer(rebasing: bytes[lo..<hi])
    guard b.count >= 10, let y = number(b, 0, 4), b[4] == UInt8(ascii: "-"), let m = number(b, 5, 2),
        b[7] == UInt8(ascii: "-"), let d = number(b, 8, 2)
    else { return nil }
    guard (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
    let monthIndex = (y - 1970) * 12 + m - 1
    let days = monthIndex >= 0 && monthIndex < monthStarts.count ? monthStarts[monthIndex] + d - 1 : daysFromCivil(y, m, d)
    var seconds = Double(days * 86400)
    if b.count == 10 { return seconds }
    guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
        let hh = number(b, 11, 2), b.count > 13, b[13] == UInt8(ascii: ":"), let mm = number(b, 14, 2),
        hh <= 23, mm <= 59
    else { return nil }
    var i = 16
    var ss = 0.0
    if i < b.count && b[i] == UInt8(ascii: ":") {
        guard let s = number(b, i + 1, 2), s <= 60 else { return nil }
        ss = Double(s)
        i += 3
        if i < b.count && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, let dd = digit(b, i) {
                ss += Double(dd) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
    }
    seconds += Double(hh * 3600 + mm * 60) + ss
    if i == b.count { return seconds }
    let c = b[i]
    if (c == UInt8(ascii: "Z") || c == UInt8(ascii: "z")) && i + 1 == b.count { return seconds }
    guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-"), let oh = number(b, i + 1, 2), oh <= 23 else { return nil }
    var om = 0
    var j = i + 3
    if j < b.count {
        if b[j] == UInt8(ascii: ":") { j += 1 }
        guard let v = number(b, j, 2), v <= 59, j + 2 == b.count else { return nil }
        om = v
    }
    let offset = Double(oh * 3600 + om * 60)
    return c == UInt8(ascii: "+") ? seconds - offset : seconds + offset
}

/// Days from 1970-01-01 to the first of each month, 1970-01 … 2199-12.
private let monthStarts: [Int] = (0..<(230 * 12)).map { daysFromCivil(1970 + $0 / 12, $0 % 12 + 1, 1) }

func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// Formats seconds since the epoch as `YYYY-MM-DD` (UTC).
public func formatDate(_ seconds: Double) -> String {
    let (y, m, d) = civilFromDays(Int((seconds / 86400).rounded(.down)))
    return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
public func formatTimestamp(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded(.down))
    let day = Int((Double(whole) / 86400).rounded(.down))
    let s = whole - day * 86400
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(formatDate(seconds))T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
}

/// Parses a timestamp from a String (for CLI options such as `--train-before`).
public func parseTimestamp(_ text: String) -> Double? {
    var t = text
    return t.withUTF8 { parseTimestamp($0) }
}
