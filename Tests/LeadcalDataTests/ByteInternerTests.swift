import Foundation
import Testing
@testable import LeadcalData

@Suite("The key interner")
struct ByteInternerTests {
    /// Keys of every length from 0 to 60 bytes, many sharing their first 24 bytes (inline in the slot).
    static let keys: [String] = {
        var keys = [""]
        for i in 0..<4_000 {
            let n = i % 61
            let stem = String(repeating: "0065e00000", count: 7)
            keys.append(String(stem.prefix(n)) + String(i))
        }
        return Array(Set(keys)).sorted()
    }()

    @Test("every key gets its own code, in order of first insertion, through every rehash")
    func codes() {
        var interner = ByteInterner()
        for (i, k) in Self.keys.enumerated() {
            let r = interner.insert(k)
            #expect(r.code == i && r.inserted)
        }
        #expect(interner.count == Self.keys.count)
        for (i, k) in Self.keys.enumerated() {
            #expect(interner.code(of: k) == i)
            #expect(interner.insert(k) == (i, false))
            #expect(interner.string(i) == k)
        }
    }

    @Test("keys never inserted are not found: one byte longer, shorter, or different after the inline 24 bytes")
    func misses() {
        var interner = ByteInterner()
        for k in Self.keys { interner.insert(k) }
        let present = Set(Self.keys)
        for k in Self.keys {
            for probe in [k + "x", String(k.dropLast()), String(k.prefix(30)) + "#" + String(k.dropFirst(31))] where !present.contains(probe) {
                #expect(interner.code(of: probe) == nil)
            }
        }
    }

    @Test("a probe compares keys by their bytes, beyond the inline 24")
    func probes() {
        let a = "00Q5e00000AbCdEFGH-lead-0001", b = "00Q5e00000AbCdEFGH-lead-0002"
        var x = a, y = b, z = a
        x.withUTF8 { xa in
            y.withUTF8 { yb in
                z.withUTF8 { za in
                    #expect(!ByteInterner.probe(xa).sameKey(as: ByteInterner.probe(yb)))
                    #expect(ByteInterner.probe(xa).sameKey(as: ByteInterner.probe(za)))
                }
            }
        }
    }

    @Test("copies are independent values")
    func valueSemantics() {
        var a = ByteInterner()
        a.insert("one")
        var b = a
        b.insert("two")
        #expect(a.count == 1 && a.code(of: "two") == nil)
        #expect(b.count == 2 && b.code(of: "two") == 1 && b.code(of: "one") == 0)
    }
}
