import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// The scores CSV as written by each core, in order: the header, then one
/// part per core. Kept apart so that they go to the file one after another
/// without being copied into one buffer (100 MB for 500,000 leads with reasons).
public struct ScoresCSV: Sendable {
    public let chunks: [[UInt8]]
    /// Bytes in all.
    public var count: Int { chunks.reduce(0) { $0 + $1.count } }
    /// The whole CSV in one buffer (a copy).
    public var data: Data {
        var d = Data(capacity: count)
        for c in chunks { d.append(contentsOf: c) }
        return d
    }
}

/// Scores every lead of a dataset folder at one reading time, CSV to CSV:
/// what `leadcal score` runs.
///
/// leads.csv is read through the one check of data against a model
/// (``DataRequirements``); signals.csv is streamed a block at a time: parsed
/// on every core, then folded into each lead's decayed sums on every core
/// (each core the leads of its own range, so the sums do not depend on the
/// number of cores), so memory is bounded by the number of leads (16 bytes
/// per lead and signal type of the model), not of signals; the leads are then
/// scored and written on every core. Cost: one pass over the CSV bytes, one
/// `exp2` per signal row of a type the model reads, O(features) per lead.
public struct BatchScorer: Sendable {
    public let scorer: Scorer
    /// The weights file's path, as messages name it.
    public let weightsPath: String

    public init(scorer: Scorer, weightsPath: String) {
        self.scorer = scorer
        self.weightsPath = weightsPath
    }

    public struct Options: Sendable {
        /// Reading time, seconds since 1970 UTC: signals at or after it are ignored.
        public var asOf: Double
        /// Reasons per lead (0: none).
        public var reasons = 3
        /// Decimals of the probability (17: as many as a double holds).
        public var digits = 6
        /// Score when leads.csv lacks a column the model reads (reference level / training mean).
        public var allowMissingColumns = false
        public init(asOf: Double) { self.asOf = asOf }
    }

    /// What was scored, and what was ignored or stood in for.
    public struct Summary: Codable, Sendable {
        public var weightsFile: String
        public var model: String
        public var version: String
        public var asOf: String
        public var leads: Int
        /// Leads per tier.
        public var tiers: [String: Int]
        public var signalRows: Int
        public var signalsAfterAsOf: Int
        public var signalsOfUnknownLeads: Int
        public var signalsOfUnknownTypes: [String: Int]
        public var missingColumns: [String]
        /// Per column, levels the model never saw (scored as the reference).
        public var unseenLevels: [String: [String]]
        public var notes: [String]

        enum CodingKeys: String, CodingKey {
            case model, version, leads, tiers, notes
            case weightsFile = "weights_file", asOf = "as_of", signalRows = "signal_rows", signalsAfterAsOf = "signals_after_as_of"
            case signalsOfUnknownLeads = "signals_of_unknown_leads", signalsOfUnknownTypes = "signals_of_unknown_types"
            case missingColumns = "missing_columns", unseenLevels = "unseen_levels"
        }
    }

    /// The CSV header: `lead_id, probability, score, tier, model_version`, one
    /// `<axis>_logit` column per axis, `reasons`.
    public var header: [String] {
        ["lead_id", "probability", "score", "tier", "model_version"] + scorer.axisNames.map { "\($0)_logit" } + ["reasons"]
    }

    /// Scores the leads of `directory` (leads.csv and signals.csv); returns the CSV and the summary.
    public func run(directory: URL, options: Options) throws(DataError) -> (csv: ScoresCSV, summary: Summary) {
        let requirements = DataRequirements(models: [(scorer.weights, weightsPath)], allowMissingColumns: options.allowMissingColumns)
        let leads = try LeadTable.load(url: directory.appendingPathComponent("leads.csv"), requirements: requirements)
        let ids = leads.ids
        let resolver = AttributeResolver(scorer: scorer, leads: leads)
        var totals = scorer.makeTotals(leads: ids.count)
        var unknownTypes: [String: Int] = [:]
        var seenTypes = Set<String>()
        var unknownLeads = 0, rows = 0
        let scorer = self.scorer
        let plan = SignalStream.Plan(
            signalIndex: { scorer.signalIndex($0) }, asOf: options.asOf, bucketShift: BlockFold.bucketShift(signals: totals.signals), leads: ids.count)
        try SignalStream.forEachBlock(url: directory.appendingPathComponent("signals.csv"), leadIds: ids, plan: plan) { batches in
            for batch in batches {
                rows += batch.rows
                unknownLeads += batch.unknownLeads
                for (k, name) in batch.types.enumerated() {
                    seenTypes.insert(name)
                    if scorer.signalIndex(name) == nil { unknownTypes[name, default: 0] += batch.typeRows[k] }
                }
            }
            BlockFold.fold(batches, into: &totals)
        }
        var notes: [String] = []
        if !resolver.missingColumns.isEmpty {
            notes.append("leads.csv lacks \(resolver.missingColumns.joined(separator: ", ")): scored at the reference level / training mean")
        }
        if let note = requirements.missingSignalsNote(seen: seenTypes) { notes.append(note) }
        for (column, levels) in resolver.unseenLevels.sorted(by: { $0.key < $1.key }) {
            notes.append("\(column): \(levels.count) level\(levels.count == 1 ? "" : "s") unseen in training, scored as the reference (\(levels.prefix(3).map { "'\($0)'" }.joined(separator: ", "))\(levels.count > 3 ? ", …" : ""))")
        }

        // Score and write, a share of the leads on each core.
        var head = CSVWriter()
        for (k, name) in header.enumerated() {
            if k > 0 { head.byte(44) }
            head.field(name)
        }
        head.byte(10)
        let tasks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ids.count / 1000 + 1))
        struct Part { var out = CSVWriter(); var tiers: [Int] }
        let parts = SendableSlots<Part>(count: tasks)
        let shared = SendablePointer((scorer, totals, ids, resolver, options))
        parallelFor(tasks) { t in
            let (scorer, totals, ids, resolver, options) = shared.value
            var part = Part(tiers: [Int](repeating: 0, count: scorer.weights.tiers.count))
            var score = Scorer.Score()
            var attributes = resolver.makeAttributes()
            var why: [UInt8] = []
            var ranking = Scorer.ReasonRanking()
            var version = CSVWriter()
            version.field(scorer.weights.version)
            let tierCells = scorer.weights.tiers.map { tier -> [UInt8] in var w = CSVWriter(); w.field(tier.name); return w.bytes }
            for lead in (ids.count * t / tasks)..<(ids.count * (t + 1) / tasks) {
                resolver.resolve(lead: lead, into: &attributes)
                scorer.score(lead: lead, totals: totals, attributes: attributes, into: &score)
                part.tiers[score.tierIndex] += 1
                ids.withKey(lead) { part.out.field(bytes: $0) }; part.out.byte(44)
                part.out.fixed(score.probability, decimals: options.digits); part.out.byte(44)
                part.out.int(score.score); part.out.byte(44)
                part.out.bytes.append(contentsOf: tierCells[score.tierIndex]); part.out.byte(44)
                part.out.bytes.append(contentsOf: version.bytes); part.out.byte(44)
                for a in score.axisContributions { part.out.fixed(a, decimals: max(4, options.digits)); part.out.byte(44) }
                if options.reasons > 0 {
                    why.removeAll(keepingCapacity: true)
                    scorer.writeReasons(lead: lead, totals: totals, attributes: attributes, limit: options.reasons, ranking: &ranking, into: &why)
                    why.withUnsafeBufferPointer { part.out.field(bytes: $0) }
                }
                part.out.byte(10)
            }
            parts[t] = part
        }
        var tiers: [String: Int] = [:]
        var chunks = [head.bytes]
        for part in parts.values() {
            chunks.append(part.out.bytes)
            for (i, n) in part.tiers.enumerated() { tiers[scorer.weights.tiers[i].name, default: 0] += n }
        }
        let summary = Summary(
            weightsFile: weightsPath, model: scorer.weights.model, version: scorer.weights.version, asOf: formatTimestamp(options.asOf),
            leads: ids.count, tiers: tiers, signalRows: rows, signalsAfterAsOf: totals.future, signalsOfUnknownLeads: unknownLeads,
            signalsOfUnknownTypes: unknownTypes, missingColumns: resolver.missingColumns, unseenLevels: resolver.unseenLevels, notes: notes)
        return (ScoresCSV(chunks: chunks), summary)
    }
}
