import Foundation
import LeadcalModel

/// Streaming access to signals.csv for scoring: the rows of each block of the
/// file are parsed on every core and handed over together, so memory stays
/// bounded by a block of the file, not by the number of signals.
public enum SignalStream {
    /// The parsed rows of one part of signals.csv, columnar, in file order.
    public struct Batch: Sendable {
        /// Index of the lead in the `leadIds` given to ``forEachBlock(url:leadIds:_:)``.
        public var lead: [Int32] = []
        /// Index into ``types``.
        public var type: [Int32] = []
        /// `occurred_at`, seconds since 1970-01-01 UTC.
        public var time: [Double] = []
        public var value: [Double] = []
        /// The signal type names of this batch.
        public var types: [String] = []
        /// Rows per entry of ``types`` (rows of unknown leads included).
        public var typeRows: [Int] = []
        /// Rows whose lead_id is not in `leadIds`.
        public var unknownLeads = 0
        public var rows = 0
    }

    /// Reads `url` (a signals.csv) and calls `consume` with the batches of each
    /// block of the file (one per core), in file order. Leads are resolved a
    /// block of rows at a time (see ``RowBlock``), so a file in time order
    /// reads about as fast as one grouped by lead. Errors are the loader's:
    /// one line naming file, line and column. Cost: one pass over the bytes.
    package static func forEachBlock(url: URL, leadIds: ByteInterner, _ consume: ([Batch]) throws(DataError) -> Void) throws(DataError) {
        let source = try CSVSource(url: url, name: url.lastPathComponent, hashing: false)
        let columns = try SignalColumns(source)
        try source.scanBlocks({ (scanner, _) throws(FieldError) -> Batch in
            var batch = Batch()
            var types = ByteInterner()
            var scratch: [UInt8] = []
            let fields = CSVFields()
            let block = RowBlock()
            let capacity = scanner.end / 24 + 1
            batch.lead.reserveCapacity(capacity); batch.type.reserveCapacity(capacity)
            batch.time.reserveCapacity(capacity); batch.value.reserveCapacity(capacity)
            while true {
                var n = 0
                while n < RowBlock.capacity, try scanner.next(into: fields) {
                    batch.rows += 1
                    let (t, v) = try columns.check(fields, scanner)
                    let code = scanner.withBytes(fields[columns.signal], scratch: &scratch) { types.code(of: $0) ?? types.insert($0).code }
                    if code == batch.typeRows.count { batch.typeRows.append(0) }
                    batch.typeRows[code] += 1
                    block.take(fields[columns.lead], row: n, scanner: scanner, scratch: &scratch, ids: leadIds)
                    block.type[n] = Int32(code)
                    block.time[n] = t
                    block.value[n] = v
                    n += 1
                }
                if n == 0 { break }
                block.resolve(n, in: leadIds)
                for i in 0..<n {
                    guard block.lead[i] >= 0 else { batch.unknownLeads += 1; continue }
                    batch.lead.append(block.lead[i])
                    batch.type.append(block.type[i])
                    batch.time.append(block.time[i])
                    batch.value.append(block.value[i])
                }
            }
            batch.types = types.strings
            return batch
        }, consume: consume)
    }
}
