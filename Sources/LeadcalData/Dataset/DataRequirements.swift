import LeadcalModel

/// What a dataset must provide for a model: the attribute columns of
/// leads.csv (and how each is parsed) and the signal types it reads.
///
/// This is the one check of data against a model. Fit derives it from the
/// YAML spec; score, evaluate, compare, report and the exports derive it from
/// weights files, so a weights file scored against data that lacks one of
/// its columns fails the same way everywhere: an error naming the column and
/// the weights file, unless missing columns are allowed (then the scorer
/// uses the reference level or the training mean, and the data report counts
/// it). A signal type the data never shows is a note, not an error.
public struct DataRequirements: Sendable, Equatable {
    public struct Attribute: Sendable, Equatable {
        public var column: String
        /// Read as category levels (else as numbers).
        public var categorical: Bool
        /// Numbers must be >= 0 (a `log` attribute).
        public var nonnegative: Bool
    }

    /// Unique by (column, categorical), in first-use order.
    public private(set) var attributes: [Attribute] = []
    /// Signal types, unique, in first-use order (the event table's signal index).
    public private(set) var signals: [String] = []
    /// Who reads them, for messages: `model.yaml`, or the weights files' paths.
    public var readers: [String]
    /// Missing attribute columns are allowed (reported, not an error).
    public var allowMissingColumns: Bool

    public init(readers: [String] = [], allowMissingColumns: Bool = false) {
        self.readers = readers
        self.allowMissingColumns = allowMissingColumns
    }

    /// What `spec` reads.
    public init(spec: ModelSpec, reader: String = "model.yaml") {
        self.init(readers: [reader])
        add(spec)
    }

    /// What any of `models` reads (each with the path it was read from).
    public init(models: [(file: WeightsFile, path: String)], allowMissingColumns: Bool = false) {
        self.init(readers: models.map(\.path), allowMissingColumns: allowMissingColumns)
        for m in models { add(m.file.spec) }
    }

    public mutating func add(_ spec: ModelSpec) {
        for a in spec.attributes {
            let categorical = a.kind == .categorical
            if let i = attributes.firstIndex(where: { $0.column == a.column && $0.categorical == categorical }) {
                attributes[i].nonnegative = attributes[i].nonnegative || a.kind == .log
            } else {
                attributes.append(Attribute(column: a.column, categorical: categorical, nonnegative: a.kind == .log))
            }
        }
        for s in spec.signals where !signals.contains(s) { signals.append(s) }
    }

    /// The error for a missing attribute column (located at leads.csv's header).
    func missingColumnError(_ column: String, header: [String]) -> DataError {
        var unique: [String] = []
        for r in readers where !unique.contains(r) { unique.append(r) }
        let who = unique.isEmpty ? "the model reads" : unique.joined(separator: " and ") + (unique.count > 1 ? " read" : " reads")
        return DataError(
            file: "leads.csv", line: 1, column: 1,
            message: "no column '\(column)', which \(who) (header has: \(header.joined(separator: ", "))); "
                + "pass --allow-missing-columns to score without it (reference level, or training mean for a number)")
    }

    /// The note for signal types the model reads that the data never shows.
    public func missingSignalsNote(seen: Set<String>) -> String? {
        let missing = signals.filter { !seen.contains($0) }
        guard !missing.isEmpty else { return nil }
        return "signals.csv has no rows of \(missing.map { "'\($0)'" }.joined(separator: ", ")), which the model reads: those features are 0 for every lead"
    }
}
