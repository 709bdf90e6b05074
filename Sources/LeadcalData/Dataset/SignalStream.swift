import Foundation
import LeadcalModel

/// Streaming access to signals.csv for scoring: events are handed over in
/// batches as the file is read (on every core), so memory stays bounded by
/// a block of the file, not by the number of signals.
public enum SignalStream {
    /// A batch of parsed signal rows, columnar, in file order.
    public struct Batch: Sendable {
        /// Index of the lead in the `leadIds` given to ``forEach(url:leadIds:_:)``.
        public var lead: [Int32] = []
        /// Index into ``types``.
        public var type: [Int32] = []
        /// `occurred_at`, seconds since 1970-01-01 UTC.
        public var time: [Double] = []
        public var value: [Double] = []
        /// The signal type names of this batch.
        public var types: [String] = []
        /// Rows whose lead_id is not in `leadIds`.
        public var unknownLeads = 0
        public var rows = 0
    }

    /// Reads `url` (a signals.csv) and calls `consume` with each batch, in file order.
    /// Errors are the loader's: one line naming file, line and column.
    package static func forEach(url: URL, leadIds: ByteInterner, _ consume: (Batch) throws(DataError) -> Void) throws(DataError) {
        let source = try CSVSource(url: url, name: url.lastPathComponent, hashing: false)
        let cols = try source.columns(required: ["lead_id", "signal", "occurred_at"])
        let valueColumn = source.column("value")
        let fieldCount = source.header.count
        let needed = max(cols[0], cols[1], cols[2], valueColumn ?? 0)
        try source.scan({ (scanner, _) throws(FieldError) -> Batch in
            var batch = Batch()
            var types = ByteInterner()
            var scratch: [UInt8] = []
            let fields = CSVFields()
            while try scanner.next(into: fields) {
                batch.rows += 1
                guard fields.count > needed else {
                    throw scanner.error(at: fields.last!, "expected \(fieldCount) fields, found \(fields.count)")
                }
                guard let t = parseTimestamp(scanner.bytes(fields[cols[2]])) else {
                    throw scanner.error(at: fields[cols[2]], "occurred_at: expected an ISO 8601 date or date-time, found '\(scanner.string(fields[cols[2]]))'")
                }
                var v = 1.0
                if let vc = valueColumn, fields[vc].count > 0 {
                    guard let x = parseNumber(scanner.bytes(fields[vc])), x >= 0 else {
                        throw scanner.error(at: fields[vc], "value: expected a finite number >= 0, found '\(scanner.string(fields[vc]))'")
                    }
                    v = x
                }
                guard let lead = scanner.withBytes(fields[cols[0]], scratch: &scratch, { leadIds.code(of: $0) }) else {
                    batch.unknownLeads += 1
                    continue
                }
                let code = scanner.withBytes(fields[cols[1]], scratch: &scratch) { types.code(of: $0) ?? types.insert($0).code }
                batch.lead.append(Int32(lead))
                batch.type.append(Int32(code))
                batch.time.append(t)
                batch.value.append(v)
            }
            batch.types = types.strings
            return batch
        }) { (batch, _) throws(DataError) in try consume(batch) }
    }
}
