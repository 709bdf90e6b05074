import Foundation
import LeadcalModel

/// A dataset folder read against a model spec: leads, outcomes, the events
/// that count for training, and the data report.
///
/// Loading reads leads.csv and outcomes.csv first (small, one on each core),
/// then streams signals.csv on every core, keeping for each event only what training
/// needs. Peak memory is about 45 bytes per kept event; the CSV is never held
/// whole.
public struct Dataset: Sendable {
    /// The spec the data were read against (fit, inspect, backtest); nil when
    /// read for weights files (see ``load(directory:requirements:)``).
    public var spec: ModelSpec?
    /// What was read: the attribute columns and the signal types (the event table's signal index).
    public var requirements: DataRequirements
    public var leads: LeadTable
    public var outcomes: OutcomeTable
    /// Lead index of each decided row (rows are the decided leads in leads.csv order).
    public var decided: [Int32]
    /// Events of the decided rows that count for training.
    public var events: EventTable
    public var report: DataReport
    /// SHA-256 (hex) of each input file, by name: the lineage of a weights
    /// file. signals.csv's is computed when first asked for, unless the load
    /// started it in the background (``FileDigest/Timing``).
    public var fingerprints: [String: String] {
        ["leads.csv": leads.sha256, "outcomes.csv": outcomes.sha256, "signals.csv": signalsDigest.wait() ?? ""]
    }
    private let signalsDigest: FileDigest

    /// 1 for won, 0 for lost, per decided row.
    public let labels: [Double]
    /// `as_of` per decided row.
    public let asOf: [Double]
    /// `closed_at` per decided row.
    public let closedAt: [Double]
    /// The deal value per decided row (outcomes.csv's optional `amount`); NaN when absent or empty.
    public var amount: [Double] { decided.map { outcomes.amount[Int($0)] } }
    /// The lead key of a decided row.
    public func leadID(row: Int) -> String { leads.ids.string(Int(decided[row])) }

    /// Reads the dataset in `directory`. The spec is `specURL`, else
    /// `directory/model.yaml` if present; without a spec only the report is
    /// meaningful (no attribute is read and no event is kept).
    /// `fingerprint`: when signals.csv's SHA-256 is computed (``fingerprints``);
    /// `.background` for a load that will write a weights file.
    public static func load(directory: URL, specURL: URL? = nil, fingerprint: FileDigest.Timing = .onDemand) throws(DataError) -> Dataset {
        var spec: ModelSpec? = nil
        var marks: ModelSpec.SourceMarks? = nil
        try checkFolder(directory)
        let defaultSpec = directory.appendingPathComponent("model.yaml")
        if let url = specURL ?? (FileManager.default.fileExists(atPath: defaultSpec.path) ? defaultSpec : nil) {
            (spec, marks) = try ModelSpec.load(url: url)
        }
        return try load(directory: directory, spec: spec, marks: marks, fingerprint: fingerprint)
    }

    /// Reads the dataset in `directory` against a spec given as a value.
    /// An attribute the spec names that leads.csv lacks is reported at leads.csv's header.
    public static func load(directory: URL, spec: ModelSpec?, fingerprint: FileDigest.Timing = .onDemand) throws(DataError) -> Dataset {
        try load(directory: directory, spec: spec, marks: nil, fingerprint: fingerprint)
    }

    /// Reads the dataset in `directory` for models given by their
    /// requirements (weights files: evaluate, compare, report, the exports).
    public static func load(directory: URL, requirements: DataRequirements, fingerprint: FileDigest.Timing = .onDemand) throws(DataError) -> Dataset {
        try load(directory: directory, spec: nil, requirements: requirements, marks: nil, fingerprint: fingerprint)
    }

    private static func load(directory: URL, spec: ModelSpec?, marks: ModelSpec.SourceMarks?, fingerprint: FileDigest.Timing) throws(DataError) -> Dataset {
        let requirements = spec.map { DataRequirements(spec: $0, reader: marks?.file ?? "model.yaml") } ?? DataRequirements()
        return try load(directory: directory, spec: spec, requirements: requirements, marks: marks, fingerprint: fingerprint)
    }

    private static func load(
        directory: URL, spec: ModelSpec?, requirements: DataRequirements, marks: ModelSpec.SourceMarks?, fingerprint: FileDigest.Timing
    ) throws(DataError) -> Dataset {
        try checkFolder(directory)
        let signalsURL = directory.appendingPathComponent("signals.csv")
        let signalsDigest = FileDigest(url: signalsURL, timing: fingerprint)
        // leads.csv on one core; outcomes.csv parsed and signals.csv opened (its header
        // checked, its first block read) on the other. Errors are thrown in that order.
        let leadsResult = SendableSlots<Result<LeadTable, DataError>>(count: 1)
        let rest = SendableSlots<Result<(OutcomeTable.Parsed, CSVSource, SignalColumns), DataError>>(count: 1)
        parallelFor(2) { task in
            if task == 0 {
                leadsResult[0] = Result { () throws(DataError) in
                    try LeadTable.load(url: directory.appendingPathComponent("leads.csv"), requirements: requirements, marks: marks, spec: spec)
                }
            } else {
                rest[0] = Result { () throws(DataError) in
                    let parsed = try OutcomeTable.parse(url: directory.appendingPathComponent("outcomes.csv"))
                    let source = try CSVSource(url: signalsURL, name: "signals.csv", hashing: false)
                    return (parsed, source, try SignalColumns(source))
                }
            }
        }
        let leads = try leadsResult[0].get()
        let (parsedOutcomes, source, columns) = try rest[0].get()
        let outcomes = parsedOutcomes.resolve(leads: leads)

        var decided: [Int32] = []
        var cutoffs = [LeadCutoff](repeating: LeadCutoff(asOf: 0, row: -1, events: 0), count: leads.count)
        for i in 0..<leads.count where outcomes.outcome[i] >= 0 {
            cutoffs[i] = LeadCutoff(asOf: outcomes.asOf[i], row: Int32(decided.count), events: 0)
            decided.append(Int32(i))
        }

        var specSignal: [String: Int32] = [:]
        for (k, s) in requirements.signals.enumerated() { specSignal[s] = Int32(k) }
        let slots = CSVSource.maxParallelParts
        // One copy of the leads' cutoffs per parallel slot, each counting its slot's rows per lead.
        let perSlot = HugePages.allocate(LeadCutoff.self, capacity: slots * max(leads.count, 1))
        for slot in 0..<slots { (perSlot + slot * leads.count).initialize(from: cutoffs, count: leads.count) }
        defer { perSlot.deallocate() }
        let scan = SignalScan(
            leadIds: leads.ids, cutoffs: SendablePointer(perSlot), specSignal: specSignal,
            columns: columns, kept: KeptEvents(rows: decided.count, slots: slots))

        var eventsPerLead = [Int32](repeating: 0, count: leads.count)
        var typeCounts: [String: Int] = [:]
        var unknownLead = Anomaly(kind: "signals_of_unknown_leads", what: "signal rows whose lead_id is not in leads.csv")
        var afterAsOf = Anomaly(kind: "signals_at_or_after_as_of", what: "signal rows of decided leads at or after the lead's as_of (ignored for training)")
        var rows = 0, undecidedEvents = 0
        var minTime = Double.infinity, maxTime = -Double.infinity
        try source.scan({ (scanner, slot) throws(FieldError) in try scan.scanPart(&scanner, slot: slot) }) { (part, firstLine) in
            rows += part.rows
            undecidedEvents += part.undecidedEvents
            for (t, c) in part.typeCounts { typeCounts[t, default: 0] += c }
            part.unknownLead.place(into: &unknownLead, file: "signals.csv", firstLine: firstLine)
            part.afterAsOf.place(into: &afterAsOf, file: "signals.csv", firstLine: firstLine)
            minTime = min(minTime, part.minTime)
            maxTime = max(maxTime, part.maxTime)
        }
        let events = EventTable.build(rows: decided.count, kept: scan.kept)
        for slot in 0..<slots {
            for i in 0..<leads.count { eventsPerLead[i] &+= perSlot[slot * leads.count + i].events }
        }

        var notes: [String] = []
        if !leads.missingColumns.isEmpty {
            notes.append("leads.csv lacks \(leads.missingColumns.map { "'\($0)'" }.joined(separator: ", ")), which the model reads: scored at the reference level (categories) or the training mean (numbers)")
        }
        if let note = requirements.missingSignalsNote(seen: Set(typeCounts.keys)) { notes.append(note) }
        var report = DataReport.make(
            spec: spec, requirements: requirements, notes: notes, leads: leads, outcomes: outcomes, decided: decided, signalRows: rows,
            signalColumns: source.header, signalTimeRange: (minTime, maxTime), eventsPerLead: eventsPerLead,
            typeCounts: typeCounts, unknownLead: unknownLead, afterAsOf: afterAsOf,
            undecidedEvents: undecidedEvents, keptEvents: events.count)
        let labels = decided.map { outcomes.outcome[Int($0)] == 1 ? 1.0 : 0 }
        if spec != nil { report.leakage = LastDayPileUp.find(events: events, signals: requirements.signals, labels: labels) }
        return Dataset(
            spec: spec, requirements: requirements, leads: leads, outcomes: outcomes, decided: decided, events: events, report: report, signalsDigest: signalsDigest,
            labels: labels, asOf: decided.map { outcomes.asOf[Int($0)] },
            closedAt: decided.map { outcomes.closedAt[Int($0)] })
    }

    /// A clear error when `directory` is not a readable dataset folder, naming it.
    static func checkFolder(_ directory: URL) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw DataError(file: directory.path, line: 0, column: 0, message: "no such folder")
        }
        guard isDirectory.boolValue else {
            throw DataError(file: directory.path, line: 0, column: 0, message: "not a folder: expected a dataset folder holding leads.csv, signals.csv and outcomes.csv")
        }
        let missing = ["leads.csv", "signals.csv", "outcomes.csv"].filter {
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        if !missing.isEmpty {
            throw DataError(file: directory.path, line: 0, column: 0, message: "not a dataset folder: no \(missing.joined(separator: ", "))")
        }
    }
}
