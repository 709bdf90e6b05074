import ArgumentParser
import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalRoutine
import LeadcalScorer
import LeadcalModel

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a Jupyter notebook that explains and checks a model version.",
        discussion: """
            Writes OUT.ipynb (nbformat 4) and the CSV files it reads into OUT/: markdown cells \
            explaining the model, its weights by axis, half-lives and metrics (and the \
            verdict against --baseline), and pandas + matplotlib cells that plot the \
            reliability diagram, the gains chart, the score distribution of both versions, \
            the weights and, with --backtest, the monthly retraining series. Run it in \
            Jupyter, or execute it with nbclient.
            """
    )

    @Option(help: "The version to report on.", completion: .file(extensions: ["json"]))
    var weights: String

    @Option(help: "A version to compare with (for example the one in production).", completion: .file(extensions: ["json"]))
    var baseline: String?

    @OptionGroup var selection: OutcomeSelection

    @Option(help: "Output path without extension: writes OUT.ipynb and OUT/*.csv.", completion: .file())
    var out: String

    @Flag(help: "Run the monthly backtest on DATA_DIR (with its model.yaml) and plot it.")
    var backtest = false

    @Flag(help: "Replace a report written before at --out (never anything else).")
    var force = false

    func run() throws {
        let inputs = [weights] + (baseline.map { [$0] } ?? []) + OutputPath.datasetFiles(selection.dataDir)
        try runReportingDataErrors {
            try OutputPath.checkFile(out + ".ipynb", option: "--out", inputs: inputs, force: force) { AnalystReport.isReport(notebook: $0) }
            try OutputPath.checkFolder(out, option: "--out", inputs: inputs, force: force) { AnalystReport.isReport(folder: $0) }
        }
        let notebook = try runReportingDataErrors { () throws -> URL in
            let candidate = try loadWeights(weights)
            let base = try baseline.map(loadWeights)
            let files = [(candidate, weights)] + (base.map { [($0, baseline!)] } ?? [])
            let directory = URL(fileURLWithPath: selection.dataDir)
            let dataset = try selection.load(files)
            let start = selection.after == nil && base != nil ? ComparisonReport.fairStart(files.map(\.0)) : nil
            let rows = try selection.rows(dataset, defaultStart: start)
            var backtestReport: Backtest.Report? = nil
            if backtest {
                let full = try Dataset.load(directory: directory)
                do { backtestReport = try Backtest.run(dataset: full, progress: { Progress.say($0) }) }
                catch let e as CalibrationError { throw CLIError(e.description) }
                Progress.done()
            }
            let report = AnalystReport(
                candidate: candidate, candidateScores: ScoredOutcomes(scorer: Scorer(weights: candidate), dataset: dataset, rows: rows),
                baseline: base, baselineScores: base.map { ScoredOutcomes(scorer: Scorer(weights: $0), dataset: dataset, rows: rows) },
                backtest: backtestReport,
                dataDescription: selection.dataDir + selection.describe(start: start))
            do { return try report.write(to: URL(fileURLWithPath: out)) } catch {
                throw CLIError("\(out): cannot write the report (\(WeightsStore.ioReasonText(error)))")
            }
        }
        print("wrote \(notebook.path) and its data in \(out)/")
    }
}
