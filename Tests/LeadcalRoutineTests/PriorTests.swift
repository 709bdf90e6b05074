import Foundation
import LeadcalData
import LeadcalModel
import LeadcalRoutine
import LeadcalSynth
import Testing

@Suite("prior: parent, on a drifting truth")
struct PriorTests {
    /// `synth --drift`, read with the spec's `prior: parent`.
    static func drifting(seed: UInt64, leads: Int = 4_000, drift: Double = 0.05) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-prior-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        var generator = SyntheticGenerator(leads: leads, seed: seed)
        generator.drift = drift
        try generator.write(to: url)
        var spec = try Dataset.load(directory: url).spec!
        spec.prior = .parent
        spec.priorStrength = ModelSpec.defaultPriorStrength
        return try Dataset.load(directory: url, spec: spec)
    }

    @Test("synth --drift moves every true weight by the rate each month, half up and half down, signal weights stopping at 0")
    func driftTruth() {
        var generator = SyntheticGenerator(leads: 10, seed: 1)
        generator.drift = 0.05
        let truth = generator.truth
        #expect(truth.driftPerMonth == 0.05)
        let up = Set(truth.driftUp!)
        #expect(up.count == (truth.weights.count + 1) / 2)
        for (name, w) in truth.weights {
            let later = truth.weight(name, month: 10)!
            let expected = w + (up.contains(name) ? 0.5 : -0.5)
            let isSignal = !name.contains("=") && name != "employees"
            #expect(abs(later - (isSignal ? max(0, expected) : expected)) < 1e-12, "\(name)")
        }
    }

    @Test("the prior lowers month-to-month tier churn without losing more than 0.005 AUC on the following month", arguments: [5, 6, 7, 8] as [UInt64])
    func churnTradeOff(seed: UInt64) throws {
        let report = try Backtest.run(dataset: try Self.drifting(seed: seed), from: parseTimestamp("2025-11-01"))
        #expect(report.priorStrength == ModelSpec.defaultPriorStrength)
        let months = report.months.filter { $0.tierChurn != nil && $0.tierChurnWithoutPrior != nil }
        #expect(months.count >= 8)
        let churn = months.reduce(0.0) { $0 + $1.tierChurn! } / Double(months.count)
        let plain = months.reduce(0.0) { $0 + $1.tierChurnWithoutPrior! } / Double(months.count)
        let auc = months.reduce(0.0) { $0 + $1.retrained.auc! } / Double(months.count)
        let plainAUC = months.reduce(0.0) { $0 + $1.withoutPrior!.auc! } / Double(months.count)
        #expect(churn < plain, "churn \(churn) with the prior, \(plain) without")
        #expect(auc - plainAUC > -0.005, "AUC \(auc) with the prior, \(plainAUC) without")
    }
}
