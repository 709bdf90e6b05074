import LeadcalModel

/// The events that count for training, columnar and grouped by decided lead
/// (compressed sparse rows): the events of row `i` are
/// `rowStart[i] ..< rowStart[i + 1]`.
///
/// Only events strictly before the row's `as_of`, of a signal type the spec
/// uses, are here; their age is already in days. Within a row, events are in
/// a canonical order (oldest first, then by signal and value), whatever the
/// order of the file: the same export sorted by time or grouped by lead
/// gives the same table, bit for bit, hence the same fit. This is the layout
/// the feature builder streams through once per set of half-lives.
public struct EventTable: Sendable {
    public var rowStart: [Int]
    /// Index into `ModelSpec.signals`.
    public var signal: [Int32]
    /// `(as_of - occurred_at) / 86400`, > 0.
    public var age: [Double]
    public var value: [Double]

    public var rowCount: Int { rowStart.count - 1 }
    public var count: Int { signal.count }

    public init(rowStart: [Int], signal: [Int32], age: [Double], value: [Double]) {
        precondition(signal.count == age.count && age.count == value.count && rowStart.last == signal.count)
        self.rowStart = rowStart
        self.signal = signal
        self.age = age
        self.value = value
    }

    /// The canonical order of a row's events: oldest first (the smallest
    /// decayed terms are summed first), then by signal, then by value.
    @inline(__always)
    static func precedes(_ a: KeptEvent, _ b: KeptEvent) -> Bool {
        if a.age != b.age { return a.age > b.age }
        if a.signal != b.signal { return a.signal < b.signal }
        return a.value < b.value
    }

    /// Groups the kept events by row, a bucket of rows at a time on every
    /// core: count the bucket's events per row, place them in its slice of a
    /// scratch array (which stays in cache), sort each row's events into the
    /// canonical order, write the slice of the columns, and release the
    /// bucket. Cost: O(events · log(events per row)); memory: the table plus
    /// the buckets not yet placed.
    static func build(rows: Int, kept: KeptEvents) -> EventTable {
        var start = [Int](repeating: 0, count: rows + 1)
        start.withUnsafeMutableBufferPointer { start in
            let counts = SendablePointer(start.baseAddress! + 1)
            parallelFor(kept.bucketCount) { b in
                for store in kept.stores {
                    store.forEachChunk(bucket: b) { chunk in
                        for e in chunk { counts.value[Int(e.row)] += 1 }
                    }
                }
            }
            for i in 0..<rows { start[i + 1] += start[i] }
        }
        let total = start[rows]
        // Every slot is written exactly once by the placement below.
        var signal = [Int32](unsafeUninitializedCapacity: total) { _, n in n = total }
        var age = [Double](unsafeUninitializedCapacity: total) { _, n in n = total }
        var value = [Double](unsafeUninitializedCapacity: total) { _, n in n = total }
        signal.withUnsafeMutableBufferPointer { signal in
            age.withUnsafeMutableBufferPointer { age in
                value.withUnsafeMutableBufferPointer { value in
                    start.withUnsafeBufferPointer { start in
                        let shared = SendablePointer((start, signal, age, value))
                        parallelFor(kept.bucketCount) { b in
                            let (start, signal, age, value) = shared.value
                            place(bucket: b, of: kept, start: start) { k, e in
                                signal[k] = e.signal
                                age[k] = e.age
                                value[k] = e.value
                            }
                        }
                    }
                }
            }
        }
        return EventTable(rowStart: start, signal: signal, age: age, value: value)
    }

    /// Places bucket `b`: its events in canonical order, handed to `write` with their table index; then releases it.
    private static func place(
        bucket b: Int, of kept: KeptEvents, start: UnsafeBufferPointer<Int>, write: (Int, KeptEvent) -> Void
    ) {
        let rows = kept.rows(bucket: b)
        defer { for store in kept.stores { store.release(bucket: b) } }
        guard !rows.isEmpty else { return }
        let first = start[rows.lowerBound], count = start[rows.upperBound] - first
        guard count > 0 else { return }
        let slice = UnsafeMutableBufferPointer<KeptEvent>.allocate(capacity: count)
        defer { slice.deallocate() }
        var next = Array(start[rows.lowerBound..<rows.upperBound])
        next.withUnsafeMutableBufferPointer { next in
            for store in kept.stores {
                store.forEachChunk(bucket: b) { chunk in
                    for e in chunk {
                        let r = Int(e.row) - rows.lowerBound
                        slice.initializeElement(at: next[r] - first, to: e)
                        next[r] += 1
                    }
                }
                store.release(bucket: b)
            }
        }
        for r in rows {
            let lo = start[r] - first, hi = start[r + 1] - first
            if hi - lo > 1 {
                var events = UnsafeMutableBufferPointer(rebasing: slice[lo..<hi])
                events.sort(by: precedes)
            }
        }
        for k in 0..<count { write(first + k, slice[k]) }
    }
}
