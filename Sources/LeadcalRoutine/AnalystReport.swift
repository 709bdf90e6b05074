import Foundation
import LeadcalEvaluation
import LeadcalModel

/// The notebook `leadcal report` exports for analysts: the model explained,
/// its weights by axis, half-lives and metrics, and (pandas + matplotlib)
/// cells that plot the reliability diagram, the gains chart, the score
/// distributions, the weight comparison and the backtest series.
///
/// Numbers that are not plain estimates are marked in the tables and drawn
/// hollow (or left out, with a note) in the plots. Text from the data (names,
/// levels) reaches markdown cells escaped and code cells only through the
/// CSV files they read; every path written into a code cell is a Python
/// string literal built by ``pythonLiteral(_:)``.
public struct AnalystReport {
    public var candidate: WeightsFile
    public var candidateScores: ScoredOutcomes
    public var baseline: WeightsFile?
    public var baselineScores: ScoredOutcomes?
    public var backtest: Backtest.Report?
    public var dataDescription: String

    public init(candidate: WeightsFile, candidateScores: ScoredOutcomes, baseline: WeightsFile? = nil, baselineScores: ScoredOutcomes? = nil,
                backtest: Backtest.Report? = nil, dataDescription: String) {
        self.candidate = candidate
        self.candidateScores = candidateScores
        self.baseline = baseline
        self.baselineScores = baselineScores
        self.backtest = backtest
        self.dataDescription = dataDescription
    }

    /// Writes `<out>.ipynb` and the CSV files it reads into `<out>/`; returns the notebook's URL.
    /// Everything is written to temporary names first and renamed into place
    /// at the end, the notebook last: a failure (a full disk) leaves nothing
    /// half-written, and no notebook without its data.
    @discardableResult
    public func write(to out: URL) throws -> URL {
        let name = out.lastPathComponent
        let folder = out.deletingLastPathComponent()
        let dataFolder = folder.appendingPathComponent(name)
        let path = folder.appendingPathComponent(name + ".ipynb")
        let fm = FileManager.default
        let staging = folder.appendingPathComponent(".\(name).\(getpid()).staging")
        try? fm.removeItem(at: staging)
        // What an earlier report killed half-way left (its process is gone).
        for entry in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
            let prefix = entry.hasPrefix(".\(name).ipynb.") ? ".\(name).ipynb." : entry.hasPrefix(".\(name).") ? ".\(name)." : nil
            guard let prefix, entry.hasSuffix(".staging") || entry.hasSuffix(".tmp") else { continue }
            let pid = Int32(entry.dropFirst(prefix.count).prefix { $0.isNumber }) ?? 0
            if pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { try? fm.removeItem(at: folder.appendingPathComponent(entry)) }
        }
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }
        for (file, table) in tables() {
            try Data(table.text.utf8).write(to: staging.appendingPathComponent(file))
        }
        try Data("written by leadcal report\n".utf8).write(to: staging.appendingPathComponent(Self.marker))
        let notebookTemp = folder.appendingPathComponent(".\(name).ipynb.\(getpid()).tmp")
        defer { try? fm.removeItem(at: notebookTemp) }
        try notebook(dataFolder: name).json().write(to: notebookTemp)
        // Publish: the data folder, then the notebook.
        if fm.fileExists(atPath: dataFolder.path) { try fm.removeItem(at: dataFolder) }
        try fm.moveItem(at: staging, to: dataFolder)
        if fm.fileExists(atPath: path.path) { try fm.removeItem(at: path) }
        try fm.moveItem(at: notebookTemp, to: path)
        return path
    }

    /// The marker a report's data folder holds, so that `--force` replaces a report and nothing else.
    static let marker = ".leadcal-report"

    /// Whether `folder` is the data folder of a report written before.
    public static func isReport(folder: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent(marker).path)
    }

    /// Whether `notebook` is a notebook `leadcal report` wrote.
    public static func isReport(notebook: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: notebook),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let metadata = json["metadata"] as? [String: Any]
        else { return false }
        return metadata["leadcal"] != nil
    }

    func tables() -> [(String, Table)] {
        var scores = Table(["row", "won", "p_candidate", "tier_candidate"] + (baselineScores != nil ? ["p_baseline", "tier_baseline"] : []))
        for i in candidateScores.rows.indices {
            var cells: [Any?] = [Int(candidateScores.rows[i]), Int(candidateScores.label[i]), candidateScores.probability[i],
                                 candidateScores.tierNames[candidateScores.tier[i]]]
            if let b = baselineScores { cells += [b.probability[i], b.tierNames[b.tier[i]]] }
            scores.add(cells)
        }
        var weights = Table(["axis", "feature", "version", "weight", "std_error", "lower", "upper", "status"])
        for (label, file) in [("candidate", candidate)] + (baseline.map { [("baseline", $0)] } ?? []) {
            for axis in file.axes {
                for f in axis.features {
                    weights.add([axis.name, f.name, label, f.weight, f.stdError, f.interval?[0], f.interval?[1], f.status.rawValue])
                }
            }
        }
        var halfLives = Table(["axis", "version", "days", "status", "lower", "upper"])
        for (label, file) in [("candidate", candidate)] + (baseline.map { [("baseline", $0)] } ?? []) {
            for axis in file.axes {
                guard let h = axis.halfLife else { continue }
                halfLives.add([axis.name, label, h.days, h.status.rawValue, h.interval?.lower, h.interval?.upper])
            }
        }
        var out = [("scores.csv", scores), ("weights.csv", weights), ("half_lives.csv", halfLives)]
        if let path = candidate.l2Path {
            let axes = Set(path.points.flatMap(\.halfLives.keys)).sorted()
            var t = Table(["l2", "log_loss", "log_loss_std_error", "auc", "chosen", "best"]
                          + axes.flatMap { a -> [String] in ["half_life_\(a)", "half_life_\(a)_status"] })
            for p in path.points {
                t.add([p.l2, p.logLoss, p.logLossStdError, p.auc, p.l2 == path.chosen, p.l2 == path.best]
                      + axes.flatMap { a -> [Any?] in [p.halfLives[a]?.days, p.halfLives[a]?.status.rawValue] })
            }
            out.append(("l2_path.csv", t))
        }
        if let bt = backtest {
            let axes = bt.months.first?.halfLives.keys.sorted() ?? []
            var t = Table(["month", "training_rows", "test_rows", "test_won", "auc_retrained", "auc_frozen", "log_loss_retrained",
                           "log_loss_frozen", "brier_retrained", "ece_retrained", "drift_mean"]
                          + axes.flatMap { a -> [String] in ["half_life_\(a)", "half_life_\(a)_status"] })
            for m in bt.months {
                t.add([m.month, m.trainingRows, m.testRows, m.testWon, m.retrained.auc, m.frozen.auc, m.retrained.logLoss, m.frozen.logLoss,
                       m.retrained.brier, m.retrained.calibrationError, m.driftMean]
                      + axes.flatMap { a -> [Any?] in [m.halfLives[a]?.days, m.halfLives[a]?.status.rawValue] })
            }
            out.append(("backtest.csv", t))
        }
        return out
    }

    func notebook(dataFolder: String) -> Notebook {
        var nb = Notebook()
        let c = candidate
        let e = EvaluationReport(candidateScores, file: c)
        func f(_ v: Double?, _ decimals: Int = 4) -> String { v == nil ? "–" : NumberFormat.fixed(v, decimals) }
        let md = markdownText
        nb.markdown("""
            # Lead scoring report: \(md(c.model)) \(md(c.version))\(baseline.map { " vs \(md($0.version))" } ?? "")

            Exported by `\(md(c.tool))` from \(md(dataDescription)).

            **How the score works.** Each lead gets a probability of being won, from a logistic model fitted on the \
            CRM's closed-won and closed-lost outcomes. The logit is an intercept plus four kinds of evidence (axes): \
            who the lead is (fit), what is happening at the company (context), how it engages (engagement) and what \
            sales has already done with it (history). Every signal counts with a weight that decays with its age: a \
            signal one half-life old counts half. Weights and half-lives are fitted, not set by hand; each comes with \
            its uncertainty. The score guides people, it does not replace them: tiers say when a human should step in.

            Trained on \(c.training.rows) decided leads (\(c.training.won) won), `as_of` \(md(c.training.asOf.first ?? "?")) to \
            \(md(c.training.asOf.last ?? "?"))\(c.training.trainBefore.map { ", outcomes closed before \(md($0))" } ?? ""). \
            Evaluated here on \(e.leads) decided leads (\(e.won) won).
            """)
        var cautions: [String] = []
        if let overlap = e.trainingOverlap, overlap > 0 {
            cautions.append("**Not a fair test:** \(c.version) trained on \(overlap) of these \(e.leads) leads; its metrics here are optimistic.")
        }
        if let b = baseline, let bs = baselineScores {
            let overlap = bs.trainingOverlap(b)
            if overlap > 0 { cautions.append("**Not a fair test:** the baseline \(md(b.version)) trained on \(overlap) of these leads.") }
        }
        if let warning = e.baseRate?.warning { cautions.append("**Base rate:** \(md(warning)).") }
        if !cautions.isEmpty { nb.markdown("## Before reading on\n\n" + cautions.map { "- \($0)" }.joined(separator: "\n")) }

        let errors = (c.statistics.standardErrors ?? .conditional).explanation.replacingOccurrences(of: " (--conditional-se holds them fixed)", with: "")
        var table = "## Weights by axis\n\nLogit points per unit of feature; 95% Wald intervals. \(md(errors)) Categories are against their reference level. "
            + "A weight *at bound 0* is held there by the non-negativity constraint (not an estimate); a weight *not estimated* could not be fitted (constant or collinear).\n\n"
        table += "| axis | feature | weight | std. error | 95% interval |\n| --- | --- | ---: | ---: | --- |\n"
        table += "| | intercept | \(f(c.intercept.weight)) | \(f(c.intercept.stdError)) | |\n"
        for axis in c.axes {
            for feat in axis.features {
                let ci = feat.interval.map { "[\(NumberFormat.fixed($0[0], 3)), \(NumberFormat.fixed($0[1], 3))]" }
                    ?? "*\(feat.status.text)\(feat.reason.map { " (\($0.rawValue))" } ?? "")*"
                table += "| \(md(axis.name)) | \(md(feat.name)) | \(feat.status == .notEstimated ? "–" : f(feat.weight)) | \(f(feat.stdError)) | \(ci) |\n"
            }
        }
        let references = c.referenceLevels.sorted { $0.key < $1.key }.map { "\(md($0.key)) = \(md($0.value.isEmpty ? "(missing)" : $0.value))" }
        if !references.isEmpty { table += "\nReference levels: \(references.joined(separator: ", ")).\n" }
        nb.markdown(table)
        var hl = "## Half-lives\n\nHow long until a signal counts half; 95% profile-likelihood intervals (an end the data do not reach is shown as ≤ 0.5 or ≥ 3650 days). "
            + "Only a half-life marked *estimated* is an estimate: the others are at the search bound, not identified by the data, fixed by the spec, or a starting value kept for want of signal.\n\n"
            + "| axis | half-life (days) | 95% interval | status |\n| --- | ---: | --- | --- |\n"
        for axis in c.axes {
            guard let h = axis.halfLife else { continue }
            hl += "| \(md(axis.name)) | \(NumberFormat.days(h.days)) | \(h.intervalText ?? "") | \(h.status == .estimated ? "estimated" : "*\(h.statusText ?? h.status.rawValue)*") |\n"
        }
        nb.markdown(hl)
        var metrics = "## Metrics on these leads\n\n| | \(md(c.version))\(baseline.map { " | \(md($0.version)) (baseline)" } ?? "") |\n| --- | ---:\(baseline != nil ? " | ---:" : "") |\n"
        let eb = baselineScores.map { EvaluationReport($0, file: baseline) }
        func line(_ label: String, _ a: String, _ b: String?) { metrics += "| \(label) | \(a)\(b.map { " | \($0)" } ?? "") |\n" }
        line("AUC (95% DeLong CI)", "\(f(e.auc?.auc)) [\(f(e.auc?.lower, 3)), \(f(e.auc?.upper, 3))]", eb.map { "\(f($0.auc?.auc)) [\(f($0.auc?.lower, 3)), \(f($0.auc?.upper, 3))]" })
        line("log loss", f(e.logLoss), eb.map { f($0.logLoss) })
        line("Brier score", f(e.brier), eb.map { f($0.brier) })
        line("calibration error (ECE)", f(e.calibrationError), eb.map { f($0.calibrationError) })
        if let r = e.baseRate {
            line("mean prediction / win rate (95% CI)", "\(f(r.meanPredicted, 3)) / \(f(r.observedRate, 3)) [\(f(r.lower, 3)), \(f(r.upper, 3))]",
                 eb.flatMap { $0.baseRate.map { "\(f($0.meanPredicted, 3)) / \(f($0.observedRate, 3))" } })
        }
        line("training leads among these", "\(e.trainingOverlap ?? 0)", eb.map { "\($0.trainingOverlap ?? 0)" })
        for t in e.tiers { line("win rate, \(md(t.tier)) (\(t.leads) leads)", "\(f(t.winRate, 3)) (lift \(f(t.lift, 2)))", nil) }
        if let baseline, let bs = baselineScores {
            let cmp = ComparisonReport(a: baseline, bs, b: c, candidateScores)
            metrics += "\n**Verdict.** \(md(cmp.verdict))\n\nPSI of the candidate's scores against the baseline's: \(f(cmp.psi)).\n"
        }
        nb.markdown(metrics)
        let folder = pythonLiteral(dataFolder)
        nb.code("""
            import os
            import pandas as pd
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            %matplotlib inline

            data = \(folder)
            scores = pd.read_csv(os.path.join(data, "scores.csv"))
            weights = pd.read_csv(os.path.join(data, "weights.csv"))
            half_lives = pd.read_csv(os.path.join(data, "half_lives.csv"))
            versions = ["candidate"] + (["baseline"] if "p_baseline" in scores else [])
            print(f"{len(scores)} decided leads, {int(scores.won.sum())} won")

            def plot_half_lives(ax, x, table):
                # Each axis's half-life along x: estimates as filled dots, any other status hollow (not an estimate).
                names = [c[len("half_life_"):] for c in table.columns if c.startswith("half_life_") and not c.endswith("_status")]
                for k, name in enumerate(names):
                    days, status = table[f"half_life_{name}"], table[f"half_life_{name}_status"]
                    ax.plot(x, days.where(status == "estimated"), marker="o", color=f"C{k}", label=name)
                    other = status != "estimated"
                    ax.plot(x[other], days[other], "o", mfc="none", color=f"C{k}")
                ax.set_yscale("log"); ax.legend()
            """)
        nb.markdown("## Reliability diagram\n\nMean predicted probability against the observed win rate, in ten bins. On the diagonal, a score of 30 means 30% of such leads are won.")
        nb.code("""
            fig, ax = plt.subplots(figsize=(5, 5))
            ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
            for v in versions:
                b = pd.cut(scores[f"p_{v}"], bins=[i / 10 for i in range(11)], include_lowest=True)
                g = scores.groupby(b, observed=True).agg(predicted=(f"p_{v}", "mean"), observed=("won", "mean"), n=("won", "size"))
                ax.plot(g.predicted, g.observed, marker="o", label=v)
            ax.set_xlabel("mean predicted probability"); ax.set_ylabel("observed win rate"); ax.legend(); ax.set_title("Reliability")
            plt.show()
            """)
        nb.markdown("## Gains\n\nCall the leads in score order: the share of all won deals reached after contacting a given share of leads. The diagonal is calling at random.")
        nb.code("""
            fig, ax = plt.subplots(figsize=(5, 5))
            for v in versions:
                s = scores.sort_values(f"p_{v}", ascending=False)
                ax.plot((s.reset_index().index + 1) / len(s), s.won.cumsum() / s.won.sum(), label=v)
            ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
            ax.set_xlabel("share of leads contacted"); ax.set_ylabel("share of won deals reached"); ax.legend(); ax.set_title("Cumulative gains")
            plt.show()
            """)
        nb.markdown("## Score distribution")
        nb.code("""
            fig, ax = plt.subplots(figsize=(7, 4))
            for v in versions:
                ax.hist(100 * scores[f"p_{v}"], bins=50, alpha=0.5, label=v)
            ax.set_xlabel("score (0-100)"); ax.set_ylabel("leads"); ax.legend(); ax.set_title("Scores")
            plt.show()
            """)
        nb.markdown("## Weights\n\nEach feature's weight with its 95% interval\(baseline != nil ? ", candidate beside baseline" : ""). "
            + "Estimates are filled dots with their interval; a weight held at the bound 0 is a hollow dot without an interval; weights not estimated are left out (listed below the plot).")
        nb.code("""
            w = weights.assign(label=weights.axis + ": " + weights.feature)
            labels = list(dict.fromkeys(w.label))
            fig, ax = plt.subplots(figsize=(7, 0.3 * len(labels) + 1))
            for k, v in enumerate(versions):
                d = w[w.version == v]
                y = [labels.index(l) + 0.2 * k for l in d.label]
                est = d.status == "estimated"
                ax.errorbar(d.weight[est], [yy for yy, e in zip(y, est) if e], xerr=[(d.weight - d.lower)[est], (d.upper - d.weight)[est]],
                            fmt="o", color=f"C{k}", label=f"{v} (estimate, 95% interval)")
                bound = d.status == "at_bound_zero"
                ax.plot(d.weight[bound], [yy for yy, b in zip(y, bound) if b], "o", mfc="none", color=f"C{k}", label=f"{v} (held at bound 0)")
            ax.set_yticks(range(len(labels))); ax.set_yticklabels(labels); ax.invert_yaxis()
            ax.axvline(0, color="grey", linewidth=1); ax.set_xlabel("weight (logit points per unit)"); ax.legend(fontsize="small")
            plt.show()
            missing = weights[weights.status == "not_estimated"]
            if len(missing):
                print("not estimated (left out):", ", ".join(sorted(set(missing.axis + ": " + missing.feature))))
            half_lives
            """)
        if let path = c.l2Path {
            nb.markdown("## How l2 was chosen\n\nEach l2 of the grid was fitted on the outcomes closed before each validation month ("
                + md(path.folds.map(\.month).joined(separator: ", ")) + ") and scored on that month: never on a month before one it trained on. "
                + "The rule *\(path.rule.rawValue)* chose l2 = \(path.chosen)"
                + (path.rule == .oneSE ? " (the largest l2 whose mean validation log loss is within one standard error of the lowest, at \(path.best))." : " (the lowest mean validation log loss).")
                + " Half-lives are refitted at every l2; a hollow dot is not a plain estimate.")
            nb.code("""
                path = pd.read_csv(os.path.join(data, "l2_path.csv"))
                fig, axes = plt.subplots(1, 2, figsize=(11, 4))
                axes[0].errorbar(path.l2, path.log_loss, yerr=path.log_loss_std_error, fmt="o-", capsize=3)
                chosen = path[path.chosen]
                axes[0].plot(chosen.l2, chosen.log_loss, "*", markersize=14, color="C3", label="chosen")
                axes[0].set_xscale("log"); axes[0].set_xlabel("l2"); axes[0].set_ylabel("mean validation log loss (± 1 SE)"); axes[0].legend()
                plot_half_lives(axes[1], path.l2, path)
                axes[1].set_xscale("log"); axes[1].set_xlabel("l2"); axes[1].set_ylabel("half-life (days); hollow: not an estimate")
                plt.tight_layout()
                plt.show()
                path
                """)
        }
        if backtest != nil {
            nb.markdown("## Backtest: monthly retraining\n\nEach month, a model fitted on the outcomes closed before it is scored on the outcomes closed during it, beside a model frozen at the first month. "
                + "The half-lives show how stable the timing of signals is: estimates are filled dots; a half-life at the search bound, not identified, or a starting value kept for want of signal is a hollow dot (not an estimate).")
            nb.code("""
                bt = pd.read_csv(os.path.join(data, "backtest.csv"))
                fig, axes = plt.subplots(1, 2, figsize=(11, 4))
                axes[0].plot(bt.month, bt.auc_retrained, marker="o", label="retrained monthly")
                axes[0].plot(bt.month, bt.auc_frozen, marker="s", label="frozen")
                axes[0].set_ylabel("AUC on the month's outcomes"); axes[0].legend(); axes[0].tick_params(axis="x", rotation=60)
                plot_half_lives(axes[1], bt.month, bt)
                axes[1].set_ylabel("half-life (days); hollow: not an estimate"); axes[1].tick_params(axis="x", rotation=60)
                plt.tight_layout()
                plt.show()
                bt
                """)
        }
        return nb
    }
}

/// Data text made inert in a markdown cell: HTML and markdown syntax escaped,
/// line breaks flattened (a name cannot open a tag, a table row or a heading).
func markdownText(_ s: String) -> String {
    var out = ""
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\n", "\r": out += " "
        case "|", "\\", "`", "*", "_", "[", "]", "#", "$": out += "\\\(ch)"
        default: out.append(ch)
        }
    }
    return out
}

/// A Python string literal holding `s` exactly: quotes, backslashes, line
/// breaks and every non-printable character escaped (`repr` style).
func pythonLiteral(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 || u.value == 0x7F || (u.value >= 0x80 && u.properties.generalCategory == .control)
                || u.properties.generalCategory == .lineSeparator || u.properties.generalCategory == .paragraphSeparator {
                out += String(format: "\\U%08x", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
