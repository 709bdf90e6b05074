import ArgumentParser
import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalRoutine

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Simulate monthly retraining on history.",
        discussion: """
            For each month M: fit on the outcomes closed before M (warm-started from the \
            previous month's fit) and evaluate on the outcomes closed during M. Reports per \
            month the training size, the fitted half-lives, AUC, log loss, Brier score and \
            calibration error, the same for a frozen model fitted once before the first \
            month, and how far the weights moved since the previous month (in standard \
            errors), and the tier churn: the share of all decided leads whose tier changes \
            with the new month's model. No fit sees an outcome closed in or after the month \
            it predicts.

            With prior: parent in the spec, each month's fit is centred on the previous \
            month's, and every month is also fitted without the prior (AUC np, churn np) to \
            show the trade-off. With l2: auto, l2 is chosen once, on the outcomes closed \
            before the first month.
            """
    )

    @Argument(help: "Folder holding leads.csv, signals.csv and outcomes.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Model spec (YAML). Default: DATA_DIR/model.yaml.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @Option(help: "Retraining period (only 'month' for now).")
    var every: String = "month"

    @Option(help: "First month to predict (ISO 8601 date). Default: the first month with 300 outcomes closed before it.")
    var from: String?

    @Flag(help: "Print the backtest as JSON.")
    var json = false

    func validate() throws {
        guard every == "month" else { throw ValidationError("--every: only 'month' is supported") }
        if let f = from, parseTimestamp(f) == nil { throw ValidationError("--from: expected an ISO 8601 date, found '\(f)'") }
    }

    func run() throws {
        let report = try runReportingDataErrors { () throws -> Backtest.Report in
            let dataset = try Dataset.load(directory: URL(fileURLWithPath: dataDir), specURL: spec.map { URL(fileURLWithPath: $0) })
            do { return try Backtest.run(dataset: dataset, from: from.flatMap { parseTimestamp($0) }, progress: { Progress.say($0) }) }
            catch let e as CalibrationError { throw CLIError(e.description) }
        }
        Progress.done()
        if json { try printJSON(report); return }
        print(report.rendered())
    }
}

extension Backtest.Report {
    func rendered() -> String {
        func f(_ v: Double?, _ format: String = "%.3f") -> String { v.map { String(format: format, $0) } ?? "-" }
        let axes = months.first.map { $0.halfLives.keys.sorted() } ?? []
        var out = ["Backtest of \(model): retrained monthly vs frozen at \(frozenAt)", ""]
        let prior = priorStrength != nil
        let header = ["month", "train", "test", "won"] + axes.map { "h \($0)" } + ["AUC", "frozen", "log loss", "frozen", "Brier", "ECE", "drift", "churn"]
            + (prior ? ["AUC np", "churn np"] : [])
        let widths = header.enumerated().map { $0.offset == 0 ? 8 : max(10, $0.element.count + 2) }
        out.append(header.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: 8, withPad: " ", startingAt: 0) : $0.element.leftPad(widths[$0.offset]) }.joined())
        for m in months {
            let cells = ["\(m.trainingRows)", "\(m.testRows)", "\(m.testWon)"] + axes.map { m.halfLives[$0].map { NumberFormat.days($0.days) + $0.mark } ?? "-" }
                + [f(m.retrained.auc), f(m.frozen.auc), f(m.retrained.logLoss), f(m.frozen.logLoss), f(m.retrained.brier), f(m.retrained.calibrationError), f(m.driftMean, "%.2f"),
                   f(m.tierChurn.map { 100 * $0 }, "%.1f%%")]
                + (prior ? [f(m.withoutPrior?.auc), f(m.tierChurnWithoutPrior.map { 100 * $0 }, "%.1f%%")] : [])
            out.append(m.month.padding(toLength: 8, withPad: " ", startingAt: 0) + cells.enumerated().map { $0.element.leftPad(widths[$0.offset + 1]) }.joined())
        }
        let both = months.filter { $0.retrained.auc != nil && $0.frozen.auc != nil }
        if !both.isEmpty {
            let gain = both.reduce(0.0) { $0 + $1.retrained.auc! - $1.frozen.auc! } / Double(both.count)
            let lossGain = months.reduce(0.0) { $0 + $1.frozen.logLoss - $1.retrained.logLoss } / Double(months.count)
            out.append("")
            out.append(String(format: "retraining vs frozen, mean over %d months: AUC %+.4f, log loss %+.4f (positive: retraining helps)", both.count, gain, lossGain))
        }
        out.append("drift: mean |Δw| / SE against the previous month's fit; churn: share of all decided leads whose tier differs from the previous month's model")
        if let strength = priorStrength {
            let both = months.filter { $0.tierChurn != nil && $0.tierChurnWithoutPrior != nil }
            let withAUC = months.compactMap { m in m.retrained.auc.flatMap { a in m.withoutPrior?.auc.map { (a, $0) } } }
            if !both.isEmpty && !withAUC.isEmpty {
                let churn = both.reduce(0.0) { $0 + $1.tierChurn! } / Double(both.count)
                let plain = both.reduce(0.0) { $0 + $1.tierChurnWithoutPrior! } / Double(both.count)
                let gain = withAUC.reduce(0.0) { $0 + $1.0 - $1.1 } / Double(withAUC.count)
                out.append(String(format: "prior: parent (strength %g), each month centred on the previous month's fit; np: the same fits without the prior. "
                    + "Mean churn %.1f%% with the prior, %.1f%% without; mean AUC with − without %+.4f", strength, 100 * churn, 100 * plain, gain))
            }
        }
        if let l2Note { out.append(l2Note) }
        if months.contains(where: { $0.halfLives.values.contains { $0.status != .estimated } }) {
            out.append("half-lives: " + HalfLife.marksLegend)
        }
        return out.joined(separator: "\n")
    }
}
