#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One event that counts for training, as the scan keeps it: 24 bytes.
struct KeptEvent {
    /// Decided row.
    var row: Int32
    /// Index into the spec's signals.
    var signal: Int32
    /// Days before the row's `as_of` (> 0).
    var age: Double
    var value: Double
}

/// The events the scan keeps, bucketed by range of decided rows, one store
/// per parallel slot.
///
/// A file in time order hands over its events in no row order. Appending
/// each to the bucket of its row range (a few dozen write streams per core,
/// which caches and TLBs follow) lets ``EventTable/build(rows:kept:)`` group
/// one bucket at a time: its rows' slice of the table stays in cache, and
/// the bucket's memory is returned as soon as it is placed, so the kept
/// events are never held twice. Buckets grow in chunks of their own
/// anonymous mapping (768 KiB), which the system takes back on release.
final class KeptEvents: @unchecked Sendable {
    /// Events per chunk.
    static let chunkEvents = 1 << 15
    let rows: Int
    /// Rows per bucket: `1 << shift`.
    let shift: Int
    let bucketCount: Int
    /// One store per slot: each slot's scans write only their own.
    let stores: [Store]

    /// Buckets for `rows` decided rows and `slots` concurrent writers: about 64, of at least 4,096 rows.
    init(rows: Int, slots: Int) {
        self.rows = rows
        var shift = 12
        while (rows >> shift) > 64 { shift += 1 }
        self.shift = shift
        let buckets = max(1, (rows + (1 << shift) - 1) >> shift)
        bucketCount = buckets
        stores = (0..<slots).map { _ in Store(buckets: buckets, shift: shift) }
    }

    /// The kept events of one slot.
    final class Store: @unchecked Sendable {
        let shift: Int
        /// Per bucket: its chunks, the last one being filled. Raw storage, so that
        /// buckets placed concurrently touch separate elements and nothing shared.
        private let chunks: UnsafeMutablePointer<[UnsafeMutablePointer<KeptEvent>]>
        private let buckets: Int
        /// Per bucket: the next free event and the end of its last chunk (nil: no chunk yet).
        private let cursor: UnsafeMutablePointer<UnsafeMutablePointer<KeptEvent>?>
        private let limit: UnsafeMutablePointer<UnsafeMutablePointer<KeptEvent>?>

        init(buckets: Int, shift: Int) {
            self.shift = shift
            self.buckets = buckets
            chunks = .allocate(capacity: buckets)
            chunks.initialize(repeating: [], count: buckets)
            cursor = .allocate(capacity: buckets)
            cursor.initialize(repeating: nil, count: buckets)
            limit = .allocate(capacity: buckets)
            limit.initialize(repeating: nil, count: buckets)
        }

        deinit {
            for b in 0..<buckets { release(bucket: b) }
            chunks.deinitialize(count: buckets)
            chunks.deallocate()
            cursor.deallocate()
            limit.deallocate()
        }

        /// Appends `e` to its row's bucket. Cost: a store, and a mapping every 32,768 events of a bucket.
        @inline(__always)
        func append(_ e: KeptEvent) {
            let b = Int(e.row) >> shift
            if cursor[b] == limit[b] { grow(b) }
            cursor[b]!.initialize(to: e)
            cursor[b]! += 1
        }

        private func grow(_ b: Int) {
            let bytes = KeptEvents.chunkEvents * MemoryLayout<KeptEvent>.stride
            guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
                fatalError("cannot map \(bytes) bytes")
            }
            let chunk = p.bindMemory(to: KeptEvent.self, capacity: KeptEvents.chunkEvents)
            chunks[b].append(chunk)
            cursor[b] = chunk
            limit[b] = chunk + KeptEvents.chunkEvents
        }

        /// The events of bucket `b`, chunk by chunk.
        func forEachChunk(bucket b: Int, _ body: (UnsafeBufferPointer<KeptEvent>) -> Void) {
            for (k, chunk) in chunks[b].enumerated() {
                let count = k == chunks[b].count - 1 ? chunk.distance(to: cursor[b]!) : KeptEvents.chunkEvents
                body(UnsafeBufferPointer(start: chunk, count: count))
            }
        }

        /// Returns bucket `b`'s memory to the system.
        func release(bucket b: Int) {
            for chunk in chunks[b] { munmap(chunk, KeptEvents.chunkEvents * MemoryLayout<KeptEvent>.stride) }
            chunks[b] = []
            cursor[b] = nil
            limit[b] = nil
        }
    }

    /// Rows of bucket `b`.
    func rows(bucket b: Int) -> Range<Int> { (b << shift)..<min(rows, (b + 1) << shift) }
}
