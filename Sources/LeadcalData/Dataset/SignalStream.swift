import Foundation
import LeadcalModel

/// Streaming access to signals.csv for scoring: the rows of each block of the
/// file are parsed on every core and handed over together, so memory stays
/// bounded by a block of the file, not by the number of signals.
public enum SignalStream {
    /// How the rows of a block are kept for folding into per-lead sums.
    package struct Plan: Sendable {
        /// The index of a signal type in the model, or nil for a type it does not read (not kept).
        package var signalIndex: @Sendable (String) -> Int?
        /// Reading time, seconds since 1970 UTC: a row's age is `(asOf − occurred_at) / 86400` days.
        package var asOf: Double
        /// Leads of a bucket: `lead >> bucketShift` is a row's bucket.
        package var bucketShift: Int
        /// Number of leads (of `leadIds`).
        package var leads: Int

        package init(signalIndex: @escaping @Sendable (String) -> Int?, asOf: Double, bucketShift: Int, leads: Int) {
            self.signalIndex = signalIndex
            self.asOf = asOf
            self.bucketShift = bucketShift
            self.leads = leads
        }

        /// Number of buckets.
        package var buckets: Int { (max(leads, 1) - 1) >> bucketShift + 1 }
    }

    /// The parsed rows of one part of a block of signals.csv.
    ///
    /// The rows kept (a known lead, a type the model reads) are columns
    /// sorted by bucket of leads, in file order within a bucket: bucket `k`
    /// is `bucketStart[k]..<bucketStart[k + 1]`. The columns live in memory the
    /// stream reuses for the next block: valid during the `consume` call only.
    public struct Batch: @unchecked Sendable {
        /// Index of the lead in the `leadIds` given to ``forEachBlock(url:leadIds:plan:_:)``.
        package let lead: UnsafePointer<Int32>
        /// The model's index of the row's signal type.
        package let signal: UnsafePointer<Int32>
        /// Age at the plan's reading time, days (≤ 0: at or after it).
        package let age: UnsafePointer<Double>
        package let value: UnsafePointer<Double>
        /// Start of each bucket's rows, and the end of the last (`buckets + 1` entries).
        package let bucketStart: [Int]
        /// The signal type names of this part (read by the model or not).
        public var types: [String] = []
        /// Rows per entry of ``types`` (rows of unknown leads included).
        public var typeRows: [Int] = []
        /// Rows whose lead_id is not in `leadIds`.
        public var unknownLeads = 0
        public var rows = 0
    }

    /// Columns of kept rows: raw memory that grows and is reused block after block.
    final class Columns {
        private(set) var lead: UnsafeMutablePointer<Int32>
        private(set) var signal: UnsafeMutablePointer<Int32>
        private(set) var age: UnsafeMutablePointer<Double>
        private(set) var value: UnsafeMutablePointer<Double>
        private(set) var capacity = 0

        init() {
            lead = .allocate(capacity: 1); signal = .allocate(capacity: 1)
            age = .allocate(capacity: 1); value = .allocate(capacity: 1)
        }
        deinit { lead.deallocate(); signal.deallocate(); age.deallocate(); value.deallocate() }

        /// Room for at least `count` rows; the first `keep` are kept.
        func reserve(_ count: Int, keep: Int) {
            guard count > capacity else { return }
            let c = max(count, capacity * 3 / 2, 1024)
            func grow<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
                let q = UnsafeMutablePointer<T>.allocate(capacity: c)
                q.moveInitialize(from: p, count: keep)
                p.deallocate()
                return q
            }
            lead = grow(lead); signal = grow(signal); age = grow(age); value = grow(value)
            capacity = c
        }
    }

    /// One part's memory: the kept rows in file order, then sorted by bucket.
    final class Slot: @unchecked Sendable {
        let rows = Columns(), sorted = Columns()
    }

    /// Reads `url` (a signals.csv) and calls `consume` with the batches of each
    /// block of the file (one per core), in file order. Leads are resolved a
    /// block of rows at a time (see ``RowBlock``), so a file in time order
    /// reads about as fast as one grouped by lead; each part then sorts its
    /// kept rows by bucket of leads (a counting sort, on the core that parsed
    /// them), so folding needs no pass of its own to find a core's rows.
    /// Errors are the loader's: one line naming file, line and column.
    /// Cost: one pass over the bytes, two over the kept rows (count while
    /// parsing, then place); memory: 48 bytes per kept row of a block per part, reused.
    package static func forEachBlock(
        url: URL, leadIds: ByteInterner, plan: Plan, _ consume: ([Batch]) throws(DataError) -> Void
    ) throws(DataError) {
        let source = try CSVSource(url: url, name: url.lastPathComponent, hashing: false)
        let columns = try SignalColumns(source)
        let slots = (0..<CSVSource.maxParallelParts).map { _ in Slot() }
        let buckets = plan.buckets
        try source.scanBlocks({ (scanner, slot) throws(FieldError) -> Batch in
            let memory = slots[slot], kept = memory.rows
            var types = ByteInterner()
            let typeCodes = ShortKeyCache()
            var typeRows: [Int] = []
            var typeSignal: [Int32] = []   // local type code -> model signal index or −1
            var rows = 0, unknownLeads = 0, count = 0
            var bucketStart = [Int](repeating: 0, count: buckets + 1)
            var scratch: [UInt8] = []
            let fields = CSVFields()
            var block = RowBlock(), pending = RowBlock()
            var pendingRows = 0
            var clock = TimestampReader()
            let asOf = plan.asOf, shift = plan.bucketShift
            kept.reserve(scanner.end / 32 + RowBlock.capacity, keep: 0)
            while true {
                var n = 0
                while n < RowBlock.capacity, try scanner.next(into: fields) {
                    rows += 1
                    let (t, v) = try columns.check(fields, scanner, &clock)
                    let typeField = fields[columns.signal]
                    var code = typeCodes.code(typeField, scanner) ?? -1
                    if code < 0 {
                        let (c, new) = scanner.withBytes(typeField, scratch: &scratch) { types.insert($0) }
                        if new {
                            typeRows.append(0)
                            typeSignal.append(plan.signalIndex(scanner.string(typeField)).map { Int32($0) } ?? -1)
                        }
                        typeCodes.remember(typeField, code: c, scanner)
                        code = c
                    }
                    typeRows[code] += 1
                    block.take(fields[columns.lead], row: n, scanner: scanner, scratch: &scratch, ids: leadIds)
                    block.type[n] = typeSignal[code]
                    block.time[n] = t
                    block.value[n] = v
                    n += 1
                }
                // The block before this one: its slots have had this block's parsing to arrive.
                pending.resolve(pendingRows, in: leadIds)
                kept.reserve(count + pendingRows, keep: count)
                let (lead, signal, age, value) = (kept.lead, kept.signal, kept.age, kept.value)
                for i in 0..<pendingRows {
                    let l = pending.lead[i]
                    guard l >= 0 else { unknownLeads += 1; continue }
                    let s = pending.type[i]
                    guard s >= 0 else { continue }
                    lead[count] = l
                    signal[count] = s
                    age[count] = (asOf - pending.time[i]) / 86400
                    value[count] = pending.value[i]
                    bucketStart[Int(l) >> shift + 1] += 1
                    count += 1
                }
                if n == 0 { break }
                swap(&block, &pending)
                pendingRows = n
            }
            // Counting sort by bucket, file order kept within each bucket.
            for k in 0..<buckets { bucketStart[k + 1] += bucketStart[k] }
            let sorted = memory.sorted
            sorted.reserve(count, keep: 0)
            var next = bucketStart
            next.withUnsafeMutableBufferPointer { next in
                for e in 0..<count {
                    let l = kept.lead[e]
                    let k = Int(l) >> shift
                    let at = next[k]
                    next[k] = at + 1
                    sorted.lead[at] = l
                    sorted.signal[at] = kept.signal[e]
                    sorted.age[at] = kept.age[e]
                    sorted.value[at] = kept.value[e]
                }
            }
            var batch = Batch(lead: sorted.lead, signal: sorted.signal, age: sorted.age, value: sorted.value, bucketStart: bucketStart)
            batch.types = types.strings
            batch.typeRows = typeRows
            batch.unknownLeads = unknownLeads
            batch.rows = rows
            return batch
        }, consume: consume)
    }
}
