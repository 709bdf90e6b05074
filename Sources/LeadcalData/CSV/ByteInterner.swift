import Foundation

/// Maps byte strings to dense integer codes 0, 1, 2, … in order of first insertion.
///
/// Keys live in one contiguous arena, each prefixed by its 4-byte length; a
/// table entry holds the key's hash, its arena offset and its code, so a
/// lookup touches one entry and one arena line. Open addressing with linear
/// probing at load factor <= 1/2; the hash reads eight bytes at a time. A
/// lookup allocates nothing, which is what lets the loader resolve 20 million
/// `lead_id` fields without creating a `String` per row. Reads are safe from
/// several threads once insertion is finished.
package struct ByteInterner: Sendable {
    private struct Entry {
        var hash: UInt64
        var offset: Int32 = -1   // -1: empty
        var code: Int32 = 0
    }

    private var arena: [UInt8] = []
    private var offsets: [Int32] = []     // arena offset of each code's length prefix
    private var table: [Entry]
    private var mask: Int

    package init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = Array(repeating: Entry(hash: 0), count: size)
        mask = size - 1
    }

    /// Number of distinct keys.
    package var count: Int { offsets.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var i = 0
        let n = key.count
        if let p = key.baseAddress {
            while i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        return h
    }

    @inline(__always)
    private static func equal(_ arena: UnsafePointer<UInt8>, _ offset: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = Int(UnsafeRawPointer(arena + offset).loadUnaligned(as: UInt32.self))
        guard length == key.count else { return false }
        guard length > 0 else { return true }
        let a = arena + offset + 4
        let b = key.baseAddress!
        var i = 0
        while i + 8 <= length {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < length {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// The code of `key`, or nil when it was never inserted.
    @inline(__always)
    package func code(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        return table.withUnsafeBufferPointer { table in
            arena.withUnsafeBufferPointer { arena in
                var i = Int(truncatingIfNeeded: h) & mask
                while true {
                    let e = table[i]
                    if e.offset < 0 { return nil }
                    if e.hash == h && Self.equal(arena.baseAddress!, Int(e.offset), key) { return Int(e.code) }
                    i = (i + 1) & mask
                }
            }
        }
    }

    package func code(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { code(of: $0) }
    }

    /// Inserts `key` if new; returns its code and whether it was new.
    @discardableResult
    package mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> (code: Int, inserted: Bool) {
        if (count + 1) * 2 > table.count { rehash() }
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[i]
            if e.offset < 0 { break }
            if e.hash == h && arena.withUnsafeBufferPointer({ Self.equal($0.baseAddress!, Int(e.offset), key) }) {
                return (Int(e.code), false)
            }
            i = (i + 1) & mask
        }
        let code = count
        let offset = arena.count
        precondition(offset + 4 + key.count < Int(Int32.max), "key arena over 2 GiB")
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { arena.append(contentsOf: $0) }
        arena.append(contentsOf: key)
        offsets.append(Int32(offset))
        table[i] = Entry(hash: h, offset: Int32(offset), code: Int32(code))
        return (code, true)
    }

    @discardableResult
    package mutating func insert(_ key: String) -> (code: Int, inserted: Bool) {
        var k = key
        return k.withUTF8 { insert($0) }
    }

    private mutating func rehash() {
        let size = table.count * 2
        var bigger = Array(repeating: Entry(hash: 0), count: size)
        let newMask = size - 1
        for e in table where e.offset >= 0 {
            var i = Int(truncatingIfNeeded: e.hash) & newMask
            while bigger[i].offset >= 0 { i = (i + 1) & newMask }
            bigger[i] = e
        }
        table = bigger
        mask = newMask
    }

    /// The key of `code` as a String.
    package func string(_ code: Int) -> String {
        let offset = Int(offsets[code])
        let length = arena[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return String(decoding: arena[offset + 4..<offset + 4 + length], as: UTF8.self)
    }

    /// All keys in code order.
    package var strings: [String] { (0..<count).map(string) }
}
