import Foundation
import LeadcalModel

/// What one part of signals.csv yields: the kept events, columnar, and counts.
struct SignalPart: Sendable {
    var row: MappedColumn<Int32>       // decided-lead row of each kept event
    var signal: MappedColumn<Int32>    // spec signal index
    var age: MappedColumn<Double>      // days before the row's as_of (> 0)
    var value: MappedColumn<Double>

    /// Room for `capacity` kept events.
    init(capacity: Int) {
        row = MappedColumn(capacity: capacity)
        signal = MappedColumn(capacity: capacity)
        age = MappedColumn(capacity: capacity)
        value = MappedColumn(capacity: capacity)
    }
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

/// The per-part scan of signals.csv: the hot path of loading.
///
/// Per row it resolves `lead_id` with one allocation-free hash lookup, the
/// signal type through a part-local interner, parses the timestamp and the
/// value from bytes, and appends the event to flat arrays only if it counts
/// for training (a decided lead, strictly before its `as_of`, a type the spec
/// uses). Cost: O(bytes) per part, no allocation per row beyond array growth.
struct SignalScan: Sendable {
    let leadIds: ByteInterner
    let leadRow: [Int32]          // decided row per lead index, -1 if undecided
    let asOf: [Double]            // per lead index
    let specSignal: [String: Int32]
    let leadColumn: Int, signalColumn: Int, timeColumn: Int, valueColumn: Int?
    let fieldCount: Int
    /// Signal rows per lead index, one zeroed array per parallel slot (summed at the end).
    let eventsPerLead: SendablePointer<UnsafeMutablePointer<Int32>>

    func scanPart(_ scanner: inout CSVRecordScanner, slot: Int) throws(FieldError) -> SignalPart {
        // Room for the most rows the part can hold (a row takes at least 16
        // bytes: "a,b,2026-01-01\n"); pages are only backed when written.
        var part = SignalPart(capacity: scanner.end / 16 + 1)
        let eventsPerLead = self.eventsPerLead.value + slot * leadIds.count
        var types = ByteInterner()
        var typeIndex: [Int32] = []   // local type code -> spec signal index or -1
        var typeCount: [Int] = []
        let fields = CSVFields()
        let needed = max(leadColumn, signalColumn, timeColumn, valueColumn ?? 0)
        var previous: (key: UnsafeBufferPointer<UInt8>, lead: Int) = (UnsafeBufferPointer(start: nil, count: 0), -1)
        var scratch: [UInt8] = []
        while try scanner.next(into: fields) {
            part.rows += 1
            guard fields.count > needed else {
                throw scanner.error(at: fields.last!, "expected \(fieldCount) fields, found \(fields.count)")
            }
            let typeField = fields[signalColumn]
            var local = scanner.withBytes(typeField, scratch: &scratch) { types.code(of: $0) } ?? -1
            if local < 0 {
                if typeField.count == 0 { throw scanner.error(at: typeField, "signal: expected a signal type, found an empty cell") }
                local = scanner.withBytes(typeField, scratch: &scratch) { types.insert($0).code }
                typeIndex.append(specSignal[scanner.string(typeField)] ?? -1)
                typeCount.append(0)
            }
            typeCount[local] += 1
            guard let t = parseTimestamp(scanner.bytes(fields[timeColumn])) else {
                throw scanner.error(at: fields[timeColumn], "occurred_at: expected an ISO 8601 date or date-time, found '\(scanner.string(fields[timeColumn]))'")
            }
            var v = 1.0
            if let vc = valueColumn, fields[vc].count > 0 {
                guard let x = parseNumber(scanner.bytes(fields[vc])), x >= 0 else {
                    throw scanner.error(at: fields[vc], "value: expected a finite number >= 0, found '\(scanner.string(fields[vc]))'")
                }
                v = x
            }
            // Exports are often grouped by lead: try the previous row's key before hashing.
            let key = scanner.bytes(fields[leadColumn])
            let lead: Int
            if fields[leadColumn].hasEscapedQuote {
                guard let found = scanner.withBytes(fields[leadColumn], scratch: &scratch, { leadIds.code(of: $0) }) else {
                    part.unknownLead.record(scanner.recordLine, "lead_id '\(scanner.string(fields[leadColumn]))'")
                    continue
                }
                lead = found
            } else if previous.lead >= 0, key.count == previous.key.count,
                key.isEmpty || memcmp(key.baseAddress!, previous.key.baseAddress!, key.count) == 0 {
                lead = previous.lead
            } else if let found = leadIds.code(of: key) {
                lead = found
                previous = (key, found)
            } else {
                part.unknownLead.record(scanner.recordLine, "lead_id '\(scanner.string(fields[leadColumn]))'")
                continue
            }
            eventsPerLead[lead] += 1
            if t < part.minTime { part.minTime = t }
            if t > part.maxTime { part.maxTime = t }
            let row = leadRow[lead]
            if row < 0 { part.undecidedEvents += 1; continue }
            let cutoff = asOf[lead]
            if t >= cutoff {
                part.afterAsOf.record(
                    scanner.recordLine,
                    "lead_id '\(scanner.string(fields[leadColumn]))' \(scanner.string(fields[signalColumn])) at \(formatTimestamp(t)), as_of \(formatTimestamp(cutoff))")
                continue
            }
            let s = typeIndex[local]
            if s < 0 { continue }
            part.row.append(row)
            part.signal.append(s)
            part.age.append((cutoff - t) / 86400)
            part.value.append(v)
        }
        for k in 0..<types.count { part.typeCounts[types.string(k)] = typeCount[k] }
        return part
    }
}
