import Foundation

/// SplitMix64 followed by xoshiro256** (Blackman & Vigna, 2018): a small,
/// fast, reproducible generator. Each lead gets its own stream seeded from
/// (seed, lead index), so the output does not depend on how work is split
/// across cores. The pair is hashed (two rounds of the SplitMix64 finalizer)
/// before it seeds the state: seeding SplitMix64 with `seed ^ index·φ`
/// directly would give consecutive leads overlapping states (lead i's second
/// word is about lead i+1's first), hence correlated draws.
struct Xoshiro256: RandomNumberGenerator {
    private var s0, s1, s2, s3: UInt64

    static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    init(seed: UInt64, stream: UInt64) {
        var x = Self.mix(Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15) ^ (stream &+ 0xD1B5_4A32_D192_ED03))
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            return Self.mix(x)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = 1 - uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Poisson with mean `lambda` (inversion; fine for the small means used here).
    mutating func poisson(_ lambda: Double) -> Int {
        let l = exp(-lambda)
        var k = 0
        var p = uniform()
        while p > l { k += 1; p *= uniform() }
        return k
    }

    /// Index drawn with the given cumulative probabilities (last one 1).
    mutating func pick(_ cumulative: [Double]) -> Int {
        let u = uniform()
        return cumulative.firstIndex { u < $0 } ?? cumulative.count - 1
    }

    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
