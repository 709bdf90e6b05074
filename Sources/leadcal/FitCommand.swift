import ArgumentParser
import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalRoutine
import LeadcalScorer

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit feature weights and decay half-lives on won/lost outcomes.",
        discussion: """
            Minimises the penalized log loss of the data contract (ridge on standardized \
            weights, unpenalized intercept) over the intercept, every feature weight and the \
            half-life of every axis with fit_half_life: true. Prints a summary: weights with \
            standard errors, z, p-values and 95% intervals grouped by axis; half-lives with \
            95% profile-likelihood intervals; fit statistics; training (and holdout) metrics; \
            the data anomalies.

            With --train-before DATE, trains on outcomes closed before DATE and reports the \
            metrics of the others (the holdout).

            With l2: auto in the spec (or --l2 auto), l2 is chosen first by time-ordered \
            validation on the training outcomes: each l2 of a log grid (0.01 to 100) is fitted \
            on the outcomes closed before each of the last 4 months that have enough of them, \
            and scored on that month; --l2-rule picks the lowest mean validation log loss (min) \
            or the largest l2 within one standard error of it (1se, the default). The summary, \
            --json (l2_path) and the weights file record the path.

            Spec options that change the fit: prior: parent (with prior_strength) centres \
            the ridge on the parent version's weights; weight_by: amount (with amount_cap) \
            weights each decided lead by its deal value (outcomes.csv amount), with sandwich \
            standard errors; breadth_days: N on an axis adds the count of its signal types \
            seen in the last N days. Every fit checks for leakage (a signal crowding the last \
            day before as_of for won leads, a feature that alone separates the outcomes, a \
            training AUC far above the holdout's) and warns; flagged features are kept.

            With --recalibrate PARENT.json, refits only an intercept and a slope on the \
            parent's logit from recent outcomes (closed at or after --after, default: after \
            the parent's training window) and writes a child version with the parent's \
            weights times the slope: the remedy when evaluate reports a shifted base rate but \
            there are too few new outcomes to refit every weight.
            """
    )

    @Argument(help: "Folder holding leads.csv, signals.csv and outcomes.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Model spec (YAML). Default: DATA_DIR/model.yaml.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @Option(help: "Train on outcomes whose closed_at is before this ISO 8601 date; evaluate on the rest.")
    var trainBefore: String?

    @Option(help: ArgumentHelp("Override the spec's ridge strength: a number >= 0, or 'auto' (chosen by time-ordered validation).", valueName: "X|auto"))
    var l2: String?

    @Option(help: ArgumentHelp("With l2 auto: 'min' (lowest validation log loss) or '1se' (the largest l2 within one standard error of it). Default: the spec's l2_rule, else 1se.", valueName: "min|1se"))
    var l2Rule: String?

    @Option(help: "Folder of weights files.", completion: .directory)
    var out: String = "weights"

    @Option(help: "Version of the new weights file. Default: the next YYYY-MM.N of the training cut's month in --out.")
    var version: String?

    @Option(help: "The weights file this version succeeds. Default: the latest version of the model in --out.", completion: .file(extensions: ["json"]))
    var parent: String?

    @Flag(help: "Skip the profile-likelihood intervals of the half-lives (faster).")
    var noIntervals = false

    @Flag(help: "Standard errors that hold the half-lives fixed at their estimates (narrower), instead of the joint ones that carry their uncertainty.")
    var conditionalSe = false

    @Option(help: ArgumentHelp("Recalibrate this weights file (intercept and slope on its logit) instead of fitting every weight.", valueName: "PARENT.json"),
            completion: .file(extensions: ["json"]))
    var recalibrate: String?

    @Option(help: "With --recalibrate: use the outcomes closed at or after this ISO 8601 date. Default: those after the parent's training window.")
    var after: String?

    @Flag(help: "Print the results as JSON on stdout.")
    var json = false

    func validate() throws {
        if recalibrate != nil {
            let others = [("--spec", spec != nil), ("--train-before", trainBefore != nil), ("--l2", l2 != nil), ("--l2-rule", l2Rule != nil),
                          ("--parent", parent != nil), ("--no-intervals", noIntervals), ("--conditional-se", conditionalSe)].filter(\.1).map(\.0)
            if !others.isEmpty { throw ValidationError("--recalibrate keeps the parent's model: \(others.joined(separator: ", ")) does not apply") }
        } else if after != nil {
            throw ValidationError("--after applies to --recalibrate (to hold out recent outcomes of a full fit, use --train-before)")
        }
        if let t = after, parseTimestamp(t) == nil { throw ValidationError("--after: expected an ISO 8601 date or date-time, found '\(t)'") }
        if let t = trainBefore, parseTimestamp(t) == nil {
            throw ValidationError("--train-before: expected an ISO 8601 date or date-time, found '\(t)'")
        }
        if let l2, l2 != "auto" {
            guard let v = Double(l2), v >= 0 && v.isFinite else { throw ValidationError("--l2 must be a finite number >= 0 or 'auto', found '\(l2)'") }
        }
        if let r = l2Rule, L2Rule(rawValue: r) == nil { throw ValidationError("--l2-rule must be 'min' or '1se', found '\(r)'") }
        if l2Rule != nil, let l2, l2 != "auto" { throw ValidationError("--l2-rule applies to --l2 auto, not to a fixed --l2 \(l2)") }
        if let v = version, !WeightsStore.isValidName(v) {
            throw ValidationError("--version: 1 to \(WeightsStore.maxNameLength) ASCII letters, digits, '.', '_' or '-', not starting with '.' or '-'")
        }
    }

    func run() throws {
        if let recalibrate { return try runRecalibration(recalibrate) }
        let clock = ContinuousClock()
        let start = clock.now
        Progress.say("loading \(dataDir)…")
        let dataset = try runReportingDataErrors {
            // The weights file's lineage: signals.csv is hashed on the cycles the load and the fit leave idle.
            try Dataset.load(directory: URL(fileURLWithPath: dataDir), specURL: spec.map { URL(fileURLWithPath: $0) }, fingerprint: .background)
        }
        let loadSeconds = (clock.now - start).seconds
        let split = try runReportingDataErrors { try TrainingSplit(dataset: dataset, trainBefore: trainBefore) }
        let folder = URL(fileURLWithPath: out)
        guard let model = dataset.spec?.name else {
            throw reportError("no model spec: put a model.yaml in \(dataDir) or pass --spec")
        }
        // The parent: its version is the lineage, its reference levels are kept.
        let parentFile: WeightsFile? = try runReportingDataErrors {
            if let parent {
                do { return try WeightsStore.load(URL(fileURLWithPath: parent)) } catch let e as WeightsError { throw CLIError("--parent: \(e.message)") }
            }
            return WeightsStore.versions(in: folder, model: model).last?.file
        }
        if let version {
            let target = folder.appendingPathComponent(WeightsStore.fileName(model: model, version: version))
            if FileManager.default.fileExists(atPath: target.path) {
                throw reportError("\(target.path) exists: versions are immutable (pass another --version)")
            }
        }
        // l2: a number (the option's, else the spec's), or chosen by the validation path.
        let rule: L2Rule? = {
            if let l2, l2 != "auto" { return nil }
            if l2 == "auto" || dataset.spec?.l2Rule != nil { return l2Rule.flatMap(L2Rule.init(rawValue:)) ?? dataset.spec?.l2Rule ?? .oneSE }
            return nil
        }()
        if l2Rule != nil && rule == nil { throw reportError("--l2-rule applies to l2: auto; the spec's l2 is a number (pass --l2 auto)") }
        var options = Calibration.Options()
        options.l2 = l2.flatMap(Double.init)
        options.intervals = !noIntervals
        options.conditionalStandardErrors = conditionalSe
        options.parentReferences = parentFile?.referenceLevels ?? [:]
        if let spec = dataset.spec, spec.prior == .parent, let parentFile {
            options.prior = Calibration.Prior(parent: parentFile, strength: spec.priorStrength ?? ModelSpec.defaultPriorStrength)
        }
        options.progress = { Progress.say($0) }
        var path: L2Path? = nil
        if let rule {
            var selection = L2Selection.Options()
            selection.rule = rule
            selection.calibration = options
            selection.progress = { Progress.say($0) }
            path = try runReportingDataErrors {
                do { return try L2Selection.run(dataset: dataset, rows: split.training, options: selection) }
                catch let e as CalibrationError { throw CLIError(e.description) }
            }
            options.l2 = path!.chosen
        }
        let result = try runReportingDataErrors {
            do { return try Calibration.fit(dataset: dataset, rows: split.training, options: options) }
            catch let e as CalibrationError { throw CLIError(e.description) }
        }
        Progress.done()
        // The weights file: version, lineage, metrics by the scorer, then an atomic write that never replaces a file.
        let (written, file, made): (URL, WeightsFile, Version.Made) = try runReportingDataErrors {
            let cut = split.cutoff ?? (split.training.map { dataset.closedAt[Int($0)] }.max() ?? Date().timeIntervalSince1970)
            let month = String(formatDate(split.cutoff != nil ? cut - 1 : cut).prefix(7))
            let made = Version.make(
                result, dataset: dataset, training: split.training, holdout: split.holdout, trainBefore: split.cutoff,
                version: version ?? WeightsStore.nextVersion(in: folder, model: model, month: month), parent: parentFile?.version,
                tool: "leadcal \(LeadcalVersion.string)", alarms: true,
                validationAUC: path.flatMap { p in p.points.first { $0.l2 == p.chosen }?.auc })
            var file = made.file
            if dataset.spec?.prior == .parent && parentFile == nil {
                file.statistics.warnings.append("prior: parent, but \(out) holds no version of \(model) and no --parent was given: the ridge is centred on 0 (l2)")
            }
            file.spec.l2Rule = rule
            file.l2Path = path
            if let w = path?.boundaryWarning { file.statistics.warnings.append(w) }
            let url = try WeightsStore.write(file, to: folder, nextFreeVersion: version == nil ? month : nil)
            file.version = String(url.deletingPathExtension().lastPathComponent.dropFirst(model.count + 1))
            return (url, file, made)
        }
        let total = (clock.now - start).seconds
        let report = FitReport(result: result, file: file, dataset: dataset, training: made.training, holdout: made.holdout,
                               weightedTraining: made.weightedTraining, weightedHoldout: made.weightedHoldout, weightsFile: written.path,
                               loadSeconds: loadSeconds, totalSeconds: total)
        if json {
            try printJSON(report.json)
        } else {
            print(report.rendered())
        }
    }
}

extension Fit {
    /// `--recalibrate`: the child version of a parent, from recent outcomes.
    func runRecalibration(_ parentPath: String) throws {
        let parentFile = try loadWeights(parentPath)
        Progress.say("loading \(dataDir)…")
        let dataset = try runReportingDataErrors {
            try Dataset.load(directory: URL(fileURLWithPath: dataDir),
                             requirements: DataRequirements(models: [(parentFile, parentPath)], allowMissingColumns: false),
                             fingerprint: .background)
        }
        guard let cut = after.flatMap(parseTimestamp) ?? parentFile.training.window.end else {
            throw reportError("\(parentPath): its training window has no end; pass --after DATE")
        }
        let closed = dataset.closedAt
        let rows = (0..<Int32(closed.count)).filter { closed[Int($0)] >= cut }
        let folder = URL(fileURLWithPath: out)
        let model = parentFile.model
        let month = String(formatDate(rows.map { closed[Int($0)] }.max() ?? cut).prefix(7))
        if let version {
            let target = folder.appendingPathComponent(WeightsStore.fileName(model: model, version: version))
            if FileManager.default.fileExists(atPath: target.path) { throw reportError("\(target.path) exists: versions are immutable (pass another --version)") }
        }
        let (written, file): (URL, WeightsFile) = try runReportingDataErrors {
            let made: Version.Made
            do {
                made = try Recalibrated.make(
                    parent: parentFile, dataset: dataset, rows: rows, after: cut,
                    version: version ?? WeightsStore.nextVersion(in: folder, model: model, month: month), tool: "leadcal \(LeadcalVersion.string)")
            } catch let e as CalibrationError { throw CLIError("--recalibrate: \(e.description)") }
            var file = made.file
            let url = try WeightsStore.write(file, to: folder, nextFreeVersion: version == nil ? month : nil)
            file.version = String(url.deletingPathExtension().lastPathComponent.dropFirst(model.count + 1))
            return (url, file)
        }
        Progress.done()
        let r = file.recalibration!
        if json {
            struct JSON: Encodable {
                var weights_file: String, model: String, version: String, parent: String, after: String, rows: Int, won: Int
                var offset: Double, offset_std_error: Double?, offset_interval: [Double]
                var slope: Double, slope_std_error: Double?, slope_interval: [Double]
                var log_likelihood: Double, parent_log_likelihood: Double, metrics: WeightsFile.MetricSet, warnings: [String]
            }
            try printJSON(JSON(
                weights_file: written.path, model: model, version: file.version, parent: r.parent, after: r.after, rows: r.rows, won: r.won,
                offset: r.offset.weight, offset_std_error: r.offset.stdError, offset_interval: r.offsetInterval,
                slope: r.slope.weight, slope_std_error: r.slope.stdError, slope_interval: r.slopeInterval,
                log_likelihood: r.logLikelihood, parent_log_likelihood: r.parentLogLikelihood, metrics: file.metrics.training,
                warnings: file.statistics.warnings))
            return
        }
        func n(_ v: Double?, _ d: Int = 4) -> String { NumberFormat.fixed(v, d) }
        var lines = ["leadcal recalibration: \(model) \(r.parent) -> \(file.version)",
                     "outcomes closed from \(r.after.prefix(10)): \(r.rows) (won \(r.won)); logit = offset + slope × the parent's logit", "",
                     "            " + ["estimate", "std err", "z", "[0.025", "0.975]"].map { $0.leftPad(10) }.joined()]
        for (name, e, i, null) in [("offset", r.offset, r.offsetInterval, 0.0), ("slope", r.slope, r.slopeInterval, 1.0)] {
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + [n(e.weight), n(e.stdError), n(e.stdError.map { (e.weight - null) / $0 }, 2), n(i[0]), n(i[1])].map { $0.leftPad(10) }.joined())
        }
        lines.append("(z of the offset against 0, of the slope against 1: no shift, no change of spread)")
        lines.append(String(format: "log-likelihood %.3f (the parent's on the same outcomes: %.3f)", r.logLikelihood, r.parentLogLikelihood))
        let m = file.metrics.training
        lines.append("metrics on these outcomes: AUC \(n(m.auc, 4)), log loss \(n(m.logLoss)), Brier \(n(m.brier)) (optimistic: the outcomes it was fitted on)")
        lines.append("The weights are the parent's times the slope; their standard errors are not re-estimated.")
        lines.append("weights file: \(written.path)")
        print(lines.joined(separator: "\n"))
    }
}

/// Training and holdout rows of a `--train-before` split.
struct TrainingSplit {
    var training: [Int32]
    var holdout: [Int32]
    var cutoff: Double?

    init(dataset: Dataset, trainBefore: String?) throws {
        guard let text = trainBefore else {
            training = (0..<Int32(dataset.decided.count)).map { $0 }
            holdout = []
            return
        }
        let cut = parseTimestamp(text)!
        cutoff = cut
        let closed = dataset.closedAt
        training = (0..<Int32(closed.count)).filter { closed[Int($0)] < cut }
        holdout = (0..<Int32(closed.count)).filter { closed[Int($0)] >= cut }
        if training.isEmpty { throw CLIError("--train-before \(text): no outcome closed before it") }
    }
}
