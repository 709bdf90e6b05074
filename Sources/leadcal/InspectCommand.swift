import ArgumentParser
import Foundation
import LeadcalData

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a dataset folder and print its data report.",
        discussion: """
            Reads DATA_DIR/leads.csv, signals.csv and outcomes.csv against the model spec \
            (DATA_DIR/model.yaml unless --spec is given) and prints row counts, won/lost \
            counts, date ranges, events per lead, and every anomaly (rows that are counted \
            and skipped, never silently dropped) with its first examples, and leakage \
            alarms: a signal type whose events crowd the last day before as_of for won \
            leads far more than for lost ones.

            Bad input stops with one line naming file:line:column and exit status 2.
            """
    )

    @Argument(help: "Folder holding leads.csv, signals.csv and outcomes.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Model spec (YAML). Default: DATA_DIR/model.yaml when present.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    func run() throws {
        let dataset = try runReportingDataErrors {
            try Dataset.load(directory: URL(fileURLWithPath: dataDir), specURL: spec.map { URL(fileURLWithPath: $0) })
        }
        if json {
            try printJSON(dataset.report)
        } else {
            print(dataset.report.rendered(directory: dataDir))
        }
    }
}

extension DataReport {
    /// The report as aligned text.
    func rendered(directory: String) -> String {
        var out: [String] = []
        func row(_ label: String, _ value: String) { out.append("  " + label.padding(toLength: 26, withPad: " ", startingAt: 0) + value) }
        out.append("Data report: \(directory)" + (spec.map { "  (spec: \($0))" } ?? "  (no model spec)"))
        out.append("")
        row("leads", "\(counts.leads)")
        row("signals", "\(counts.signals)")
        row("outcome rows", "\(counts.outcomes)")
        let rate = counts.winRate.map { String(format: "%.1f%%", 100 * $0) } ?? "-"
        row("decided leads", "\(counts.decidedLeads)  (won \(counts.won), lost \(counts.lost), win rate \(rate))")
        row("training events", "\(counts.trainingEvents)  (decided lead, before as_of, type in spec)")
        row("events of undecided leads", "\(counts.undecidedLeadEvents)")
        if let r = occurredAt { row("occurred_at", "\(r.first) .. \(r.last)") }
        if let r = asOf { row("as_of", "\(r.first) .. \(r.last)") }
        if let r = closedAt { row("closed_at", "\(r.first) .. \(r.last)") }
        let e = eventsPerLead
        row("signals per lead", String(format: "mean %.1f, median %.0f, p90 %.0f, max %.0f; %d leads with none", e.mean, e.median, e.p90, e.max, e.zero))
        out.append("")
        out.append("  Signal types")
        for t in signalTypes {
            out.append("    " + t.signal.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(t.rows).leftAligned(10) + (t.axis.map { "axis \($0)" } ?? (spec == nil ? "" : "not in spec")))
        }
        out.append("")
        out.append("  Anomalies (counted and skipped)")
        for a in anomalies {
            out.append("    " + String(a.count).leftAligned(9) + a.what)
            for ex in a.examples { out.append("               e.g. \(ex)") }
        }
        if !leakage.isEmpty {
            out.append("")
            out.append("  Leakage alarms")
            for a in leakage { out.append("    \(a.message)") }
        }
        if !ignoredColumns.isEmpty || !notes.isEmpty {
            out.append("")
            out.append("  Notes")
            for (file, cols) in ignoredColumns.sorted(by: { $0.key < $1.key }) {
                out.append("    \(file): column\(cols.count > 1 ? "s" : "") not used: \(cols.joined(separator: ", "))")
            }
            for note in notes { out.append("    \(note)") }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func leftAligned(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
