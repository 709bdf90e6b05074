/// A UTF-8 output buffer for CSV written at hundreds of thousands of rows
/// per second: allocation-free number formatting, RFC 4180 quoting, and
/// neutralized formula prefixes.
package struct CSVWriter {
    package var bytes: [UInt8] = []

    package init() {}

    package mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    package mutating func byte(_ c: UInt8) { bytes.append(c) }

    package mutating func int(_ v: Int) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[n] = UInt8(m % 10) + 48; m /= 10; n += 1 } while m > 0
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    /// `v` with exactly `decimals` digits after the point, correctly rounded
    /// for |v| < 9·10^(18 − decimals); otherwise (or for `decimals` > 17) the
    /// shortest text that reads back as `v` exactly. Non-finite values are
    /// written empty (a CSV cell without a number).
    package mutating func fixed(_ v: Double, decimals: Int) {
        guard v.isFinite else { return }
        guard decimals <= 17 else { write("\(v)"); return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else { write("\(v)"); return }
        let n = UInt64(scaled)
        if v < 0 && n != 0 { bytes.append(UInt8(ascii: "-")) }
        let p = UInt64(scale)
        int(Int(n / p))
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            let frac = n % p
            var divisor = p / 10
            for _ in 0..<decimals {
                bytes.append(UInt8(frac / divisor % 10) + 48)
                divisor /= 10
            }
        }
    }

    /// A text cell: a leading `=`, `+`, `-`, `@`, tab or carriage return gets
    /// a `'` in front, so that no spreadsheet runs it as a formula (OWASP,
    /// "CSV injection"); then quoted (RFC 4180) when it holds a comma, a
    /// quote or a line break.
    package mutating func field(_ s: String) {
        var text = s
        text.withUTF8 { field(bytes: $0) }
    }

    /// ``field(_:)`` of UTF-8 bytes.
    package mutating func field(bytes utf8: UnsafeBufferPointer<UInt8>) {
        var formula = false
        if let first = utf8.first {
            switch first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13: formula = true
            default: break
            }
        }
        let quoted = utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
        if quoted { bytes.append(34) }
        if formula { bytes.append(UInt8(ascii: "'")) }
        if quoted {
            for c in utf8 {
                bytes.append(c)
                if c == 34 { bytes.append(34) }
            }
            bytes.append(34)
        } else {
            bytes.append(contentsOf: utf8)
        }
    }
}
