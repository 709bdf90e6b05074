import Foundation

/// `log(1 + x)`, inlined where the model saturates a decayed sum (once per
/// lead and log1p signal, in calibration's features and in the scorer), so
/// that fitting and scoring compute the same bits.
///
/// Method: `u = 1 + x` rounded, plus the exact rounding error
/// `c = x − (u − 1)`, so `log1p(x) = log(u) + c/u` to first order.
/// With `u = 2^k · m`, `m ∈ [1, 2)`, and `t = 1 + j/128` the table point
/// just below m (j the top 7 mantissa bits, so `m − t` is exact),
/// `log(u) = k·ln2 + log(t) + log1p((m − t)/t)`, the last term from the
/// Taylor polynomial of degree 8 in `r = (m − t)/t ∈ [0, 1/128)`, computed
/// as `(m − t)` times the table's `1/t` (truncation error below
/// r⁹/9 < 2e-20). For u in [1, 1 + 1/128) the table
/// term is 0 and r = u − 1 exactly, so small x keep full relative precision.
///
/// Accuracy: within one ulp of the C library's `log1p` (tested over millions
/// of arguments). Arguments outside `[0, 2^1000)` (negative, huge,
/// infinite, NaN) go to the C library. Cost: about 20 floating-point
/// operations, one division and two L1 loads, no call; roughly half a libm
/// `log1p` call on this machine.
public struct Log1p: @unchecked Sendable {
    /// Per j: log(1 + j/128), then 1/(1 + j/128).
    @usableFromInline let table: UnsafePointer<Double>

    /// The shared table (2 KiB, built once from the C library, never freed).
    public static let shared = Log1p()

    private init() {
        let t = UnsafeMutablePointer<Double>.allocate(capacity: 256)
        for j in 0..<128 {
            t[j] = Foundation.log1p(Double(j) / 128)
            t[128 + j] = 1 / (1 + Double(j) / 128)
        }
        table = UnsafePointer(t)
    }

    /// log(1 + x).
    @inlinable @inline(__always)
    public func callAsFunction(_ x: Double) -> Double {
        guard x >= 0 && x < 0x1p1000 else { return Foundation.log1p(x) }
        let u = 1 + x
        let correction = (x - (u - 1)) / u
        let bits = u.bitPattern
        let k = Double(Int(bits >> 52) - 1023)
        let j = Int((bits >> 45) & 127)
        let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let t = Double(bitPattern: (bits & 0x000F_E000_0000_0000) | 0x3FF0_0000_0000_0000)
        let r = (m - t) * table[128 + j]
        let r2 = r * r, r4 = r2 * r2
        // log1p(r) = Σ_{i=1..8} (−1)^(i+1) r^i / i.
        let p = r + r2 * ((-0.5 + r * (1.0 / 3)) + r2 * (-0.25 + r * 0.2) + r4 * ((-1.0 / 6 + r * (1.0 / 7)) + r2 * -0.125))
        // ln 2 in two parts, the first with trailing zeros so k · ln2hi is exact.
        let ln2hi = 0x1.62e42fefa3800p-1, ln2lo = 0x1.ef35793c76730p-45
        return k * ln2hi + (table[j] + (k * ln2lo + correction + p))
    }
}
