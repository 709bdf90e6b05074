import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel

/// The fit's numbers, as the summary table and as JSON.
struct FitReport {
    var result: CalibrationResult
    var file: WeightsFile
    var dataset: Dataset
    var training: Metrics.Summary
    var holdout: Metrics.Summary?
    /// `weight_by: amount`: the metrics weighted by capped deal value.
    var weightedTraining: Metrics.Summary? = nil
    var weightedHoldout: Metrics.Summary? = nil
    var weightsFile: String?
    var loadSeconds: Double
    var totalSeconds: Double

    struct JSON: Encodable {
        var weights_file: String?
        var model: String
        var version: String
        var parent: String?
        var objective: Double
        var log_likelihood: Double
        var null_log_likelihood: Double
        var pseudo_r2: Double
        var aic: Double
        var l2: Double
        var intercept: Double
        var intercept_std_error: Double?
        /// Fitted weights (estimated or at their bound).
        var weights: [String: Double]
        var std_errors: [String: Double]
        /// Every feature's status: estimated, at_bound_zero, not_estimated.
        var weight_status: [String: WeightStatus]
        var at_bound_zero: [String]
        /// Feature -> why it was not estimated.
        var not_estimated: [String: NotEstimatedReason]
        var half_lives: [String: Double]
        /// Axis -> estimated, at_bound, not_identified, fixed, no_signal.
        var half_life_status: [String: HalfLifeStatus]
        /// Axis -> [lower, upper]; null for an end the profile does not reach.
        var half_life_ci: [String: HalfLifeInterval]
        var reference_levels: [String: String]
        var converged: Bool
        var iterations: Int
        var newton_iterations: Int
        var metrics: [String: Metrics.Summary]
        var features: [CalibrationResult.Feature]
        var axes: [CalibrationResult.Axis]
        var warnings: [String]
        var anomalies: [String: Int]
        /// `joint` (the SEs carry the half-lives' uncertainty) or `conditional` (half-lives fixed).
        var standard_errors: StandardErrorKind
        var seconds: [String: Double]
        /// Feature passes over the training rows and over subsamples, and passes over the design matrix.
        var passes: [String: Int]
        /// The validation path that chose l2 (`l2: auto` only).
        var l2_path: PathJSON?
    }

    /// ``L2Path`` with the key names of the weights file.
    struct PathJSON: Encodable {
        struct Fold: Encodable {
            var month: String
            var training_rows: Int
            var last_training_closed_at: String
            var validation_rows: Int
            var validation_won: Int
        }
        struct Point: Encodable {
            var l2: Double
            var log_loss: Double
            var log_loss_std_error: Double
            var auc: Double?
            var fold_log_loss: [Double]
            var half_lives: [String: HalfLife]
        }
        var rule: L2Rule
        var chosen: Double
        var best: Double
        var folds: [Fold]
        var points: [Point]
        init(_ p: L2Path) {
            rule = p.rule
            chosen = p.chosen
            best = p.best
            folds = p.folds.map {
                .init(month: $0.month, training_rows: $0.trainingRows, last_training_closed_at: $0.lastTrainingClosedAt,
                      validation_rows: $0.validationRows, validation_won: $0.validationWon)
            }
            points = p.points.map {
                .init(l2: $0.l2, log_loss: $0.logLoss, log_loss_std_error: $0.logLossStdError, auc: $0.auc, fold_log_loss: $0.foldLogLoss,
                      half_lives: $0.halfLives)
            }
        }
    }

    var json: JSON {
        var weights: [String: Double] = [:], se: [String: Double] = [:], notEstimated: [String: NotEstimatedReason] = [:]
        var status: [String: WeightStatus] = [:]
        for f in result.features {
            status[f.name] = f.status
            if f.status == .notEstimated { notEstimated[f.name] = f.reason ?? .constant; continue }
            weights[f.name] = f.weight
            if let s = f.stdError { se[f.name] = s }
        }
        var h: [String: Double] = [:], hs: [String: HalfLifeStatus] = [:], ci: [String: HalfLifeInterval] = [:]
        for a in result.axes {
            guard let life = a.halfLife else { continue }
            h[a.name] = life.days
            hs[a.name] = life.status
            if let i = life.interval { ci[a.name] = i }
        }
        var metrics = ["training": training]
        if let holdout { metrics["holdout"] = holdout }
        if let weightedTraining { metrics["training_amount_weighted"] = weightedTraining }
        if let weightedHoldout { metrics["holdout_amount_weighted"] = weightedHoldout }
        let s = result.statistics
        return JSON(
            weights_file: weightsFile, model: result.spec.name, version: file.version, parent: file.parent, objective: s.objective,
            log_likelihood: s.logLikelihood, null_log_likelihood: s.nullLogLikelihood, pseudo_r2: s.pseudoR2, aic: s.aic, l2: s.l2,
            intercept: result.intercept, intercept_std_error: result.interceptStdError, weights: weights, std_errors: se,
            weight_status: status, at_bound_zero: result.features.filter { $0.status == .atBoundZero }.map(\.name),
            not_estimated: notEstimated, half_lives: h, half_life_status: hs, half_life_ci: ci,
            reference_levels: result.layout.referenceLevels, converged: s.converged, iterations: s.iterations,
            newton_iterations: s.newtonIterations, metrics: metrics, features: result.features, axes: result.axes, warnings: file.statistics.warnings,
            anomalies: Dictionary(uniqueKeysWithValues: dataset.report.anomalies.map { ($0.kind, $0.count) }),
            standard_errors: result.standardErrors,
            seconds: ["load": loadSeconds, "features": s.seconds.features, "solver": s.seconds.solver, "total": totalSeconds]
                .merging(s.seconds.stages.map { ($0.name, $0.seconds) }, uniquingKeysWith: { $1 }),
            passes: ["features": s.featurePasses, "features_subsample": s.subsampleFeaturePasses, "design_matrix": s.objectivePasses],
            l2_path: file.l2Path.map(PathJSON.init))
    }

    /// Two-sided normal p-value of z.
    static func pValue(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

    func rendered() -> String {
        let s = result.statistics
        let width = 84
        var out: [String] = []
        let rule = String(repeating: "=", count: width), thin = String(repeating: "-", count: width)
        func pair(_ l: String, _ lv: String, _ r: String, _ rv: String) {
            out.append(l.padding(toLength: 18, withPad: " ", startingAt: 0) + lv.leftPad(22) + "    "
                + r.padding(toLength: 24, withPad: " ", startingAt: 0) + rv.leftPad(16))
        }
        let title = "leadcal calibration: \(result.spec.name)"
        out.append(String(repeating: " ", count: max(0, (width - title.count) / 2)) + title)
        out.append(rule)
        pair("Training leads:", "\(s.rows)", "Log-likelihood:", String(format: "%.3f", s.logLikelihood))
        pair("Won / lost:", "\(s.won) / \(s.lost)", "LL-null:", String(format: "%.3f", s.nullLogLikelihood))
        pair("l2:", file.l2Path.map { "\(s.l2) (auto, \($0.rule.rawValue))" } ?? "\(s.l2)", "Pseudo R² (McFadden):", String(format: "%.4f", s.pseudoR2))
        pair("Converged:", s.converged ? "yes" : "NO", "AIC:", String(format: "%.2f", s.aic))
        pair("Iterations:", "\(s.iterations) (\(s.newtonIterations) Newton)", "Objective:", String(format: "%.4f", s.objective))
        if result.standardErrors == .sandwich {
            out.append("Weighted by deal value: the log-likelihoods, pseudo R² and AIC are those of the weighted likelihood, not a plain one.")
        }
        out.append(rule)
        out.append("feature".padding(toLength: 28, withPad: " ", startingAt: 0)
            + ["weight", "std err", "z", "P>|z|", "[0.025", "0.975]"].map { $0.leftPad(9) }.joined(separator: " "))
        out.append(thin)
        func num(_ v: Double?, _ decimals: Int = 4) -> String { NumberFormat.fixed(v, decimals) }
        /// p-values as statsmodels prints them: three decimals (0.000 is p < 0.0005).
        func pvalue(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        out.append("intercept".padding(toLength: 28, withPad: " ", startingAt: 0)
            + [num(result.intercept), num(result.interceptStdError), num(result.interceptStdError.map { result.intercept / $0 }, 2),
               pvalue(result.interceptStdError.map { Self.pValue(result.intercept / $0) }),
               num(result.interceptStdError.map { result.intercept - 1.959963984540054 * $0 }),
               num(result.interceptStdError.map { result.intercept + 1.959963984540054 * $0 })].map { $0.leftPad(9) }.joined(separator: " "))
        for axis in result.axes {
            var head = axis.name
            if let h = axis.halfLife {
                head += "   half-life \(NumberFormat.days(h.days)) d"
                if let text = h.intervalText { head += " " + text }
                if let note = h.statusText { head += " (\(note))" }
                if h.interval == nil && h.status == .estimated { head += " (interval not computed)" }
                if axis.saturation != .none { head += ", \(axis.saturation.rawValue)" }
                if axis.nonnegative { head += ", weights ≥ 0" }
            }
            out.append(head)
            for f in result.features where f.axis == axis.name {
                var name = "  " + f.name
                if name.count > 27 { name = String(name.prefix(26)) + "…" }
                let cells: [String]
                switch f.status {
                case .estimated:
                    cells = [num(f.weight), num(f.stdError), num(f.z, 2), pvalue(f.z.map(Self.pValue)), num(f.lower), num(f.upper)]
                case .atBoundZero:
                    cells = [num(f.weight), "at bound 0 (not an estimate)"]
                case .notEstimated:
                    cells = ["-", "not estimated (\(f.reason?.rawValue ?? "constant"))"]
                }
                out.append(name.padding(toLength: 28, withPad: " ", startingAt: 0) + cells.enumerated().map { $0.offset == 1 && cells.count == 2 ? "  " + $0.element : $0.element.leftPad(9) }.joined(separator: " "))
            }
        }
        out.append(thin)
        let refs = result.layout.referenceLevels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.isEmpty ? "(missing)" : $0.value)" }
        if !refs.isEmpty { out.append("Reference levels: " + refs.joined(separator: ", ")) }
        out.append("Weights are per unit of feature (decayed sums at the fitted half-lives). " + result.standardErrors.explanation)
        if s.l2 > 0 {
            out.append(String(format: "With l2 = %g the estimates are penalized: SEs and intervals are those of the penalized estimate (the posterior reading of the ridge), not of an unpenalized fit.", s.l2))
        }
        out.append(rule)
        out.append("metrics".padding(toLength: 28, withPad: " ", startingAt: 0) + ["leads", "won", "AUC", "log loss", "Brier"].map { $0.leftPad(9) }.joined(separator: " "))
        let rows = [("training", training)] + (holdout.map { [("holdout", $0)] } ?? [])
            + (weightedTraining.map { [("training, by amount", $0)] } ?? []) + (weightedHoldout.map { [("holdout, by amount", $0)] } ?? [])
        for (name, m) in rows {
            out.append(("  " + name).padding(toLength: 28, withPad: " ", startingAt: 0)
                + ["\(m.rows)", "\(m.won)", num(m.auc), num(m.logLoss), num(m.brier)].map { $0.leftPad(9) }.joined(separator: " ")
                + (name.hasPrefix("training") ? "   (optimistic: the rows it was fitted on)" : ""))
        }
        if let path = file.l2Path {
            out.append(thin)
            out.append("l2 path: time-ordered validation, \(path.folds.count) folds (validating on "
                + path.folds.map(\.month).joined(separator: ", ") + "; each trained on the outcomes closed before its month)")
            let axes = result.axes.filter { $0.halfLife?.status != nil && $0.halfLife?.status != .fixed }.map(\.name)
            out.append("      l2".padding(toLength: 12, withPad: " ", startingAt: 0) + ["log loss", "± SE", "AUC"].map { $0.leftPad(10) }.joined()
                + axes.map { ("h " + $0).leftPad(14) }.joined())
            for p in path.points {
                let mark = p.l2 == path.chosen ? "  <- chosen (\(path.rule.rawValue))" : (p.l2 == path.best ? "  <- lowest" : "")
                let lives = axes.map { a -> String in
                    guard let h = p.halfLives[a] else { return "-".leftPad(14) }
                    return (NumberFormat.days(h.days) + (h.status.isEstimate ? "" : "*")).leftPad(14)
                }
                out.append(String(format: "%10g  ", p.l2) + [num(p.logLoss), num(p.logLossStdError), num(p.auc, 3)].map { $0.leftPad(10) }.joined()
                    + lives.joined() + mark)
            }
            out.append("Half-lives in days, refitted at each l2 on the last fold's training outcomes; * marks one that is not a plain estimate (at a bound, not identified or without signal).")
        }
        let anomalies = dataset.report.anomalies.filter { $0.count > 0 }
        if !anomalies.isEmpty {
            out.append(thin)
            out.append("Data anomalies (counted and skipped; `leadcal inspect` for examples):")
            for a in anomalies { out.append("  \(String(a.count).leftPad(9))  \(a.what)") }
        }
        if !file.statistics.warnings.isEmpty {
            out.append(thin)
            out.append("Warnings:")
            for w in file.statistics.warnings { out.append("  - \(w)") }
        }
        out.append(rule)
        out.append(String(format: "time: load %.2f s, ", loadSeconds)
            + s.seconds.stages.map { String(format: "%@ %.2f s", $0.name.replacingOccurrences(of: "_", with: " "), $0.seconds) }.joined(separator: ", ")
            + String(format: ", total %.2f s", totalSeconds))
        out.append("passes: \(s.featurePasses) over the features of all \(s.rows) training leads, \(s.subsampleFeaturePasses) over subsamples, \(s.objectivePasses) over the design matrix")
        if let w = weightsFile { out.append("weights file: \(w)") }
        return out.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
