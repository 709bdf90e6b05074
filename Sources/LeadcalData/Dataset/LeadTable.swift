import Foundation

/// leads.csv: one row per lead, the key and the attributes the spec uses.
public struct LeadTable: Sendable {
    /// Lead keys; a lead's index is its code here (file order).
    public var ids: ByteInterner
    /// Attribute columns the spec uses, by column name.
    public var attributes: [String: AttributeColumn]
    /// Header columns not used by the spec (reported as a note).
    public var unusedColumns: [String]
    /// SHA-256 of leads.csv.
    public var sha256: String = ""

    public var count: Int { ids.count }

    /// A parsed attribute column.
    public enum AttributeColumn: Sendable, Equatable {
        /// Level codes per lead, and the level texts (a missing value is the level "").
        case categorical(codes: [Int32], levels: [String])
        /// The number per lead.
        case numeric([Double])
    }

    /// Reads leads.csv, keeping the attributes `wanted` (column -> kind).
    /// Errors: missing `lead_id`, a duplicate `lead_id`, a spec attribute
    /// absent from the header (located in the spec), a missing or malformed
    /// number, a negative number under `log`.
    static func load(
        url: URL, spec: ModelSpec?, marks: ModelSpec.SourceMarks?
    ) throws(DataError) -> LeadTable {
        let source = try CSVSource(url: url, name: "leads.csv")
        let idColumn = try source.columns(required: ["lead_id"])[0]
        var wanted: [(column: String, index: Int, kind: ModelSpec.AttributeKind)] = []
        for axis in spec?.axes ?? [] {
            for a in axis.attributes {
                guard let i = source.column(a.column) else {
                    let columns = source.header.joined(separator: ", ")
                    guard let marks else {
                        throw DataError(file: "leads.csv", line: 1, column: 1,
                                        message: "missing column '\(a.column)', which the model reads (header has: \(columns))")
                    }
                    let mark = marks.attributes["\(axis.name)/\(a.column)"]
                    throw DataError(
                        file: marks.file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                        message: "attribute '\(a.column)' is not a column of leads.csv (columns: \(columns))")
                }
                wanted.append((a.column, i, a.kind))
            }
        }
        var ids = ByteInterner(capacity: 1 << 16)
        var levels = [ByteInterner](repeating: ByteInterner(), count: wanted.count)
        var codes = [[Int32]](repeating: [], count: wanted.count)
        var numbers = [[Double]](repeating: [], count: wanted.count)
        let fields = CSVFields()
        let needed = ([idColumn] + wanted.map(\.index)).max()!
        try source.scanSequentially { (scanner, _) throws(FieldError) in
            while try scanner.next(into: fields) {
                guard fields.count > needed else {
                    throw scanner.error(at: fields.last!, "expected \(source.header.count) fields, found \(fields.count)")
                }
                let idField = fields[idColumn]
                let id = scanner.bytes(idField)
                if id.isEmpty { throw scanner.error(at: idField, "expected a lead_id, found an empty cell") }
                if !ids.insert(id).inserted {
                    throw scanner.error(at: idField, "duplicate lead_id '\(scanner.string(idField))'")
                }
                for (k, w) in wanted.enumerated() {
                    let f = fields[w.index]
                    switch w.kind {
                    case .categorical:
                        codes[k].append(Int32(levels[k].insert(scanner.bytes(f)).code))
                    case .numeric, .log:
                        guard let v = parseNumber(scanner.bytes(f)) else {
                            let found = f.count == 0 ? "an empty cell" : "'\(scanner.string(f))'"
                            throw scanner.error(at: f, "\(w.column): expected a finite number, found \(found)")
                        }
                        if w.kind == .log && v < 0 {
                            throw scanner.error(at: f, "\(w.column): expected a number >= 0 (log attribute), found \(scanner.string(f))")
                        }
                        numbers[k].append(v)
                    }
                }
            }
        }
        var attributes: [String: AttributeColumn] = [:]
        for (k, w) in wanted.enumerated() {
            attributes[w.column] = w.kind == .categorical
                ? .categorical(codes: codes[k], levels: levels[k].strings) : .numeric(numbers[k])
        }
        let used = Set(["lead_id"] + wanted.map(\.column))
        return LeadTable(ids: ids, attributes: attributes, unusedColumns: source.header.filter { !used.contains($0) }, sha256: source.sha256)
    }
}
