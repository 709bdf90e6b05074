import ArgumentParser
import Foundation
import LeadcalSynth

extension SyntheticGenerator.Order: ExpressibleByArgument {}

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a realistic dataset with known true weights and half-lives.",
        discussion: """
            Writes leads.csv, signals.csv, outcomes.csv, model.yaml and truth.json into --out. \
            Outcomes are drawn from the model itself, so a fit can be checked against \
            truth.json. The same --seed gives the same bytes. signals.csv is in time \
            order by default, as CRM and marketing-automation exports are; --order lead \
            groups it by lead (the same rows, in another order).
            """
    )

    @Option(help: "Number of leads.")
    var leads: Int = 5_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Ridge strength written into model.yaml.")
    var l2: Double = 1.0

    @Option(help: ArgumentHelp(
        "Row order of signals.csv: time (by occurred_at, as CRM exports are) or lead (grouped by lead).",
        valueName: "order"))
    var order: SyntheticGenerator.Order = .time

    @Option(help: ArgumentHelp(
        "Logit points every true weight moves per month of as_of (half of them up, half down; signal weights stop at 0). truth.json records it. Default 0: a stable truth.",
        valueName: "rate"))
    var drift: Double = 0

    @Option(help: "Output folder (created). An existing dataset is replaced only with --force, and only if synth wrote it.", completion: .directory)
    var out: String

    @Flag(help: "Replace a dataset that synth wrote before at --out.")
    var force = false

    func validate() throws {
        guard leads > 0 else { throw ValidationError("--leads must be positive") }
        guard l2 >= 0 else { throw ValidationError("--l2 must be >= 0") }
        guard drift.isFinite, abs(drift) <= 1 else { throw ValidationError("--drift must be a number of logit points per month in [-1, 1]") }
    }

    func run() throws {
        try runReportingDataErrors {
            try OutputPath.checkFolder(out, option: "--out", inputs: [], force: force) { path in
                FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent("truth.json").path)
            }
        }
        var generator = SyntheticGenerator(leads: leads, seed: seed)
        generator.l2 = l2
        generator.order = order
        generator.drift = drift
        try generator.write(to: URL(fileURLWithPath: out))
        print("wrote \(leads) leads to \(out) (seed \(seed))")
    }
}
