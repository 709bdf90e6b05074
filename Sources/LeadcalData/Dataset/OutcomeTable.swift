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

    /// outcomes.csv parsed and checked, its leads not yet looked up: what can
    /// be read while leads.csv is (``parse(url:)``, then ``resolve(leads:)``).
    struct Parsed: Sendable {
        /// The `lead_id` of each row, unescaped: bytes `keyStart[i] ..< keyStart[i + 1]` of `keys`.
        var keys: [UInt8] = []
        var keyStart: [Int] = [0]
        /// 1-based file line of each row.
        var line: [Int] = []
        var won: [Bool] = []
        var asOf: [Double] = [], closedAt: [Double] = [], amount: [Double] = []
        var hasAmount = false
        var unknownColumns: [String] = []
        var sha256 = ""
        var rows: Int { line.count }
    }

    /// Reads and checks every row of outcomes.csv; no lead is looked up.
    /// Errors: a missing required column, a row with too few fields, an
    /// unknown outcome spelling, a malformed `as_of` or `closed_at`, an
    /// `amount` that is not a number >= 0. Cost: one pass over the bytes.
    static func parse(url: URL) throws(DataError) -> Parsed {
        let source = try CSVSource(url: url, name: "outcomes.csv")
        let cols = try source.columns(required: ["lead_id", "outcome", "as_of"])
        let closedColumn = source.column("closed_at")
        let amountColumn = source.column("amount")
        var parsed = Parsed()
        parsed.hasAmount = amountColumn != nil
        parsed.unknownColumns = source.header.filter { !["lead_id", "outcome", "as_of", "closed_at", "amount"].contains($0) }
        let estimate = source.estimatedRecords()
        parsed.line.reserveCapacity(estimate); parsed.won.reserveCapacity(estimate); parsed.keyStart.reserveCapacity(estimate + 1)
        parsed.asOf.reserveCapacity(estimate); parsed.closedAt.reserveCapacity(estimate); parsed.amount.reserveCapacity(estimate)
        let fields = CSVFields()
        var scratch: [UInt8] = []
        let needed = (cols + [closedColumn ?? 0, amountColumn ?? 0]).max()!
        try source.scanSequentially { (scanner, firstLine) throws(FieldError) in
            while try scanner.next(into: fields) {
                guard fields.count > needed else {
                    throw scanner.error(at: fields.last!, "expected \(source.header.count) fields, found \(fields.count)")
                }
                // Validate the row completely: a bad value is an error even on
                // a row whose lead turns out to be unknown or already decided.
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
                scanner.withBytes(fields[cols[0]], scratch: &scratch) { parsed.keys.append(contentsOf: $0) }
                parsed.keyStart.append(parsed.keys.count)
                parsed.line.append(firstLine + scanner.recordLine + 1)
                parsed.won.append(won)
                parsed.asOf.append(asOf); parsed.closedAt.append(closedAt); parsed.amount.append(amount)
            }
        }
        parsed.sha256 = source.sha256
        return parsed
    }
}

extension OutcomeTable.Parsed {
    /// The outcome table: each row's lead looked up, in file order; a row of
    /// a lead not in leads.csv, or of a lead already decided by an earlier
    /// row, is counted as an anomaly and skipped. Leads are looked up a batch
    /// at a time (``ByteInterner/codes(of:into:)``), so outcomes in no lead
    /// order do not pay one cache miss after another. Cost: O(rows).
    func resolve(leads: LeadTable) -> OutcomeTable {
        var table = OutcomeTable(
            outcome: Array(repeating: -1, count: leads.count),
            asOf: Array(repeating: .nan, count: leads.count),
            closedAt: Array(repeating: .nan, count: leads.count), rows: rows)
        table.amount = Array(repeating: .nan, count: leads.count)
        table.hasAmount = hasAmount
        table.unknownColumns = unknownColumns
        table.sha256 = sha256
        let batch = 64
        var found = [Int32](repeating: 0, count: batch)
        var probes: [ByteInterner.Probe] = []
        probes.reserveCapacity(batch)
        keys.withUnsafeBufferPointer { keys in
            func key(_ i: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: keys[keyStart[i]..<keyStart[i + 1]])
            }
            var first = 0
            while first < rows {
                let end = min(first + batch, rows)
                probes.removeAll(keepingCapacity: true)
                for i in first..<end { probes.append(ByteInterner.probe(key(i))) }
                probes.withUnsafeBufferPointer { p in found.withUnsafeMutableBufferPointer { leads.ids.codes(of: p, into: $0.baseAddress!) } }
                for i in first..<end {
                    let id = { String(decoding: key(i), as: UTF8.self) }
                    let lead = Int(found[i - first])
                    guard lead >= 0 else {
                        table.unknownLeads.record("outcomes.csv:\(line[i]): lead_id '\(id())'")
                        continue
                    }
                    if table.outcome[lead] >= 0 {
                        table.duplicates.record("outcomes.csv:\(line[i]): lead_id '\(id())'")
                        continue
                    }
                    table.outcome[lead] = won[i] ? 1 : 0
                    table.asOf[lead] = asOf[i]
                    table.closedAt[lead] = closedAt[i]
                    table.amount[lead] = amount[i]
                }
                first = end
            }
        }
        return table
    }
}
