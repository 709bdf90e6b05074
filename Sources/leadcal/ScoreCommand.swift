import ArgumentParser
import Foundation
import LeadcalData
import LeadcalScorer
import LeadcalEvaluation
import LeadcalModel

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every lead of a dataset with a weights file.",
        discussion: """
            Reads DATA_DIR/leads.csv and streams DATA_DIR/signals.csv (outcomes.csv is not \
            needed), folding each signal before the reading time into the lead's decayed \
            sums; memory is bounded by the number of leads, not of signals. Writes CSV: \
            lead_id, probability, score (0-100), tier, one <axis>_logit column per axis, \
            and reasons (the features that move the lead most against an average training \
            lead, separated by "; ").

            The weights file is validated first: format, format version, checksum.
            """
    )

    @Option(help: "Weights file to score with.", completion: .file(extensions: ["json"]))
    var weights: String

    @Argument(help: "Folder holding leads.csv and signals.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Reading time: an ISO 8601 date or date-time, or 'now'. Signals at or after it are ignored.")
    var asOf: String = "now"

    @Option(help: "Write the CSV to this file (atomically) instead of stdout.", completion: .file(extensions: ["csv"]))
    var out: String?

    @Option(help: "Reasons per lead.")
    var reasons: Int = 3

    @Flag(help: "Score even when leads.csv lacks a column the weights read: categories then take the reference level, numbers the training mean (counted in the summary).")
    var allowMissingColumns = false

    @Flag(help: "Print a JSON summary (counts per tier, ignored signals, attribute problems) on stdout; requires --out.")
    var json = false

    func validate() throws {
        if asOf != "now" && parseTimestamp(asOf) == nil { throw ValidationError("--as-of: expected an ISO 8601 date or date-time or 'now', found '\(asOf)'") }
        if json && out == nil { throw ValidationError("--json prints a summary on stdout: give the CSV a file with --out") }
        if reasons < 0 { throw ValidationError("--reasons must be >= 0") }
    }

    struct Summary: Encodable {
        var weights_file: String
        var model: String
        var version: String
        var as_of: String
        var leads: Int
        var tiers: [String: Int]
        var signal_rows: Int
        var signals_after_as_of: Int
        var signals_of_unknown_leads: Int
        var signals_of_unknown_types: [String: Int]
        var missing_columns: [String]
        var unseen_levels: [String: [String]]
        var notes: [String]
        var out: String?
        var seconds: Double
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let scorer: Scorer = try runReportingDataErrors {
            do { return try Scorer.load(URL(fileURLWithPath: weights)) } catch let e as WeightsError { throw CLIError(e.message) }
        }
        let readingTime = asOf == "now" ? Date().timeIntervalSince1970 : parseTimestamp(asOf)!
        let dir = URL(fileURLWithPath: dataDir)
        let requirements = DataRequirements(models: [(scorer.weights, weights)], allowMissingColumns: allowMissingColumns)
        let leads = try runReportingDataErrors {
            try LeadTable.load(url: dir.appendingPathComponent("leads.csv"), requirements: requirements)
        }
        let ids = leads.ids
        let resolver = AttributeResolver(scorer: scorer, leads: leads)
        var totals = scorer.makeTotals(leads: ids.count)
        var unknownTypes: [String: Int] = [:]
        var seenTypes = Set<String>()
        var unknownLeads = 0, rows = 0
        Progress.say("scoring \(ids.count) leads…")
        try runReportingDataErrors {
            try SignalStream.forEach(url: dir.appendingPathComponent("signals.csv"), leadIds: ids) { batch in
                rows += batch.rows
                unknownLeads += batch.unknownLeads
                seenTypes.formUnion(batch.types)
                let map = batch.types.map { scorer.signalIndex($0) ?? -1 }
                for e in batch.lead.indices {
                    let s = map[Int(batch.type[e])]
                    if s < 0 { unknownTypes[batch.types[Int(batch.type[e])], default: 0] += 1; continue }
                    totals.add(lead: Int(batch.lead[e]), signal: s, ageDays: (readingTime - batch.time[e]) / 86400, value: batch.value[e])
                }
            }
        }
        Progress.done()
        var notes: [String] = []
        if !resolver.missingColumns.isEmpty {
            notes.append("leads.csv lacks \(resolver.missingColumns.joined(separator: ", ")): scored at the reference level / training mean")
        }
        if let note = requirements.missingSignalsNote(seen: seenTypes) { notes.append(note) }
        for (column, levels) in resolver.unseenLevels.sorted(by: { $0.key < $1.key }) {
            notes.append("\(column): \(levels.count) level\(levels.count == 1 ? "" : "s") unseen in training, scored as the reference (\(levels.prefix(3).map { "'\($0)'" }.joined(separator: ", "))\(levels.count > 3 ? ", …" : ""))")
        }
        // Score and write, half of the leads on each core.
        var header = ByteWriter()
        header.write("lead_id,probability,score,tier," + scorer.axisNames.map { "\($0)_logit" }.joined(separator: ",") + ",reasons\n")
        let tasks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ids.count / 1000 + 1))
        struct Part { var out = ByteWriter(); var tiers: [Int] }
        let parts = SendableSlots<Part>(count: tasks)
        let shared = SendablePointer((scorer, totals, ids, resolver, reasons))
        parallelFor(tasks) { t in
            let (scorer, totals, ids, resolver, limit) = shared.value
            var part = Part(tiers: [Int](repeating: 0, count: scorer.weights.tiers.count))
            var score = Scorer.Score()
            var attributes = resolver.makeAttributes()
            for lead in (ids.count * t / tasks)..<(ids.count * (t + 1) / tasks) {
                resolver.resolve(lead: lead, into: &attributes)
                scorer.score(lead: lead, totals: totals, attributes: attributes, into: &score)
                part.tiers[score.tierIndex] += 1
                part.out.field(ids.string(lead)); part.out.byte(44)
                part.out.fixed(score.probability, decimals: 6); part.out.byte(44)
                part.out.int(score.score); part.out.byte(44)
                part.out.write(scorer.tier(score)); part.out.byte(44)
                for a in score.axisContributions { part.out.fixed(a, decimals: 4); part.out.byte(44) }
                let why = limit > 0 ? scorer.reasons(lead: lead, totals: totals, attributes: attributes, limit: limit).map(\.description) : []
                part.out.field(why.joined(separator: "; "))
                part.out.byte(10)
            }
            parts[t] = part
        }
        var tiers: [String: Int] = [:]
        var csv = Data(header.bytes)
        for part in parts.values() {
            csv.append(contentsOf: part.out.bytes)
            for (i, n) in part.tiers.enumerated() { tiers[scorer.weights.tiers[i].name, default: 0] += n }
        }
        if let out {
            try runReportingDataErrors { try writeAtomically(csv, to: URL(fileURLWithPath: out)) }
        } else {
            FileHandle.standardOutput.write(csv)
        }
        let summary = Summary(
            weights_file: weights, model: scorer.weights.model, version: scorer.weights.version, as_of: formatTimestamp(readingTime),
            leads: ids.count, tiers: tiers, signal_rows: rows, signals_after_as_of: totals.future, signals_of_unknown_leads: unknownLeads,
            signals_of_unknown_types: unknownTypes, missing_columns: resolver.missingColumns, unseen_levels: resolver.unseenLevels, notes: notes, out: out,
            seconds: (clock.now - start).seconds)
        if json {
            try printJSON(summary)
        } else if out != nil {
            let order = scorer.weights.tiers.map(\.name)
            print("scored \(ids.count) leads with \(scorer.weights.model) \(scorer.weights.version) as of \(summary.as_of) -> \(out!)")
            print("  tiers: " + order.map { "\($0) \(tiers[$0] ?? 0)" }.joined(separator: ", "))
            print("  signals: \(rows) rows, \(totals.future) at or after as_of, \(unknownLeads) of unknown leads, \(unknownTypes.values.reduce(0, +)) of types the model does not use")
            for n in notes { print("  note: \(n)") }
        } else {
            for n in notes { FileHandle.standardError.write(Data("note: \(n)\n".utf8)) }
        }
    }
}

/// Writes to a temporary file beside `url`, then renames it into place.
func writeAtomically(_ data: Data, to url: URL) throws {
    do { try data.write(to: url, options: .atomic) } catch { throw CLIError("\(url.path): cannot write (\(error.localizedDescription))") }
}
