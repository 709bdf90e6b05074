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

    @Test("a table on huge pages (sized for 300,000 keys) looks keys up a block at a time, inserts a block with its repeats, and copies")
    func largeTable() {
        let n = 300_000
        let keys = (0..<n).map { Array("L\($0 * 7919 % 1_000_003)".utf8) }
        var interner = ByteInterner(capacity: n)
        // Inserted 64 at a time, each block repeating its first key at its end: that repeat is not new.
        var inserted = [Bool](repeating: false, count: 65)
        for start in stride(from: 0, to: n, by: 64) {
            let block = Array(keys[start..<min(start + 64, n)]) + [keys[start]]
            let probes = block.map { k in k.withUnsafeBufferPointer { ByteInterner.probe($0) } }
            // The probes point into `block`'s arrays, which outlive the insert.
            withExtendedLifetime(block) {
                probes.withUnsafeBufferPointer { p in inserted.withUnsafeMutableBufferPointer { interner.insert(p, inserted: $0.baseAddress!) } }
            }
            #expect(inserted[0..<block.count - 1].allSatisfy { $0 } && !inserted[block.count - 1])
        }
        #expect(interner.count == n)
        // Looked up in blocks, half the keys absent (one byte more).
        let lookups = (0..<4_096).map { i in i % 2 == 0 ? keys[(i * 37) % n] : keys[(i * 37) % n] + [UInt8(ascii: "x")] }
        let probes = lookups.map { k in k.withUnsafeBufferPointer { ByteInterner.probe($0) } }
        var codes = [Int32](repeating: 0, count: probes.count)
        withExtendedLifetime(lookups) {
            probes.withUnsafeBufferPointer { p in codes.withUnsafeMutableBufferPointer { interner.codes(of: p, into: $0.baseAddress!) } }
        }
        for i in 0..<probes.count { #expect(codes[i] == (i % 2 == 0 ? Int32((i * 37) % n) : -1)) }
        // A copy (a second huge table) is an independent value.
        var copy = interner
        copy.insert("L-new")
        #expect(copy.count == n + 1 && interner.count == n && interner.code(of: "L-new") == nil)
        #expect(copy.code(of: "L\(1234 * 7919 % 1_000_003)") == 1234)
    }

    @Test("huge-page memory is 2 MiB aligned above the threshold, 64-byte aligned below, and holds what is written")
    func hugePages() {
        for count in [1_000, (HugePages.threshold / 8) + 1] {
            let p = HugePages.allocate(UInt64.self, capacity: count)
            defer { p.deallocate() }
            let alignment = count * 8 >= HugePages.threshold ? 2 << 20 : 64
            #expect(Int(bitPattern: p) % alignment == 0)
            for i in 0..<count { p[i] = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }
            #expect((0..<count).allSatisfy { p[$0] == UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        }
    }

    @Test("the short-key cache answers as the interner does, or not at all")
    func shortKeyCache() throws {
        // Keys of 1 to 20 bytes, some differing only past their 8th byte, quoted ones with doubled
        // quotes, in a CSV column read twice over; the last field ends the buffer.
        var keys = (1...20).map { String(repeating: "x", count: $0) }
        keys += ["email_open", "email_opem", "content_download", "content_downloae", "a", "b", "webinar", "\"q\"\"t\"\"\"", "\"plain\""]
        let column = (keys + keys.reversed() + keys).joined(separator: "\n") + "\n" + "tail"
        let bytes = Array(column.utf8)
        let cache = ShortKeyCache()
        var interner = ByteInterner()
        var scratch: [UInt8] = []
        var hits = 0, rows = 0
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = CSVRecordScanner(buffer)
            let fields = CSVFields()
            while try scanner.next(into: fields) {
                rows += 1
                let field = fields[0]
                let truth = scanner.withBytes(field, scratch: &scratch) { interner.insert($0).code }
                if let cached = cache.code(field, scanner) {
                    hits += 1
                    #expect(cached == truth, "\(scanner.string(field))")
                } else {
                    cache.remember(field, code: truth, scanner)
                }
            }
        }
        #expect(rows == 3 * keys.count + 1)
        // Later readings of a key of at most 16 bytes without doubled quotes are hits, but for two
        // keys sharing an entry (they evict each other) and fields within 16 bytes of the buffer's end.
        let short = keys.filter { $0.utf8.count <= 16 || $0.hasPrefix("\"") && $0.utf8.count <= 18 && !$0.contains("\"\"") }
        #expect(hits >= short.count && hits <= 2 * short.count)
    }
}
