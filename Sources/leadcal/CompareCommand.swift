import ArgumentParser
import Foundation
import LeadcalData
import LeadcalEvaluation
import LeadcalScorer
import LeadcalModel

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two weights versions on the same decided leads.",
        discussion: """
            Scores the same decided leads with A (the version in production) and B (the \
            candidate) and reports every metric of evaluate side by side with the \
            difference; DeLong's test for the two correlated AUCs; a paired test of the log \
            loss; the population stability index of B's scores against A's and the \
            tier-to-tier moves; the weights (with the change in standard deviations) and \
            half-lives side by side; and a one-line verdict. Use --after with B's training \
            cut so that neither version is judged on leads it trained on. Without --after, only \
            the outcomes closed after both versions' training windows are used (fair by default); \
            with an --after that lets in leads a version trained on, the verdict says it is not a \
            fair comparison instead of ranking the versions.
            """
    )

    @Argument(help: "Version A (the baseline).", completion: .file(extensions: ["json"]))
    var a: String

    @Argument(help: "Version B (the candidate).", completion: .file(extensions: ["json"]))
    var b: String

    @OptionGroup var selection: OutcomeSelection

    @Flag(help: "Compare even when the versions predict different outcome definitions.")
    var force = false

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func run() throws {
        var start: Double? = nil
        let (report, notes) = try runReportingDataErrors { () throws -> (ComparisonReport, [String]) in
            let fa = try loadWeights(a), fb = try loadWeights(b)
            if fa.outcome != fb.outcome && !force {
                throw CLIError("the versions predict different outcomes ('\(fa.outcome)' vs '\(fb.outcome)'); pass --force to compare anyway")
            }
            let dataset = try selection.load([(fa, a), (fb, b)])
            start = selection.after == nil ? ComparisonReport.fairStart([fa, fb]) : nil
            let rows = try selection.rows(dataset, defaultStart: start)
            let report = ComparisonReport(
                a: fa, ScoredOutcomes(scorer: Scorer(weights: fa), dataset: dataset, rows: rows),
                b: fb, ScoredOutcomes(scorer: Scorer(weights: fb), dataset: dataset, rows: rows), capacity: selection.capacity)
            return (report, dataset.report.notes)
        }
        if json { try printJSON(report); return }
        print(report.rendered(dataDir: selection.dataDir, selection: selection.describe(start: start)))
        for note in notes { print("note: \(note)") }
    }
}

extension ComparisonReport {
    func rendered(dataDir: String, selection: String) -> String {
        var out: [String] = []
        func f(_ v: Double?, _ format: String = "%.4f") -> String {
            guard let v else { return "-" }
            let decimals = Int(format.filter(\.isNumber)) ?? 4
            return format.contains("+") ? NumberFormat.signed(v, decimals) : NumberFormat.fixed(v, decimals)
        }
        func row(_ cells: [String], _ first: Int = 24, width: Int = 11) -> String {
            cells[0].padding(toLength: first, withPad: " ", startingAt: 0) + cells.dropFirst().map { $0.leftPad(width) }.joined()
        }
        out.append("A = \(versionA), B = \(versionB), on \(a.leads) decided leads of \(dataDir)\(selection)")
        if !fair {
            out.append("NOT A FAIR COMPARISON: A trained on \(trainingOverlap.a), B on \(trainingOverlap.b) of these \(a.leads) leads")
        }
        out.append("")
        out.append(row(["metric", "A", "B", "B − A"]))
        out.append(row(["AUC", f(a.auc?.auc), f(b.auc?.auc), f(aucTest?.difference, "%+.4f")]))
        out.append(row(["log loss", f(a.logLoss), f(b.logLoss), f(b.logLoss - a.logLoss, "%+.4f")]))
        out.append(row(["Brier", f(a.brier), f(b.brier), f(b.brier - a.brier, "%+.4f")]))
        out.append(row(["calibration error", f(a.calibrationError), f(b.calibrationError), f(b.calibrationError - a.calibrationError, "%+.4f")]))
        if let ca = a.capacity, let cb = b.capacity {
            out.append(row(["precision @\(ca.top)", f(ca.precision, "%.3f"), f(cb.precision, "%.3f"), f(cb.precision - ca.precision, "%+.3f")]))
            out.append(row(["recall @\(ca.top)", f(ca.recall, "%.3f"), f(cb.recall, "%.3f"), f(cb.recall - ca.recall, "%+.3f")]))
        }
        if let ra = a.baseRate, let rb = b.baseRate {
            out.append(row(["mean prediction", f(ra.meanPredicted, "%.3f"), f(rb.meanPredicted, "%.3f"), f(rb.meanPredicted - ra.meanPredicted, "%+.3f")]))
            out.append(row(["observed win rate", f(ra.observedRate, "%.3f"), String(format: "95%% CI %.3f–%.3f", ra.lower, ra.upper).leftPad(22)]))
        }
        out.append(row(["trained on these", "\(a.trainingOverlap ?? 0)", "\(b.trainingOverlap ?? 0)"]))
        for (ta, tb) in zip(a.tiers, b.tiers) {
            out.append(row(["lift, \(ta.tier)", f(ta.lift, "%.2f"), f(tb.lift, "%.2f"), f(tb.lift.flatMap { x in ta.lift.map { x - $0 } }, "%+.2f")]))
        }
        out.append("")
        if let t = aucTest {
            out.append(String(format: "DeLong test, correlated AUCs: difference %+.4f, 95%% CI [%.4f, %.4f], z = %.3f, p = %.4g", t.difference, t.lower, t.upper, t.z, t.p))
        }
        out.append(String(format: "paired log-loss test: mean difference %+.5f, z = %.3f, p = %.4g", logLossTest.difference, logLossTest.z, logLossTest.p))
        out.append(String(format: "score shift: PSI of B against A = %.4f; %.1f%% of leads change tier", psi, 100 * tierChangeShare))
        let names = a.tiers.map(\.tier)
        out.append("  tier moves (rows A, columns B): " + names.joined(separator: " / "))
        for n in names {
            out.append("    " + n.padding(toLength: 12, withPad: " ", startingAt: 0) + names.map { String(tierMoves[n]?[$0] ?? 0).leftPad(9) }.joined())
        }
        out.append("")
        out.append(row(["feature", "w A", "SE A", "w B", "SE B", "Δ in SDs"], 28))
        var axis = ""
        func se(_ v: Double?, _ status: WeightStatus?) -> String {
            switch status {
            case .atBoundZero?: return "bound 0"
            case .notEstimated?: return "not est."
            default: return f(v)
            }
        }
        for w in weights {
            if w.axis != axis { axis = w.axis; out.append(axis) }
            let tag = w.presence == "both" ? "" : " (\(w.presence))"
            let change = w.note.map { _ in "ref. differs" } ?? f(w.changeInSDs, "%+.2f")
            out.append(row(["  " + w.feature + tag, f(w.weightA), se(w.stdErrorA, w.statusA), f(w.weightB), se(w.stdErrorB, w.statusB), change], 28))
        }
        for r in referenceChanges {
            out.append("reference level of \(r.column) differs (A: '\(r.a ?? "")', B: '\(r.b ?? "")'): its level weights are against different baselines, no Δ is shown")
        }
        out.append("")
        out.append(row(["half-life (days)", "A", "95% CI A", "B", "95% CI B"], 18, width: 20))
        for h in halfLives {
            func days(_ v: HalfLife?) -> String { v.map { NumberFormat.days($0.days) + $0.mark } ?? "-" }
            out.append(row([h.axis, days(h.a), h.a?.intervalText ?? "-", days(h.b), h.b?.intervalText ?? "-"], 18, width: 20))
        }
        if halfLives.contains(where: { ($0.a?.status ?? .estimated) != .estimated || ($0.b?.status ?? .estimated) != .estimated }) {
            out.append("  " + HalfLife.marksLegend)
        }
        out.append("")
        out.append("verdict: " + verdict)
        return out.joined(separator: "\n")
    }
}
