/// Dates and times of the data contract: ISO 8601 in, seconds since
/// 1970-01-01 UTC as `Double` inside, ISO 8601 out. Shared by ingest, the
/// weights file (training windows) and the scoring service; not public API.

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
package func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = m > 2 ? m - 3 : m + 9
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01 (Hinnant's civil_from_days).
package func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
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
package func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let b = trimmedSpaces(bytes)
    guard let days = parseDate(b) else { return nil }
    return parseTimeOfDay(b, days: days)
}

/// `bytes` without leading and trailing spaces.
@inline(__always)
private func trimmedSpaces(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var lo = 0
    var hi = bytes.count
    while lo < hi && bytes[lo] == 0x20 { lo += 1 }
    while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[lo..<hi])
}

/// Days since 1970-01-01 of the date `YYYY-MM-DD` that `b` starts with, or
/// nil when its first 10 bytes are not a valid date.
@inline(__always)
private func parseDate(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
    guard b.count >= 10, let y = number(b, 0, 4), b[4] == UInt8(ascii: "-"), let m = number(b, 5, 2),
        b[7] == UInt8(ascii: "-"), let d = number(b, 8, 2)
    else { return nil }
    guard (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
    let monthIndex = (y - 1970) * 12 + m - 1
    return monthIndex >= 0 && monthIndex < monthStarts.count ? monthStarts[monthIndex] + d - 1 : daysFromCivil(y, m, d)
}

/// Seconds since 1970-01-01 UTC of the timestamp `b` (trimmed), whose first
/// 10 bytes are the valid date `days`: what follows the date parsed (nothing,
/// or a time of day and an optional offset), nil when malformed.
@inline(__always)
private func parseTimeOfDay(_ b: UnsafeBufferPointer<UInt8>, days: Int) -> Double? {
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

/// ``parseTimestamp(_:)-(UnsafeBufferPointer<UInt8>)`` for a column of
/// timestamps read row after row, remembering the last date it parsed.
///
/// Exports in time order repeat one date over thousands of rows: when a
/// timestamp's first 10 bytes are those of the last valid date read, the
/// date is not parsed again (two word compares), only what follows it. The
/// same results as ``parseTimestamp(_:)-(UnsafeBufferPointer<UInt8>)`` for
/// every input. Cost: O(1) for a repeated date-only value, the time of day's
/// parse otherwise; one instance per thread.
package struct TimestampReader {
    /// The first 10 bytes of the last date parsed (8 + 2), and its day number.
    private var head: UInt64 = 0
    private var tail: UInt16 = 0
    private var days = 0
    /// `days` in seconds.
    private var midnight = 0.0
    /// Whether `head`, `tail` and `days` hold a date.
    private var cached = false

    package init() {}

    @inline(__always)
    package mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if cached, bytes.count >= 10, let p = bytes.baseAddress {
            let raw = UnsafeRawPointer(p)
            if raw.loadUnaligned(as: UInt64.self) == head && raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self) == tail {
                // The same 10 leading bytes: no leading space (a cached date starts with a digit), same date.
                var n = bytes.count
                while n > 10 && p[n - 1] == 0x20 { n -= 1 }
                return n == 10 ? midnight : parseTimeOfDay(UnsafeBufferPointer(start: p, count: n), days: days)
            }
        }
        let b = trimmedSpaces(bytes)
        guard let d = parseDate(b) else { return nil }
        if b.count >= 10, let p = b.baseAddress {
            let raw = UnsafeRawPointer(p)
            head = raw.loadUnaligned(as: UInt64.self)
            tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            days = d
            midnight = Double(d * 86400)
            cached = true
        }
        return parseTimeOfDay(b, days: d)
    }
}

/// Days from 1970-01-01 to the first of each month, 1970-01 … 2199-12.
private let monthStarts: [Int] = (0..<(230 * 12)).map { daysFromCivil(1970 + $0 / 12, $0 % 12 + 1, 1) }

package func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// Formats seconds since the epoch as `YYYY-MM-DD` (UTC).
package func formatDate(_ seconds: Double) -> String {
    let (y, m, d) = civilFromDays(Int((seconds / 86400).rounded(.down)))
    let year = y >= 0 && y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
    return "\(year)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
package func formatTimestamp(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded(.down))
    let day = Int((Double(whole) / 86400).rounded(.down))
    let s = whole - day * 86400
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(formatDate(seconds))T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
}

/// Parses a timestamp from a String (for CLI options such as `--train-before`).
package func parseTimestamp(_ text: String) -> Double? {
    var t = text
    return t.withUTF8 { parseTimestamp($0) }
}
