/// Maps byte strings to dense integer codes 0, 1, 2, … in order of first insertion.
///
/// Keys live in one contiguous arena; the table is open-addressed with linear
/// probing on a 64-bit hash read eight bytes at a time. A lookup allocates
/// nothing, which is what lets the loader resolve 21 million `lead_id` fields
/// without creating a `String` per row. Reads are safe from several threads
/// once insertion is finished.
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32]          // code + 1, 0 = empty
    private var hashes: [UInt64]
    private var mask: Int

    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        hashes = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of distinct keys.
    public var count: Int { offsets.count - 1 }

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

    private func equals(_ code: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[code]
        let length = offsets[code + 1] - start
        guard length == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            guard length > 0 else { return true }
            return memcmp(a.baseAddress! + start, key.baseAddress!, length) == 0
        }
    }

    /// The code of `key`, or nil when it was never inserted.
    public func code(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if hashes[i] == h && equals(Int(s - 1), key) { return Int(s - 1) }
            i = (i + 1) & mask
        }
    }

    public func code(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { code(of: $0) }
    }

    /// Inserts `key` if new; returns its code and whether it was new.
    @discardableResult
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> (code: Int, inserted: Bool) {
        if (count + 1) * 2 > slots.count { rehash() }
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if hashes[i] == h && equals(Int(s - 1), key) { return (Int(s - 1), false) }
            i = (i + 1) & mask
        }
        let code = count
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        slots[i] = Int32(code + 1)
        hashes[i] = h
        return (code, true)
    }

    @discardableResult
    public mutating func insert(_ key: String) -> (code: Int, inserted: Bool) {
        var k = key
        return k.withUTF8 { insert($0) }
    }

    private mutating func rehash() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        for j in 0..<slots.count where slots[j] != 0 {
            var i = Int(truncatingIfNeeded: hashes[j]) & newMask
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = slots[j]
            newHashes[i] = hashes[j]
        }
        slots = newSlots
        hashes = newHashes
        mask = newMask
    }

    /// The key of `code` as a String.
    public func string(_ code: Int) -> String {
        String(decoding: arena[offsets[code]..<offsets[code + 1]], as: UTF8.self)
    }

    /// All keys in code order.
    public var strings: [String] { (0..<count).map(string) }
}

import Foundation
