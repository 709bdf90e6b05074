import ArgumentParser
import Foundation
import LeadcalData
import LeadcalEvaluation
import LeadcalScorer
import LeadcalModel

/// Options shared by evaluate and compare: which decided leads to score.
struct OutcomeSelection: ParsableArguments {
    @Argument(help: "Folder holding leads.csv, signals.csv and outcomes.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Only outcomes whose closed_at is on or after this ISO 8601 date (for example the training cut).")
    var after: String?

    @Option(help: "Precision and recall among the top N leads (what a team can call).")
    var capacity: Int?

    @Flag(help: "Evaluate even when leads.csv lacks a column the weights read (reference level / training mean, reported).")
    var allowMissingColumns = false

    func validate() throws {
        if let a = after, parseTimestamp(a) == nil { throw ValidationError("--after: expected an ISO 8601 date or date-time, found '\(a)'") }
        if let c = capacity, c <= 0 { throw ValidationError("--capacity must be positive") }
    }

    /// The decided rows closed on or after `--after` (else `defaultStart`, else all).
    func rows(_ dataset: Dataset, defaultStart: Double? = nil) throws -> [Int32] {
        let cut = after.flatMap { parseTimestamp($0) } ?? defaultStart
        let rows = (0..<Int32(dataset.decided.count)).filter { cut == nil || dataset.closedAt[Int($0)] >= cut! }
        if rows.isEmpty {
            if after == nil, let cut {
                throw CLIError("no decided lead closed after the training windows (on or after \(formatTimestamp(cut))): no outcome that neither version trained on. Pass --after DATE to evaluate on earlier outcomes (the verdict will say it is not a fair comparison)")
            }
            throw CLIError("no decided lead\(after.map { " closed on or after \($0)" } ?? "") to evaluate on")
        }
        return rows
    }

    /// The dataset read for `files` (the one check of data against weights).
    func load(_ files: [(file: WeightsFile, path: String)]) throws -> Dataset {
        try Dataset.load(
            directory: URL(fileURLWithPath: dataDir),
            requirements: DataRequirements(models: files, allowMissingColumns: allowMissingColumns))
    }

    /// What the selection says, for report headers.
    func describe(start: Double?) -> String {
        if let after { return ", outcomes closed on or after \(after)" }
        if let start { return ", outcomes closed on or after \(formatTimestamp(start)) (after both training windows)" }
        return ""
    }
}

func loadWeights(_ path: String) throws -> WeightsFile {
    do { return try WeightsStore.load(URL(fileURLWithPath: path)) } catch { throw CLIError(error.message) }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a weights file on decided leads.",
        discussion: """
            Scores every decided lead at its own as_of (what the score said when the \
            opportunity opened) and reports: AUC with a 95% DeLong interval, log loss, \
            Brier score, expected calibration error with a 10-bin reliability table, win \
            rate and lift per tier, precision and recall among the top --capacity leads, \
            and the counts they rest on.
            """
    )

    @Option(help: "Weights file to evaluate.", completion: .file(extensions: ["json"]))
    var weights: String

    @OptionGroup var selection: OutcomeSelection

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let (file, scored, dataset) = try runReportingDataErrors { () throws -> (WeightsFile, ScoredOutcomes, Dataset) in
            let file = try loadWeights(weights)
            let dataset = try selection.load([(file, weights)])
            return (file, ScoredOutcomes(scorer: Scorer(weights: file), dataset: dataset, rows: try selection.rows(dataset)), dataset)
        }
        let report = EvaluationReport(scored, file: file, capacity: selection.capacity)
        if json { try printJSON(report); return }
        print("Evaluation of \(file.model) \(file.version) on \(selection.dataDir)\(selection.describe(start: nil))")
        print(report.rendered())
        for note in dataset.report.notes { print("  note: \(note)") }
    }
}

extension EvaluationReport {
    func rendered(indent: String = "  ") -> String {
        var out: [String] = []
        func f(_ v: Double?, _ format: String = "%.4f") -> String {
            guard let v else { return "-" }
            let decimals = Int(format.dropFirst(2).dropLast()) ?? 4
            return NumberFormat.fixed(v, decimals)
        }
        out.append(indent + "leads \(leads) (won \(won), lost \(lost), win rate \(f(winRate, "%.3f")))")
        if let overlap = trainingOverlap, overlap > 0 {
            out.append(indent + "WARNING: \(overlap) of these \(leads) leads lie in the version's training window: these metrics are optimistic, not a test")
        }
        if let a = auc {
            out.append(indent + "AUC        \(f(a.auc))  95% CI [\(f(a.lower)), \(f(a.upper))] (DeLong)")
        }
        out.append(indent + "log loss   \(f(logLoss))")
        out.append(indent + "Brier      \(f(brier))")
        out.append(indent + "calibration error (ECE, 10 bins) \(f(calibrationError))")
        if let r = baseRate {
            out.append(indent + "calibration in the large: mean prediction \(f(r.meanPredicted, "%.3f")), win rate \(f(r.observedRate, "%.3f")) (95% CI \(f(r.lower, "%.3f"))–\(f(r.upper, "%.3f")))")
            if let w = r.warning { out.append(indent + "WARNING: " + w) }
        }
        out.append("")
        out.append(indent + "reliability   " + ["bin", "leads", "predicted", "observed"].map { $0.leftPad(10) }.joined())
        for b in reliability where b.count > 0 {
            out.append(indent + "              " + [String(format: "%.1f-%.1f", b.lower, b.upper), "\(b.count)", f(b.meanPredicted, "%.3f"), f(b.observedRate, "%.3f")].map { $0.leftPad(10) }.joined())
        }
        out.append("")
        out.append(indent + "tier          " + ["leads", "won", "win rate", "lift"].map { $0.leftPad(10) }.joined())
        for t in tiers {
            out.append(indent + t.tier.padding(toLength: 14, withPad: " ", startingAt: 0) + ["\(t.leads)", "\(t.won)", f(t.winRate, "%.3f"), f(t.lift, "%.2f")].map { $0.leftPad(10) }.joined())
        }
        if let c = capacity {
            out.append("")
            out.append(indent + "top \(c.top) leads: \(c.won) won, precision \(f(c.precision, "%.3f")), recall \(f(c.recall, "%.3f"))")
        }
        return out.joined(separator: "\n")
    }
}
