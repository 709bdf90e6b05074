import Foundation
import LeadcalEvaluation
import LeadcalWeights

/// The notebook `leadcal report` exports for analysts: the model explained,
/// its weights by axis, half-lives and metrics, and (pandas + matplotlib)
/// cells that plot the reliability diagram, the gains chart, the score
/// distributions, the weight comparison and the backtest series.
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
    @discardableResult
    public func write(to out: URL) throws -> URL {
        let name = out.lastPathComponent
        let folder = out.deletingLastPathComponent()
        let dataFolder = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        for (file, table) in tables() {
            try table.text.write(to: dataFolder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let path = folder.appendingPathComponent(name + ".ipynb")
        try notebook(dataFolder: name).json().write(to: path, options: .atomic)
        return path
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
                    weights.add([axis.name, f.name, label, f.weight, f.stdError, f.interval?[0], f.interval?[1], f.status])
                }
            }
        }
        var halfLives = Table(["axis", "version", "days", "lower", "upper", "fitted"])
        for (label, file) in [("candidate", candidate)] + (baseline.map { [("baseline", $0)] } ?? []) {
            for axis in file.axes where axis.halfLifeDays != nil {
                halfLives.add([axis.name, label, axis.halfLifeDays, axis.halfLifeInterval?[0], axis.halfLifeInterval?[1], axis.halfLifeFitted])
            }
        }
        var out = [("scores.csv", scores), ("weights.csv", weights), ("half_lives.csv", halfLives)]
        if let bt = backtest {
            var t = Table(["month", "training_rows", "test_rows", "test_won", "auc_retrained", "auc_frozen", "log_loss_retrained",
                           "log_loss_frozen", "brier_retrained", "ece_retrained", "drift_mean"] + (bt.months.first?.halfLives.keys.sorted().map { "half_life_\($0)" } ?? []))
            for m in bt.months {
                t.add([m.month, m.trainingRows, m.testRows, m.testWon, m.retrained.auc, m.frozen.auc, m.retrained.logLoss, m.frozen.logLoss,
                       m.retrained.brier, m.retrained.calibrationError, m.driftMean] + m.halfLives.keys.sorted().map { m.halfLives[$0] })
            }
            out.append(("backtest.csv", t))
        }
        return out
    }

    func notebook(dataFolder: String) -> Notebook {
        var nb = Notebook()
        let c = candidate
        let e = EvaluationReport(candidateScores)
        func f(_ v: Double?, _ format: String = "%.4f") -> String { v.map { String(format: format, $0) } ?? "–" }
        nb.markdown("""
            # Lead scoring report: \(c.model) \(c.version)\(baseline.map { " vs \($0.version)" } ?? "")

            Exported by `\(c.tool)` from `\(dataDescription)`.

            **How the score works.** Each lead gets a probability of being won, from a logistic model fitted on the \
            CRM's closed-won and closed-lost outcomes. The logit is an intercept plus four kinds of evidence (axes): \
            who the lead is (fit), what is happening at the company (context), how it engages (engagement) and what \
            sales has already done with it (history). Every signal counts with a weight that decays with its age: a \
            signal one half-life old counts half. Weights and half-lives are fitted, not set by hand; each comes with \
            its uncertainty. The score guides people, it does not replace them: tiers say when a human should step in.

            Trained on \(c.training.rows) decided leads (\(c.training.won) won), `as_of` \(c.training.asOf.first ?? "?") to \
            \(c.training.asOf.last ?? "?")\(c.training.trainBefore.map { ", outcomes closed before \($0)" } ?? ""). \
            Evaluated here on \(e.leads) decided leads (\(e.won) won).
            """)
        var table = "## Weights by axis\n\nLogit points per unit of feature; 95% Wald intervals. Categories are against their reference level.\n\n"
        table += "| axis | feature | weight | std. error | 95% interval |\n| --- | --- | ---: | ---: | --- |\n"
        table += "| | intercept | \(f(c.intercept.weight)) | \(f(c.intercept.stdError)) | |\n"
        for axis in c.axes {
            for feat in axis.features {
                let ci = feat.interval.map { String(format: "[%.3f, %.3f]", $0[0], $0[1]) } ?? (feat.status == "estimated" ? "" : feat.status.replacingOccurrences(of: "_", with: " "))
                table += "| \(axis.name) | `\(feat.name)` | \(f(feat.weight)) | \(f(feat.stdError)) | \(ci) |\n"
            }
        }
        nb.markdown(table)
        var hl = "## Half-lives\n\nHow long until a signal counts half; 95% profile-likelihood intervals.\n\n| axis | half-life (days) | 95% interval | fitted |\n| --- | ---: | --- | --- |\n"
        for axis in c.axes where axis.halfLifeDays != nil {
            hl += "| \(axis.name) | \(f(axis.halfLifeDays, "%.1f")) | \(axis.halfLifeInterval.map { String(format: "[%.1f, %.1f]", $0[0], $0[1]) } ?? "") | \(axis.halfLifeFitted ? "yes" : "no (held)") |\n"
        }
        nb.markdown(hl)
        var metrics = "## Metrics on these leads\n\n| | \(c.version)\(baseline.map { " | \($0.version) (baseline)" } ?? "") |\n| --- | ---:\(baseline != nil ? " | ---:" : "") |\n"
        let eb = baselineScores.map { EvaluationReport($0) }
        func line(_ label: String, _ a: String, _ b: String?) { metrics += "| \(label) | \(a)\(b.map { " | \($0)" } ?? "") |\n" }
        line("AUC (95% DeLong CI)", "\(f(e.auc?.auc)) [\(f(e.auc?.lower, "%.3f")), \(f(e.auc?.upper, "%.3f"))]", eb.map { "\(f($0.auc?.auc)) [\(f($0.auc?.lower, "%.3f")), \(f($0.auc?.upper, "%.3f"))]" })
        line("log loss", f(e.logLoss), eb.map { f($0.logLoss) })
        line("Brier score", f(e.brier), eb.map { f($0.brier) })
        line("calibration error (ECE)", f(e.calibrationError), eb.map { f($0.calibrationError) })
        for t in e.tiers { line("win rate, \(t.tier) (\(t.leads) leads)", "\(f(t.winRate, "%.3f")) (lift \(f(t.lift, "%.2f")))", nil) }
        if let baseline, let bs = baselineScores {
            let cmp = ComparisonReport(a: baseline, bs, b: c, candidateScores)
            metrics += "\n**Verdict.** \(cmp.verdict)\n\nPSI of the candidate's scores against the baseline's: \(f(cmp.psi)).\n"
        }
        nb.markdown(metrics)
        nb.code("""
            import pandas as pd
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            %matplotlib inline

            scores = pd.read_csv("\(dataFolder)/scores.csv")
            weights = pd.read_csv("\(dataFolder)/weights.csv")
            half_lives = pd.read_csv("\(dataFolder)/half_lives.csv")
            versions = ["candidate"] + (["baseline"] if "p_baseline" in scores else [])
            print(f"{len(scores)} decided leads, {int(scores.won.sum())} won")
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
        nb.markdown("## Weights\n\nEach feature's weight with its 95% interval\(baseline != nil ? ", candidate beside baseline" : "").")
        nb.code("""
            w = weights.pivot_table(index=["axis", "feature"], columns="version", values="weight", sort=False)
            err = weights.assign(half=(weights.upper - weights.lower) / 2).pivot_table(index=["axis", "feature"], columns="version", values="half", sort=False)
            ax = w.plot.barh(xerr=err.reindex(w.index), figsize=(7, 0.3 * len(w) + 1))
            ax.axvline(0, color="grey", linewidth=1); ax.set_xlabel("weight (logit points per unit)"); ax.invert_yaxis()
            plt.show()
            half_lives
            """)
        if backtest != nil {
            nb.markdown("## Backtest: monthly retraining\n\nEach month, a model fitted on the outcomes closed before it is scored on the outcomes closed during it, beside a model frozen at the first month. The half-lives show how stable the timing of signals is.")
            nb.code("""
                bt = pd.read_csv("\(dataFolder)/backtest.csv")
                fig, axes = plt.subplots(1, 2, figsize=(11, 4))
                axes[0].plot(bt.month, bt.auc_retrained, marker="o", label="retrained monthly")
                axes[0].plot(bt.month, bt.auc_frozen, marker="s", label="frozen")
                axes[0].set_ylabel("AUC on the month's outcomes"); axes[0].legend(); axes[0].tick_params(axis="x", rotation=60)
                for col in [c for c in bt.columns if c.startswith("half_life_")]:
                    axes[1].plot(bt.month, bt[col], marker="o", label=col.replace("half_life_", ""))
                axes[1].set_yscale("log"); axes[1].set_ylabel("fitted half-life (days)"); axes[1].legend(); axes[1].tick_params(axis="x", rotation=60)
                plt.tight_layout()
                plt.show()
                bt
                """)
        }
        return nb
    }
}
