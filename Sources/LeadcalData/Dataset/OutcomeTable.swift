import Foundation
import LeadcalModel

/// outcomes.csv: the won/lost feedback, one decided lead per row.
public struct OutcomeTable: Sendable {
    /// Per lead index: 1 won, 0 lost, -1 undecided (no outcome row).
    public var outcome: [Int8]
    /// Per lead index: when the score would have been read (seconds since 1970, UTC); NaN if undecided.
    public var asOf: [Double]
    /// Per lead index: when the deal was decided (defaults to `asOf`); NaN if undecided.
    public var closedAt: [Double]
    /// Per lead index: the deal value of the optional `amount` column (>= 0); NaN when absent or empty.
    public var amount: [Double] = []
    /// Whether outcomes.csv has an `amount` column.
    public var hasAmount = false
    /// Rows read.
    public var rows: Int
    public var unknownLeads = Anomaly(kind: "outcomes_of_unknown_leads", what: "outcome rows whose lead_id is not in leads.csv")
    public var duplicates = Anomaly(kind: "duplicate_outcomes", what: "further outcome rows for an already decided lead (the first is kept)")
    public var unknownColumns: [String] = []
    /// SHA-256 of outcomes.csv.
    public var sha256: String = ""

    /// The accepted spellings of a won and of a lost outcome (compared case-insensitively, trimmed).
    public static let wonSpellings: Set<String> = ["won", "closed won", "closedwon", "closed-won", "closed_won", "1", "true", "yes"]
    public static let lostSpellings: Set<String> = ["lost", "closed lost", "closedlost", "closed-lost", "closed_lost", "0", "false", "no"]

    /// The ASCII-lowercased, space-trimmed spelling → won, from the sets above.
    /// A spelling of at most 16 bytes, lowercased, packed into two words (zero-padded).
    private struct Packed: Hashable { var lo: UInt64; var hi: UInt64 }

    private static func pack<C: Collection>(_ bytes: C) -> Packed? where C.Element == UInt8 {
        guard bytes.count <= 16 else { return nil }
        var p = Packed(lo: 0, hi: 0)
        for (i, c) in bytes.enumerated() {
            let lower = UInt64(c >= 0x41 && c <= 0x5A ? c + 32 : c)
            if i < 8 { p.lo |= lower << UInt64(8 * i) } else { p.hi |= lower << UInt64(8 * (i - 8)) }
        }
        return p
    }

    private static let spellings: [Packed: Bool] = {
        var m: [Packed: Bool] = [:]
        for w in wonSpellings { m[pack(Array(w.utf8))!] = true }
        for l in lostSpellings { m[pack(Array(l.utf8))!] = false }
        return m
    }()

    /// Won (true), lost (false), or nil for an unknown spelling; nothing is allocated.
    static func spelling(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var lo = 0, hi = bytes.count
        while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
        return pack(bytes[lo..<hi]).flatMap { spellings[$0] }
    }

    /// A checked row of outcomes.csv waiting for its lead.
    private struct Row {
        var id: CSVField
        var line: Int
        var won: Bool
        var asOf: Double, closedAt: Double, amount: Double
    }

    /// Reads outcomes.csv against `leads`.
    static func load(url: URL, leads: LeadTable) throws(DataError) -> OutcomeTable {
        let source = try CSVSource(url: url, name: "outcomes.csv")
        let cols = try source.columns(required: ["lead_id", "outcome", "as_of"])
        let closedColumn = source.column("closed_at")
        let amountColumn = source.column("amount")
        var table = OutcomeTable(
            outcome: Array(repeating: -1, count: leads.count),
            asOf: Array(repeating: .nan, count: leads.count),
            closedAt: Array(repeating: .nan, count: leads.count), rows: 0)
        table.amount = Array(repeating: .nan, count: leads.count)
        table.hasAmount = amountColumn != nil
        table.unknownColumns = source.header.filter { !["lead_id", "outcome", "as_of", "closed_at", "amount"].contains($0) }
        let fields = CSVFields()
        var scratch: [UInt8] = []
        let needed = (cols + [closedColumn ?? 0, amountColumn ?? 0]).max()!
        // Checked rows wait in a batch whose leads are looked up together
        // (``ByteInterner/codes(of:into:)``), so outcomes in no lead order do
        // not pay one cache miss after another; then they are placed in file order.
        let batch = 64
        var probes: [ByteInterner.Probe] = []
        var pending: [Row] = []
        var found = [Int32](repeating: 0, count: batch)
        probes.reserveCapacity(batch)
        pending.reserveCapacity(batch)
        try source.scanSequentially { (scanner, firstLine) throws(FieldError) in
            func place(_ row: Row, lead: Int?) {
                guard let lead else {
                    table.unknownLeads.record("outcomes.csv:\(row.line): lead_id '\(scanner.string(row.id))'")
                    return
                }
                if table.outcome[lead] >= 0 {
                    table.duplicates.record("outcomes.csv:\(row.line): lead_id '\(scanner.string(row.id))'")
                    return
                }
                table.outcome[lead] = row.won ? 1 : 0
                table.asOf[lead] = row.asOf
                table.closedAt[lead] = row.closedAt
                table.amount[lead] = row.amount
            }
            func flush() {
                probes.withUnsafeBufferPointer { p in found.withUnsafeMutableBufferPointer { leads.ids.codes(of: p, into: $0.baseAddress!) } }
                for (k, row) in pending.enumerated() { place(row, lead: found[k] >= 0 ? Int(found[k]) : nil) }
                probes.removeAll(keepingCapacity: true)
                pending.removeAll(keepingCapacity: true)
            }
            while try scanner.next(into: fields) {
                table.rows += 1
                guard fields.count > needed else {
                    throw scanner.error(at: fields.last!, "expected \(source.header.count) fields, found \(fields.count)")
                }
                let lineNumber = firstLine + scanner.recordLine + 1
                let idField = fields[cols[0]]
                // Validate the row completely before looking the lead up: a bad
                // value is an error even on a row that is otherwise skipped.
                let won: Bool
                switch Self.spelling(scanner.bytes(fields[cols[1]])) {
                case true?: won = true
                case false?: won = false
                case nil:
                    throw scanner.error(
                        at: fields[cols[1]],
                        "outcome: expected won or lost (or closed won, closedwon, 1, true, yes / closed lost, closedlost, 0, false, no), found '\(scanner.string(fields[cols[1]]))'")
                }
                guard let asOf = parseTimestamp(scanner.bytes(fields[cols[2]])) else {
                    throw scanner.error(at: fields[cols[2]], "as_of: expected an ISO 8601 date or date-time, found '\(scanner.string(fields[cols[2]]))'")
                }
                var closedAt = asOf
                if let c = closedColumn, fields[c].count > 0 {
                    guard let t = parseTimestamp(scanner.bytes(fields[c])) else {
                        throw scanner.error(at: fields[c], "closed_at: expected an ISO 8601 date or date-time, found '\(scanner.string(fields[c]))'")
                    }
                    closedAt = t
                }
                var amount = Double.nan
                if let c = amountColumn, fields[c].count > 0 {
                    guard let v = parseNumber(scanner.bytes(fields[c])), v.isFinite, v >= 0 else {
                        throw scanner.error(at: fields[c], "amount: expected a deal value >= 0, found '\(scanner.string(fields[c]))'")
                    }
                    amount = v
                }
                let row = Row(id: idField, line: lineNumber, won: won, asOf: asOf, closedAt: closedAt, amount: amount)
                if idField.hasEscapedQuote {
                    // Unescaped into scratch: looked up at once, after the batch before it.
                    flush()
                    place(row, lead: scanner.withBytes(idField, scratch: &scratch) { leads.ids.code(of: $0) })
                } else {
                    probes.append(ByteInterner.probe(scanner.bytes(idField)))
                    pending.append(row)
                    if pending.count == batch { flush() }
                }
            }
            flush()   // the block's bytes are valid until the body returns
        }
        table.sha256 = source.sha256
        return table
    }
}
