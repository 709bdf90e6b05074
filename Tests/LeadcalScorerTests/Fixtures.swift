import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalSynth
import LeadcalModel
import LeadcalRoutine

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
        let file = Version.make(
            result, dataset: dataset, training: (0..<Int32(dataset.decided.count)).map { $0 }, version: "2026-10.1", parent: nil,
            createdAt: Date(timeIntervalSince1970: 1_790_000_000), tool: "leadcal test").file
        return (dataset, result, file)
    }()

    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-weights-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
