import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalSynth
import LeadcalModel

/// A fitted synthetic model and its dataset, shared by the tests (fitted once).
enum Fixture {
    static let fitted: (dataset: Dataset, result: CalibrationResult, file: WeightsFile) = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-scorer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try! SyntheticGenerator(leads: 2_000, seed: 31).write(to: url)
        let dataset = try! Dataset.load(directory: url)
        var options = Calibration.Options()
        options.intervals = false
        let result = try! Calibration.fit(dataset: dataset, options: options)
        let file = result.weightsFile(
            version: "2026-10.1", parent: nil, createdAt: Date(timeIntervalSince1970: 1_790_000_000), tool: "leadcal test",
            dataset: dataset, trainBefore: nil,
            metrics: .init(training: .init(rows: result.statistics.rows, won: result.statistics.won, auc: 0.8, logLoss: 0.4, brier: 0.1)))
        return (dataset, result, file)
    }()

    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-weights-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
