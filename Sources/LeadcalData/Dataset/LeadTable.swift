import Foundation
import LeadcalModel

/// leads.csv: one row per lead, the key and the attributes a model reads.
public struct LeadTable: Sendable {
    /// Lead keys; a lead's index is its code here (file order).
    package var ids: ByteInterner
    /// Categorical attribute columns, by column name.
    public var categories: [String: CategoryColumn]
    /// Number attribute columns, by column name.
    public var numbers: [String: [Double]]
    /// Attribute columns the model reads that leads.csv lacks (only when missing columns are allowed).
    public var missingColumns: [String]
    /// Header columns not used by the model (reported as a note).
    public var unusedColumns: [String]
    /// SHA-256 of leads.csv.
    public var sha256: String = ""

    public var count: Int { ids.count }

    /// A categorical column: the level code of each lead, and the level texts
    /// (a missing value is the level "").
    public struct CategoryColumn: Sendable, Equatable {
        public var codes: [Int32]
        public var levels: [String]
    }

    /// Reads leads.csv, keeping the attributes `requirements` names.
    /// Errors: missing `lead_id`, an empty or duplicate `lead_id`, a required
    /// attribute absent from the header (located in the spec when `marks` are
    /// given, else at the header), a missing or malformed number, a negative
    /// number under `log`, a column named twice in the header.
    static func load(url: URL, requirements: DataRequirements, marks: ModelSpec.SourceMarks?, spec: ModelSpec?) throws(DataError) -> LeadTable {
        let source = try CSVSource(url: url, name: "leads.csv")
        let idColumn = try source.columns(required: ["lead_id"])[0]
        var wanted: [(attribute: DataRequirements.Attribute, index: Int)] = []
        var missing: [String] = []
        for a in requirements.attributes {
            guard let i = source.column(a.column) else {
                if requirements.allowMissingColumns {
                    if !missing.contains(a.column) { missing.append(a.column) }
                    continue
                }
                if let marks, let spec, let axis = spec.axes.first(where: { $0.attributes.contains { $0.column == a.column } }) {
                    let mark = marks.attributes["\(axis.name)/\(a.column)"]
                    throw DataError(
                        file: marks.file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                        message: "attribute '\(a.column)' is not a column of leads.csv (columns: \(source.header.joined(separator: ", ")))")
                }
                throw requirements.missingColumnError(a.column, header: source.header)
            }
            wanted.append((a, i))
        }
        var ids = ByteInterner(capacity: 1 << 16)
        var levels = [ByteInterner](repeating: ByteInterner(), count: wanted.count)
        var codes = [[Int32]](repeating: [], count: wanted.count)
        var values = [[Double]](repeating: [], count: wanted.count)
        let fields = CSVFields()
        let needed = ([idColumn] + wanted.map(\.index)).max()!
        var scratch: [UInt8] = []
        try source.scanSequentially { (scanner, _) throws(FieldError) in
            while try scanner.next(into: fields) {
                guard fields.count > needed else {
                    throw scanner.error(at: fields.last!, "expected \(source.header.count) fields, found \(fields.count)")
                }
                let idField = fields[idColumn]
                try scanner.withBytes(idField, scratch: &scratch) { (id) throws(FieldError) in
                    if id.isEmpty { throw scanner.error(at: idField, "expected a lead_id, found an empty cell") }
                    if !ids.insert(id).inserted {
                        throw scanner.error(at: idField, "duplicate lead_id '\(scanner.string(idField))'")
                    }
                }
                for (k, w) in wanted.enumerated() {
                    let f = fields[w.index]
                    if w.attribute.categorical {
                        codes[k].append(Int32(scanner.withBytes(f, scratch: &scratch) { levels[k].insert($0).code }))
                    } else {
                        guard let v = parseNumber(scanner.bytes(f)) else {
                            let found = f.count == 0 ? "an empty cell" : "'\(scanner.string(f))'"
                            throw scanner.error(at: f, "\(w.attribute.column): expected a finite number, found \(found)")
                        }
                        if w.attribute.nonnegative && v < 0 {
                            throw scanner.error(at: f, "\(w.attribute.column): expected a number >= 0 (log attribute), found \(scanner.string(f))")
                        }
                        values[k].append(v)
                    }
                }
            }
        }
        var categories: [String: CategoryColumn] = [:]
        var numbers: [String: [Double]] = [:]
        for (k, w) in wanted.enumerated() {
            if w.attribute.categorical {
                categories[w.attribute.column] = CategoryColumn(codes: codes[k], levels: levels[k].strings)
            } else {
                numbers[w.attribute.column] = values[k]
            }
        }
        let used = Set(["lead_id"] + wanted.map(\.attribute.column))
        return LeadTable(
            ids: ids, categories: categories, numbers: numbers, missingColumns: missing,
            unusedColumns: source.header.filter { !used.contains($0) }, sha256: source.sha256)
    }

    /// Reads leads.csv for scoring with a model (see ``DataRequirements``).
    public static func load(url: URL, requirements: DataRequirements) throws(DataError) -> LeadTable {
        try load(url: url, requirements: requirements, marks: nil, spec: nil)
    }
}
