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
            lead_id, probability, score (0-100), tier, model_version, one <axis>_logit column \
            per axis, and reasons (the features that move the lead most against an average \
            training lead, separated by "; "). A text cell that would start with =, +, -, @ \
            gets a leading ' so that no spreadsheet runs it as a formula.

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

    @Option(help: "Reasons per lead, largest effect first (0: an empty reasons column, and a faster run).")
    var reasons: Int = 3

    @Option(help: "Decimals of the probability (17 for full precision).")
    var digits: Int = 6

    @Flag(help: "Score even when leads.csv lacks a column the weights read: categories then take the reference level, numbers the training mean (counted in the summary).")
    var allowMissingColumns = false

    @Flag(help: "Replace --out if it is a scores file written before (never a weights file or an input).")
    var force = false

    @Flag(help: "Print a JSON summary (counts per tier, ignored signals, attribute problems) on stdout; requires --out.")
    var json = false

    func validate() throws {
        if asOf != "now" && parseTimestamp(asOf) == nil { throw ValidationError("--as-of: expected an ISO 8601 date or date-time or 'now', found '\(asOf)'") }
        if json && out == nil { throw ValidationError("--json prints a summary on stdout: give the CSV a file with --out") }
        if reasons < 0 { throw ValidationError("--reasons must be >= 0") }
        if !(0...17).contains(digits) { throw ValidationError("--digits must be between 0 and 17") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        if let out {
            try runReportingDataErrors {
                try OutputPath.checkFile(out, option: "--out", inputs: [weights] + OutputPath.datasetFiles(dataDir), force: force) { path in
                    OutputPath.head(path, bytes: 64).hasPrefix("lead_id,probability,score,tier")
                }
            }
        }
        let scorer: Scorer = try runReportingDataErrors { try Scorer.load(URL(fileURLWithPath: weights)) }
        var options = BatchScorer.Options(asOf: asOf == "now" ? Date().timeIntervalSince1970 : parseTimestamp(asOf)!)
        options.reasons = reasons
        options.digits = digits
        options.allowMissingColumns = allowMissingColumns
        Progress.say("scoring with \(scorer.weights.model) \(scorer.weights.version)…")
        let (csv, summary) = try runReportingDataErrors {
            try BatchScorer(scorer: scorer, weightsPath: weights).run(directory: URL(fileURLWithPath: dataDir), options: options)
        }
        Progress.done()
        if let out {
            try runReportingDataErrors { try writeAtomically(chunks: csv.chunks, to: URL(fileURLWithPath: out)) }
        } else {
            for chunk in csv.chunks { FileHandle.standardOutput.write(Data(chunk)) }
        }
        if json {
            struct Output: Encodable {
                var summary: BatchScorer.Summary
                var out: String?
                var seconds: Double
                func encode(to encoder: Encoder) throws {
                    try summary.encode(to: encoder)
                    var c = encoder.container(keyedBy: Keys.self)
                    try c.encode(out, forKey: .out)
                    try c.encode(seconds, forKey: .seconds)
                }
                enum Keys: String, CodingKey { case out, seconds }
            }
            try printJSON(Output(summary: summary, out: out, seconds: (clock.now - start).seconds))
        } else if let out {
            let order = scorer.weights.tiers.map(\.name)
            print("scored \(summary.leads) leads with \(summary.model) \(summary.version) as of \(summary.asOf) -> \(out)")
            print("  tiers: " + order.map { "\($0) \(summary.tiers[$0] ?? 0)" }.joined(separator: ", "))
            print("  signals: \(summary.signalRows) rows, \(summary.signalsAfterAsOf) at or after as_of, \(summary.signalsOfUnknownLeads) of unknown leads, \(summary.signalsOfUnknownTypes.values.reduce(0, +)) of types the model does not use")
            for n in summary.notes { print("  note: \(n)") }
        } else {
            for n in summary.notes { FileHandle.standardError.write(Data("note: \(n)\n".utf8)) }
        }
    }
}
