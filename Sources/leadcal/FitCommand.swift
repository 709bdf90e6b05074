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
            """
    )

    @Argument(help: "Folder holding leads.csv, signals.csv and outcomes.csv.", completion: .directory)
    var dataDir: String

    @Option(help: "Model spec (YAML). Default: DATA_DIR/model.yaml.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @Option(help: "Train on outcomes whose closed_at is before this ISO 8601 date; evaluate on the rest.")
    var trainBefore: String?

    @Option(help: "Override the spec's ridge strength l2.")
    var l2: Double?

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

    @Flag(help: "Print the results as JSON on stdout.")
    var json = false

    func validate() throws {
        if let t = trainBefore, parseTimestamp(t) == nil {
            throw ValidationError("--train-before: expected an ISO 8601 date or date-time, found '\(t)'")
        }
        if let l2, !(l2 >= 0 && l2.isFinite) { throw ValidationError("--l2 must be a finite number >= 0, found \(l2)") }
        if let v = version, !WeightsStore.isValidName(v) {
            throw ValidationError("--version: 1 to \(WeightsStore.maxNameLength) ASCII letters, digits, '.', '_' or '-', not starting with '.' or '-'")
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        Progress.say("loading \(dataDir)…")
        let dataset = try runReportingDataErrors {
            try Dataset.load(directory: URL(fileURLWithPath: dataDir), specURL: spec.map { URL(fileURLWithPath: $0) })
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
        var options = Calibration.Options()
        options.l2 = l2
        options.intervals = !noIntervals
        options.conditionalStandardErrors = conditionalSe
        options.parentReferences = parentFile?.referenceLevels ?? [:]
        options.progress = { Progress.say($0) }
        let result = try runReportingDataErrors {
            do { return try Calibration.fit(dataset: dataset, rows: split.training, options: options) }
            catch let e as CalibrationError { throw CLIError(e.description) }
        }
        Progress.done()
        // The weights file: version, lineage, metrics by the scorer, then an atomic write that never replaces a file.
        let (written, file, training, holdout): (URL, WeightsFile, Metrics.Summary, Metrics.Summary?) = try runReportingDataErrors {
            let cut = split.cutoff ?? (split.training.map { dataset.closedAt[Int($0)] }.max() ?? Date().timeIntervalSince1970)
            let month = String(formatDate(split.cutoff != nil ? cut - 1 : cut).prefix(7))
            let made = Version.make(
                result, dataset: dataset, training: split.training, holdout: split.holdout, trainBefore: split.cutoff,
                version: version ?? WeightsStore.nextVersion(in: folder, model: model, month: month), parent: parentFile?.version,
                tool: "leadcal \(LeadcalVersion.string)")
            var file = made.file
            let training = made.training, holdout = made.holdout
            let url = try WeightsStore.write(file, to: folder, nextFreeVersion: version == nil ? month : nil)
            file.version = String(url.deletingPathExtension().lastPathComponent.dropFirst(model.count + 1))
            return (url, file, training, holdout)
        }
        let total = (clock.now - start).seconds
        let report = FitReport(result: result, file: file, dataset: dataset, training: training, holdout: holdout, weightsFile: written.path,
                               loadSeconds: loadSeconds, totalSeconds: total)
        if json {
            try printJSON(report.json)
        } else {
            print(report.rendered())
        }
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
