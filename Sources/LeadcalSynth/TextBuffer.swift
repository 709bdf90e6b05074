import LeadcalModel
import LeadcalData

/// A growing UTF-8 byte buffer with allocation-free integer and date writers.
struct TextBuffer {
    var bytes: [UInt8] = []

    mutating func write(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    mutating func write(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func byte(_ c: Character) { bytes.append(c.asciiValue!) }

    mutating func int(_ v: Int, width: Int = 0) {
        var v = v
        if v < 0 { bytes.append(UInt8(ascii: "-")); v = -v }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(v % 10) + 48
                v /= 10
                n += 1
            } while v > 0
            while n < width { d[n] = 48; n += 1 }
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    /// The `lead_id` of lead index `i`: `L` and `i + 1` on at least seven digits.
    mutating func leadID(_ i: Int) {
        byte("L"); int(i + 1, width: 7)
    }

    /// `YYYY-MM-DD`
    mutating func date(days: Int) {
        let (y, m, d) = civilFromDays(days)
        int(y, width: 4); byte("-"); int(m, width: 2); byte("-"); int(d, width: 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS` followed by `Z`, or by the offset `+HH:MM` with the local time shifted.
    mutating func timestamp(_ seconds: Int, offsetHours: Int = 0) {
        let local = seconds + offsetHours * 3600
        let days = Int((Double(local) / 86400).rounded(.down))
        let s = local - days * 86400
        date(days: days)
        byte("T"); int(s / 3600, width: 2); byte(":"); int(s / 60 % 60, width: 2); byte(":"); int(s % 60, width: 2)
        if offsetHours == 0 {
            byte("Z")
        } else {
            byte(offsetHours > 0 ? "+" : "-"); int(abs(offsetHours), width: 2); write(":00")
        }
    }
}
