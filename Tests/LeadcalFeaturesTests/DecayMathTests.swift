import Foundation
import LeadcalModel
import Testing

/// The decay factor 2^(−age/h) and the log1p saturation are computed by
/// ``Exp2`` and ``Log1p``, inlined into calibration's features and the
/// scorer. Their reference is the C library (glibc's `exp2` and `log1p`, an
/// independent implementation): they must agree with it to one unit in the
/// last place everywhere, and hand the cases they do not cover back to it.
@Suite("Decay factors and saturation agree with the C library to one ulp")
struct DecayMathTests {
    /// Distance in units in the last place between two finite doubles of the same sign.
    static func ulps(_ a: Double, _ b: Double) -> UInt64 {
        let x = a.bitPattern, y = b.bitPattern
        return x > y ? x - y : y - x
    }

    /// A deterministic stream of doubles in [0, 1) (SplitMix64).
    struct Uniform {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / 0x1p53
        }
    }

    @Test func exp2WithinOneUlpOverItsWholeFastRange() {
        let exp2 = Exp2.shared
        var u = Uniform(state: 1)
        var worst: UInt64 = 0
        for _ in 0..<1_000_000 {
            let x = (u.next() * 2 - 1) * 1019.999
            worst = max(worst, Self.ulps(exp2(x), Foundation.exp2(x)))
        }
        #expect(worst <= 1)
    }

    @Test func exp2WithinOneUlpOnDecayArguments() {
        // Ages of a second to three years, half-lives of an hour to five years: −age/h.
        let exp2 = Exp2.shared
        var u = Uniform(state: 2)
        var worst: UInt64 = 0
        for _ in 0..<1_000_000 {
            let age = Foundation.exp2(u.next() * 20 - 16) * 1000, h = Foundation.exp2(u.next() * 15 - 4.6)
            let x = -age / h
            guard x > -1020 else { continue }
            worst = max(worst, Self.ulps(exp2(x), Foundation.exp2(x)))
        }
        #expect(worst <= 1)
    }

    @Test func exp2IsExactAtIntegersAndTableBoundaries() {
        let exp2 = Exp2.shared
        for k in -1019...1019 { #expect(exp2(Double(k)) == Foundation.exp2(Double(k))) }
        #expect(exp2(0) == 1)
        #expect(exp2(-0.0) == 1)
        #expect(exp2(-1) == 0.5)
        #expect(exp2(-0.5) == Foundation.exp2(-0.5))
    }

    @Test func exp2HandsExtremesToTheCLibrary() {
        let exp2 = Exp2.shared
        for x in [-1020.0, -1050.5, -1074, -1080, -5000, 1020, 1023.5, 1100, -.infinity, .infinity] {
            #expect(exp2(x) == Foundation.exp2(x), "\(x)")
        }
        #expect(exp2(.nan).isNaN)
    }

    @Test func exp2FourLanesGiveTheBitsOfOneAtATime() {
        let exp2 = Exp2.shared
        var u = Uniform(state: 3)
        // Some lanes outside the fast range, so that whole vectors fall back.
        var x = (0..<4099).map { _ in (u.next() * 2 - 1) * 700 }
        x[5] = -1500; x[1000] = .infinity; x[4097] = -2000
        var out = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { o in exp2(p.baseAddress!, into: o.baseAddress!, count: p.count) } }
        for i in x.indices { #expect(out[i].bitPattern == exp2(x[i]).bitPattern, "\(x[i])") }
        let v = SIMD4(-3.25, -0.001, -700.125, 12.5)
        let w = exp2(v)
        for l in 0..<4 { #expect(w[l].bitPattern == exp2(v[l]).bitPattern) }
    }

    @Test func log1pWithinOneUlpFromTinyToHuge() {
        let log1p = Log1p.shared
        var u = Uniform(state: 4)
        var worst: UInt64 = 0
        for _ in 0..<1_000_000 {
            // Log-uniform over [2^-60, 2^60]: tiny decayed sums, sums near 1 and large counts alike.
            let x = Foundation.exp2(u.next() * 120 - 60)
            worst = max(worst, Self.ulps(log1p(x), Foundation.log1p(x)))
        }
        #expect(worst <= 1)
        // Just above and below each table point 1 + j/128 and each power of two.
        for j in 0..<1024 {
            let t = 1 + Double(j) / 128
            for x in [t - 1, (t - 1).nextUp, (t - 1).nextDown, t.nextDown - 1] where x >= 0 {
                #expect(Self.ulps(log1p(x), Foundation.log1p(x)) <= 1, "\(x)")
            }
        }
    }

    @Test func log1pKeepsTinyArgumentsAndHandsTheRestToTheCLibrary() {
        let log1p = Log1p.shared
        #expect(log1p(0) == 0)
        for x in [1e-300, .leastNonzeroMagnitude, 1e-17, 0x1p-53] { #expect(log1p(x) == x, "\(x)") }
        #expect(log1p(1) == Foundation.log1p(1))
        for x in [-0.5, -1e-12, 0x1p1000, 1e308, .infinity] { #expect(log1p(x) == Foundation.log1p(x), "\(x)") }
        #expect(log1p(-1) == -.infinity)
        #expect(log1p(.nan).isNaN)
    }
}
