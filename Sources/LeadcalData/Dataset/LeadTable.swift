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
        // Sized for the file's rows up front: no rehash while 500,000 keys go in.
        var ids = ByteInterner(capacity: source.estimatedRecords())
        var levels = [ByteInterner](repeating: ByteInterner(), count: wanted.count)
        var codes = [[Int32]](repeating: [], count: wanted.count)
        var values = [[Double]](repeating: [], count: wanted.count)
        let fields = CSVFields()
        let needed = ([idColumn] + wanted.map(\.index)).max()!
        var scratch: [UInt8] = []
        // Keys are inserted a batch at a time, their slots loaded together
        // (``ByteInterner/insert(_:inserted:)``), in file order.
        let batch = 64
        var probes: [ByteInterner.Probe] = [], inserted = [Bool](repeating: false, count: batch)
        var located: [(field: CSVField, record: (line: Int, lineStart: Int))] = []
        probes.reserveCapacity(batch)
        located.reserveCapacity(batch)
        try source.scanSequentially { (scanner, _) throws(FieldError) in
            func flush() throws(FieldError) {
                guard !probes.isEmpty else { return }
                probes.withUnsafeBufferPointer { p in inserted.withUnsafeMutableBufferPointer { ids.insert(p, inserted: $0.baseAddress!) } }
                let duplicate = probes.indices.first { !inserted[$0] }.map { located[$0] }
                probes.removeAll(keepingCapacity: true)
                located.removeAll(keepingCapacity: true)
                if let d = duplicate { throw scanner.error(at: d.field, record: d.record, "duplicate lead_id '\(scanner.string(d.field))'") }
            }
            // An error in a row is thrown after the batch before it is inserted,
            // so the first error in file order is the one reported.
            do throws(FieldError) {
                while try scanner.next(into: fields) {
                    guard fields.count > needed else {
                        throw scanner.error(at: fields.last!, "expected \(source.header.count) fields, found \(fields.count)")
                    }
                    let idField = fields[idColumn]
                    if idField.count == 0 { throw scanner.error(at: idField, "expected a lead_id, found an empty cell") }
                    if idField.hasEscapedQuote {
                        // Unescaped into scratch: inserted at once, after the batch before it.
                        try flush()
                        try scanner.withBytes(idField, scratch: &scratch) { (id) throws(FieldError) in
                            if !ids.insert(id).inserted { throw scanner.error(at: idField, "duplicate lead_id '\(scanner.string(idField))'") }
                        }
                    } else {
                        probes.append(ByteInterner.probe(scanner.bytes(idField)))
                        located.append((idField, (scanner.recordLine, scanner.recordLineStart)))
                        if probes.count == batch { try flush() }
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
            } catch {
                try flush()
                throw error
            }
            try flush()   // the block's bytes are valid until the body returns
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
