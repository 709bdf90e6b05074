/// The codes of the few short strings a column repeats (signal types),
/// found in one cache line: a direct-mapped cache in front of a
/// ``ByteInterner``.
///
/// A field of at most 16 bytes is loaded as two words (bytes past its end
/// masked off; keys hold no NUL byte, so zero padding is unambiguous), and
/// the words pick one of 256 entries. A hit costs two unaligned loads, a
/// multiply and a compare, where the interner hashes every word and walks
/// its table. A miss (a longer key, a field near the buffer's end, a
/// doubled quote, a new key, or two keys sharing an entry) says nil, and the
/// caller asks the interner and ``remember(_:code:_:)``s the answer.
/// Cost: O(1) per field; 6 KiB per instance, one instance per thread.
final class ShortKeyCache {
    private struct Entry {
        var a: UInt64 = 0, b: UInt64 = 0
        var length: Int32 = -1
        var code: Int32 = -1
    }
    private static let bits = 8
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: 1 << Self.bits)
        entries.initialize(repeating: Entry(), count: 1 << Self.bits)
    }
    deinit { entries.deallocate() }

    /// The field's two words, its length and its entry, or nil when it is not a short plain field.
    @inline(__always)
    private static func key(_ field: CSVField, _ scanner: CSVRecordScanner) -> (a: UInt64, b: UInt64, length: Int32, slot: Int)? {
        let n = field.count
        guard n <= 16, !field.hasEscapedQuote, field.start + 16 <= scanner.end else { return nil }
        let raw = UnsafeRawPointer(scanner.base + field.start)
        // Smart shifts: a shift by 64 gives 0, so the masks are all ones for a full word, 0 for none.
        let a = raw.loadUnaligned(as: UInt64.self) & ((1 << UInt64(8 * min(n, 8))) &- 1)
        let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & ((1 << UInt64(8 * max(n - 8, 0))) &- 1)
        let h = (a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        return (a, b, Int32(n), Int(truncatingIfNeeded: h >> UInt64(64 - bits)))
    }

    /// The code remembered for the field's text, or nil.
    @inline(__always)
    func code(_ field: CSVField, _ scanner: CSVRecordScanner) -> Int? {
        guard let k = Self.key(field, scanner) else { return nil }
        let e = entries[k.slot]
        return e.a == k.a && e.b == k.b && e.length == k.length ? Int(e.code) : nil
    }

    /// Remembers `code` for the field's text (a no-op for a field the cache does not hold).
    func remember(_ field: CSVField, code: Int, _ scanner: CSVRecordScanner) {
        guard let k = Self.key(field, scanner) else { return }
        entries[k.slot] = Entry(a: k.a, b: k.b, length: k.length, code: Int32(code))
    }
}
