import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalSynth
import LeadcalModel
import LeadcalRoutine

/// A fitted synthetic model and its dataset, shared by the tests (fitted once).
enum Fixture {
    static let fitted = fit(version: "2026-10.1") { _ in }

    /// The same data fitted with breadth features on two axes (engagement 14 days, history 30 days).
    static let fittedBreadth = fit(version: "2026-10.2") { spec in
        for a in spec.axes.indices where spec.axes[a].name == "engagement" || spec.axes[a].name == "history" {
            spec.axes[a].breadthDays = spec.axes[a].name == "engagement" ? 14 : 30
        }
    }

    /// 2,000 synthetic leads (seed 31) read with their spec changed by `edit`, fitted without intervals.
    static func fit(version: String, edit: (inout ModelSpec) -> Void) -> (dataset: Dataset, result: CalibrationResult, file: WeightsFile) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-scorer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try! SyntheticGenerator(leads: 2_000, seed: 31).write(to: url)
        var spec = try! Dataset.load(directory: url).spec!
        edit(&spec)
        let dataset = try! Dataset.load(directory: url, spec: spec)
        var options = Calibration.Options()
        options.intervals = false
        let result = try! Calibration.fit(dataset: dataset, options: options)
        let file = Version.make(
            result, dataset: dataset, training: (0..<Int32(dataset.decided.count)).map { $0 }, version: version, parent: nil,
            createdAt: Date(timeIntervalSince1970: 1_790_000_000), tool: "leadcal test").file
        return (dataset, result, file)
    }

    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-weights-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
