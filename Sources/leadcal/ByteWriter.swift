/// A UTF-8 output buffer with allocation-free number formatting, for CSV
/// written at hundreds of thousands of rows per second.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func byte(_ c: UInt8) { bytes.append(c) }

    mutating func int(_ v: Int) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        repeat { digits.append(UInt8(m % 10) + 48); m /= 10 } while m > 0
        bytes.append(contentsOf: digits.reversed())
    }

    /// `v` with exactly `decimals` digits after the point, correctly rounded
    /// for |v| < 9·10^(18 − decimals) (else falls back to Swift's description).
    mutating func fixed(_ v: Double, decimals: Int) {
        guard v.isFinite else { write(v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf")); return }
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
            var frac = n % p
            var digits = [UInt8](repeating: 48, count: decimals)
            for k in stride(from: decimals - 1, through: 0, by: -1) { digits[k] = UInt8(frac % 10) + 48; frac /= 10 }
            bytes.append(contentsOf: digits)
        }
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
    mutating func field(_ s: String) {
        if s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
            write("\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        } else {
            write(s)
        }
    }
}
