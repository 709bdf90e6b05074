import Foundation
import LeadcalModel

/// What one part of signals.csv yields besides its kept events (which go to
/// the slot's ``KeptEvents/Store``): counts, time range and anomalies.
struct SignalPart: Sendable {
    var typeCounts: [String: Int] = [:]
    var rows = 0
    var undecidedEvents = 0
    var unknownLead = PartAnomaly()
    var afterAsOf = PartAnomaly()
    var minTime = Double.infinity
    var maxTime = -Double.infinity
}

/// Examples located relative to a part's first line until the part is placed in the file.
struct PartAnomaly: Sendable {
    var count = 0
    var examples: [(line: Int, detail: String)] = []
    mutating func record(_ line: Int, _ detail: @autoclosure () -> String) {
        count += 1
        if examples.count < Anomaly.exampleLimit { examples.append((line, detail())) }
    }
    func place(into a: inout Anomaly, file: String, firstLine: Int) {
        a.count += count
        for e in examples where a.examples.count < Anomaly.exampleLimit {
            a.examples.append("\(file):\(firstLine + e.line + 1): \(e.detail)")
        }
    }
}

/// The columns of signals.csv and the checks of one row: one definition for
/// loading (``SignalScan``) and scoring (``SignalStream``).
struct SignalColumns: Sendable {
    let lead: Int, signal: Int, time: Int, value: Int?
    let fieldCount: Int
    private let needed: Int

    init(_ source: CSVSource) throws(DataError) {
        let cols = try source.columns(required: ["lead_id", "signal", "occurred_at"])
        (lead, signal, time, value) = (cols[0], cols[1], cols[2], source.column("value"))
        fieldCount = source.header.count
        needed = max(lead, signal, time, value ?? 0)
    }

    /// Checks the record in `fields` (enough fields, a signal type, an
    /// `occurred_at`, a `value` ≥ 0 or empty for 1) and returns its time and
    /// value; an error names the field. `clock` is the part's timestamp
    /// reader (a date repeated from the row before is not parsed again).
    @inline(__always)
    func check(_ fields: CSVFields, _ scanner: CSVRecordScanner, _ clock: inout TimestampReader) throws(FieldError) -> (time: Double, value: Double) {
        guard fields.count > needed else {
            throw scanner.error(at: fields.last!, "expected \(fieldCount) fields, found \(fields.count)")
        }
        if fields[signal].count == 0 { throw scanner.error(at: fields[signal], "signal: expected a signal type, found an empty cell") }
        guard let t = clock.parse(scanner.bytes(fields[time])) else {
            throw scanner.error(at: fields[time], "occurred_at: expected an ISO 8601 date or date-time, found '\(scanner.string(fields[time]))'")
        }
        var v = 1.0
        if let vc = value, fields[vc].count > 0 {
            guard let x = parseNumber(scanner.bytes(fields[vc])), x >= 0 else {
                throw scanner.error(at: fields[vc], "value: expected a finite number >= 0, found '\(scanner.string(fields[vc]))'")
            }
            v = x
        }
        return (t, v)
    }
}

/// What the scan needs of each lead, in one 16-byte record: its `as_of`, its
/// decided row (−1: undecided), and the slot's count of its signal rows.
struct LeadCutoff: Sendable {
    var asOf: Double
    var row: Int32
    var events: Int32
}

/// Fixed scratch for a block of parsed rows whose leads are resolved together.
final class RowBlock {
    static let capacity = 64
    let probe = UnsafeMutablePointer<ByteInterner.Probe>.allocate(capacity: capacity)
    let lead = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    let type = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    let time = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
    let value = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
    let line = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
    let leadField = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity)
    let typeField = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity)
    deinit {
        probe.deallocate(); lead.deallocate(); type.deallocate(); time.deallocate(); value.deallocate()
        line.deallocate(); leadField.deallocate(); typeField.deallocate()
    }

    /// `lead` of a row whose key is probed but not yet looked up.
    static let unresolved: Int32 = -2
    /// `lead` of a row whose key is in no lead.
    static let unknown: Int32 = -1
    /// The last key looked up and its lead: a file grouped by lead repeats it row after row.
    var previous: (probe: ByteInterner.Probe, lead: Int32)? = nil

    /// Records row `n`'s `lead_id` field for ``resolve(_:in:)``: hashed now and
    /// its slot prefetched, looked up with its block, once the slot has had the
    /// rest of the block's parsing to arrive (a field holding doubled quotes is
    /// unescaped and looked up at once).
    @inline(__always)
    func take(_ field: CSVField, row n: Int, scanner: CSVRecordScanner, scratch: inout [UInt8], ids: ByteInterner) {
        leadField[n] = field
        if field.hasEscapedQuote {
            lead[n] = scanner.withBytes(field, scratch: &scratch) { ids.code(of: $0) }.map { Int32($0) } ?? Self.unknown
        } else {
            let p = ByteInterner.probe(scanner.bytes(field))
            ids.prefetch(p)
            probe[n] = p
            lead[n] = Self.unresolved
        }
    }

    /// Looks up the leads of rows `0..<n`, whose slots ``take(_:row:scanner:scratch:ids:)``
    /// prefetched while the block was parsed: in a file in time order (every
    /// row a different lead) the misses were paid during the parsing, not here.
    /// Cost: one key comparison per row, from cache.
    @inline(__always)
    func resolve(_ n: Int, in ids: ByteInterner) {
        for i in 0..<n where lead[i] == Self.unresolved {
            let p = probe[i]
            if let last = previous, last.probe.sameKey(as: p) {
                lead[i] = last.lead
            } else {
                let found = ids.code(of: p).map { Int32($0) } ?? Self.unknown
                lead[i] = found
                previous = (p, found)
            }
        }
    }
}

/// The per-part scan of signals.csv: the hot path of loading.
///
/// Rows are parsed a block of 64 at a time: fields, signal type (a
/// part-local interner), timestamp and value from bytes, and the `lead_id`
/// hashed (``ByteInterner/probe(_:)``) with its slot prefetched. The block's
/// leads are then looked up from cache and their 16-byte cutoffs (`as_of`,
/// decided row) prefetched, and the events of the block before it are kept:
/// each of the two cache misses of a row in a file in time order (every row a
/// different lead) is started a block of work before its data is read, so
/// neither stalls the scan; a file grouped by lead skips the lookup when a
/// row repeats the previous key. An event is kept in flat arrays only if it
/// counts for training (a decided lead, strictly before its `as_of`, a type
/// the spec uses). Cost: O(bytes) per part, two prefetched cache lines per
/// row in time order, no allocation per row beyond array growth.
struct SignalScan: Sendable {
    let leadIds: ByteInterner
    /// Per slot, per lead index: a copy of the cutoffs whose `events` the slot's scans count.
    let cutoffs: SendablePointer<UnsafeMutablePointer<LeadCutoff>>
    let specSignal: [String: Int32]
    let columns: SignalColumns
    /// Where the events that count go, per slot.
    let kept: KeptEvents

    func scanPart(_ scanner: inout CSVRecordScanner, slot: Int) throws(FieldError) -> SignalPart {
        var part = SignalPart()
        let store = kept.stores[slot]
        let cutoffs = self.cutoffs.value + slot * leadIds.count
        var types = ByteInterner()
        let typeCodes = ShortKeyCache()
        var typeIndex: [Int32] = []   // local type code -> spec signal index or -1
        var typeCount: [Int] = []
        let fields = CSVFields()
        var scratch: [UInt8] = []
        // Keeps the events of the `n` rows of `block`, whose leads are resolved and cutoffs prefetched.
        func keep(_ block: RowBlock, _ n: Int, _ scanner: CSVRecordScanner) {
            for i in 0..<n {
                let lead = Int(block.lead[i])
                guard lead >= 0 else {
                    part.unknownLead.record(block.line[i], "lead_id '\(scanner.string(block.leadField[i]))'")
                    continue
                }
                let t = block.time[i]
                cutoffs[lead].events += 1
                if t < part.minTime { part.minTime = t }
                if t > part.maxTime { part.maxTime = t }
                let cutoff = cutoffs[lead]
                if cutoff.row < 0 { part.undecidedEvents += 1; continue }
                if t >= cutoff.asOf {
                    part.afterAsOf.record(
                        block.line[i],
                        "lead_id '\(scanner.string(block.leadField[i]))' \(scanner.string(block.typeField[i])) at \(formatTimestamp(t)), as_of \(formatTimestamp(cutoff.asOf))")
                    continue
                }
                let s = typeIndex[Int(block.type[i])]
                if s < 0 { continue }
                store.append(KeptEvent(row: cutoff.row, signal: s, age: (cutoff.asOf - t) / 86400, value: block.value[i]))
            }
        }
        var block = RowBlock(), pending = RowBlock()
        var pendingRows = 0
        var clock = TimestampReader()
        while true {
            // 1. Parse a block of rows, prefetching their lead slots; errors are thrown here, at their record.
            var n = 0
            while n < RowBlock.capacity, try scanner.next(into: fields) {
                part.rows += 1
                let (t, v) = try columns.check(fields, scanner, &clock)
                let typeField = fields[columns.signal]
                var local = typeCodes.code(typeField, scanner) ?? -1
                if local < 0 {
                    let (c, new) = scanner.withBytes(typeField, scratch: &scratch) { types.insert($0) }
                    if new {
                        typeIndex.append(specSignal[scanner.string(typeField)] ?? -1)
                        typeCount.append(0)
                    }
                    typeCodes.remember(typeField, code: c, scanner)
                    local = c
                }
                typeCount[local] += 1
                block.take(fields[columns.lead], row: n, scanner: scanner, scratch: &scratch, ids: leadIds)
                block.type[n] = Int32(local)
                block.time[n] = t
                block.value[n] = v
                block.line[n] = scanner.recordLine
                block.typeField[n] = typeField
                n += 1
            }
            // 2. Its leads, from cache; their cutoffs prefetched for the next round.
            block.resolve(n, in: leadIds)
            for i in 0..<n where block.lead[i] >= 0 { prefetch(cutoffs + Int(block.lead[i])) }
            // 3. The events of the block before, whose cutoffs have arrived.
            keep(pending, pendingRows, scanner)
            if n == 0 { break }
            swap(&block, &pending)
            pendingRows = n
        }
        for k in 0..<types.count { part.typeCounts[types.string(k)] = typeCount[k] }
        return part
    }
}
