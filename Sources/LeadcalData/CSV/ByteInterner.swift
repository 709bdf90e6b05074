import Foundation

/// Maps byte strings to dense integer codes 0, 1, 2, … in order of first insertion.
///
/// The table is open-addressed (linear probing, load factor <= 1/2) with
/// 32-byte slots aligned two to a cache line; a slot holds the key's first
/// 24 bytes inline, zero-padded, with its length and code. A lookup of a key
/// of at most 24 bytes (lead ids from CRMs: 18-character Salesforce ids,
/// numeric HubSpot ids, `L0000042`) therefore touches one cache line; a
/// longer key also compares its tail in the arena that keeps every key.
/// Keys never hold a NUL byte (the CSV reader refuses them), so zero padding
/// is unambiguous, and the length is compared as well.
///
/// A lookup allocates nothing. For rows in no particular order (time-ordered
/// exports), ``probe(_:)`` + ``prefetch(_:)`` + ``code(of:)-(Probe)`` let a
/// caller hash each key as its row is parsed, start its slot load at once,
/// and compare a block of rows later, so the miss is paid while other rows
/// are parsed instead of queueing one per row.
/// Reads are safe from several threads once insertion is finished.
package struct ByteInterner: Sendable {
    /// One table slot: the key's first 24 bytes, and `length << 32 | (code + 1)` (0: empty).
    struct Slot {
        var k0: UInt64 = 0, k1: UInt64 = 0, k2: UInt64 = 0
        var meta: UInt64 = 0
    }

    /// The slots, 64-byte aligned; copied before a write when shared (value semantics).
    final class Table: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Slot>
        let size: Int
        init(size: Int) {
            self.size = size
            slots = HugePages.allocate(Slot.self, capacity: size)
            slots.initialize(repeating: Slot(), count: size)
        }
        func copy() -> Table {
            let t = Table(size: size)
            t.slots.update(from: slots, count: size)
            return t
        }
        deinit { slots.deallocate() }
    }

    private var table: Table
    private var mask: Int
    private var arena: [UInt8] = []
    private var offsets: [Int32] = []     // arena offset of each code's key
    private var lengths: [Int32] = []

    package init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = Table(size: size)
        mask = size - 1
    }

    /// Number of distinct keys.
    package var count: Int { offsets.count }

    /// A key ready to look up: its first 24 bytes as words, its length and hash.
    /// Valid while the key's bytes are.
    package struct Probe {
        var k0: UInt64, k1: UInt64, k2: UInt64
        var length: Int
        var hash: UInt64
        var bytes: UnsafePointer<UInt8>?

        /// Whether two probes are of the same key.
        @inline(__always)
        package func sameKey(as other: Probe) -> Bool {
            guard k0 == other.k0, k1 == other.k1, k2 == other.k2, length == other.length else { return false }
            return length <= 24 || memcmp(bytes! + 24, other.bytes! + 24, length - 24) == 0
        }
    }

    /// Loads `count` (< 8) bytes at `p` into the low bytes of a word, without
    /// reading past them: two overlapping loads of 4 or 2 bytes.
    @inline(__always)
    private static func partialWord(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        if count >= 4 {
            let lo = UInt64(raw.loadUnaligned(as: UInt32.self))
            let hi = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return lo | hi << UInt64(8 * (count - 4))
        }
        if count >= 2 {
            let lo = UInt64(raw.loadUnaligned(as: UInt16.self))
            let hi = UInt64(raw.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self))
            return lo | hi << UInt64(8 * (count - 2))
        }
        return count == 1 ? UInt64(p[0]) : 0
    }

    /// The `w`-th 8-byte word of a key, zero-padded past its end.
    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ n: Int, _ w: Int) -> UInt64 {
        let at = 8 * w
        if at + 8 <= n { return UnsafeRawPointer(p + at).loadUnaligned(as: UInt64.self) }
        return at < n ? partialWord(p + at, n - at) : 0
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        var h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        return h
    }

    /// Hashes and loads the inline words of `key`; touches no table memory.
    /// Cost: O(length), three word loads for keys of at most 24 bytes.
    @inline(__always)
    package static func probe(_ key: UnsafeBufferPointer<UInt8>) -> Probe {
        let n = key.count
        guard let p = key.baseAddress, n > 0 else {
            return Probe(k0: 0, k1: 0, k2: 0, length: 0, hash: finish(0x9E37_79B9_7F4A_7C15), bytes: nil)
        }
        let k0 = word(p, n, 0), k1 = n > 8 ? word(p, n, 1) : 0, k2 = n > 16 ? word(p, n, 2) : 0
        var h = mix(0x9E37_79B9_7F4A_7C15 ^ UInt64(n), k0)
        if n > 8 { h = mix(h, k1) }
        if n > 16 { h = mix(h, k2) }
        var w = 3
        while 8 * w < n {
            h = mix(h, word(p, n, w))
            w += 1
        }
        return Probe(k0: k0, k1: k1, k2: k2, length: n, hash: finish(h), bytes: p)
    }

    @inline(__always)
    private static func finish(_ h: UInt64) -> UInt64 {
        let h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    /// Starts loading, without waiting, the slot `probe` lands on and the next
    /// one (at a load factor of 1/2 about half the lookups probe a second
    /// slot, on the next cache line half the time). Call it as soon as a key
    /// is probed and look the key up some rows later: the miss is then paid
    /// while those rows are parsed. Cost: two prefetch instructions.
    @inline(__always)
    package func prefetch(_ probe: Probe) {
        let i = Int(truncatingIfNeeded: probe.hash) & mask
        LeadcalData.prefetch(table.slots + i)
        LeadcalData.prefetch(table.slots + ((i + 1) & mask))
    }

    @inline(__always)
    private func matches(_ s: Slot, _ probe: Probe) -> Bool {
        guard s.k0 == probe.k0, s.k1 == probe.k1, s.k2 == probe.k2, Int(s.meta >> 32) == probe.length else { return false }
        guard probe.length > 24 else { return true }
        let code = Int(UInt32(truncatingIfNeeded: s.meta)) - 1
        return arena.withUnsafeBufferPointer { a in
            memcmp(a.baseAddress! + Int(offsets[code]) + 24, probe.bytes! + 24, probe.length - 24) == 0
        }
    }

    /// The code of the probed key, or nil when it was never inserted.
    @inline(__always)
    package func code(of probe: Probe) -> Int? {
        let slots = table.slots
        var i = Int(truncatingIfNeeded: probe.hash) & mask
        while true {
            let s = slots[i]
            if s.meta == 0 { return nil }
            if matches(s, probe) { return Int(UInt32(truncatingIfNeeded: s.meta)) - 1 }
            i = (i + 1) & mask
        }
    }

    /// The code of `key`, or nil when it was never inserted.
    @inline(__always)
    package func code(of key: UnsafeBufferPointer<UInt8>) -> Int? { code(of: Self.probe(key)) }

    package func code(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { code(of: $0) }
    }

    /// Looks up a block of probed keys: the slots of every key are prefetched
    /// first, then each key is compared, so the cache misses of keys in no
    /// particular order overlap. `codes[i]` receives the code of key i, or −1.
    package func codes(of probes: UnsafeBufferPointer<Probe>, into codes: UnsafeMutablePointer<Int32>) {
        for p in probes { prefetch(p) }
        for (k, p) in probes.enumerated() { codes[k] = code(of: p).map { Int32($0) } ?? -1 }
    }

    /// Inserts a block of probed keys in order, their slots prefetched
    /// first so that the misses overlap; `inserted[i]` says whether key i was new.
    package mutating func insert(_ probes: UnsafeBufferPointer<Probe>, inserted: UnsafeMutablePointer<Bool>) {
        for p in probes { prefetch(p) }
        for (k, p) in probes.enumerated() { inserted[k] = insert(p).inserted }
    }

    /// Inserts `key` if new; returns its code and whether it was new.
    @discardableResult
    package mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> (code: Int, inserted: Bool) {
        insert(Self.probe(key))
    }

    /// Inserts the probed key if new (its bytes must still be valid).
    @discardableResult
    package mutating func insert(_ probe: Probe) -> (code: Int, inserted: Bool) {
        if let code = code(of: probe) { return (code, false) }
        if (count + 1) * 2 > table.size { rehash() }
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        let code = count
        let offset = arena.count
        let key = UnsafeBufferPointer(start: probe.bytes, count: probe.length)
        precondition(offset + key.count < Int(Int32.max) && code < Int(Int32.max), "key arena over 2 GiB")
        arena.append(contentsOf: key)
        offsets.append(Int32(offset))
        lengths.append(Int32(key.count))
        place(Slot(k0: probe.k0, k1: probe.k1, k2: probe.k2, meta: UInt64(key.count) << 32 | UInt64(code + 1)), hash: probe.hash)
        return (code, true)
    }

    @discardableResult
    package mutating func insert(_ key: String) -> (code: Int, inserted: Bool) {
        var k = key
        return k.withUTF8 { insert($0) }
    }

    private func place(_ slot: Slot, hash: UInt64) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while table.slots[i].meta != 0 { i = (i + 1) & mask }
        table.slots[i] = slot
    }

    private mutating func rehash() {
        let old = table
        table = Table(size: old.size * 2)
        mask = table.size - 1
        arena.withUnsafeBufferPointer { a in
            for i in 0..<old.size where old.slots[i].meta != 0 {
                let s = old.slots[i]
                let code = Int(UInt32(truncatingIfNeeded: s.meta)) - 1
                let key = UnsafeBufferPointer(start: a.baseAddress.map { $0 + Int(offsets[code]) }, count: Int(lengths[code]))
                place(s, hash: Self.probe(key).hash)
            }
        }
    }

    /// The key of `code` as a String.
    package func string(_ code: Int) -> String {
        let offset = Int(offsets[code])
        return String(decoding: arena[offset..<offset + Int(lengths[code])], as: UTF8.self)
    }

    /// Calls `body` with the key bytes of `code`.
    package func withKey<R>(_ code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let offset = Int(offsets[code])
        return arena.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offset..<offset + Int(lengths[code])])) }
    }

    /// All keys in code order.
    package var strings: [String] { (0..<count).map(string) }
}
