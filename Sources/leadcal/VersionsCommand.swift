import ArgumentParser
import Foundation
import LeadcalEvaluation
import LeadcalModel

struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the weights versions in a folder, oldest first.",
        discussion: "Files that fail validation (format, version, checksum) are listed as invalid, with the reason."
    )

    @Argument(help: "Folder of weights files.", completion: .directory)
    var dir: String = "weights"

    @Flag(help: "Print the list as JSON.")
    var json = false

    struct Row: Encodable {
        var file: String
        var model: String
        var version: String
        var parent: String?
        var created_at: String
        var training_rows: Int
        var train_before: String?
        var training_auc: Double?
        var holdout_auc: Double?
        /// Axis -> days and status (estimated, at_bound, not_identified, fixed, no_signal).
        var half_lives: [String: HalfLife]
        /// Features whose weight is not a plain estimate, by status.
        var weights_not_estimated: [String]
        var weights_at_bound_zero: [String]
    }

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        let files = WeightsStore.versions(in: folder)
        let rows = files.map { v in
            Row(file: v.url.lastPathComponent, model: v.file.model, version: v.file.version, parent: v.file.parent, created_at: v.file.createdAt,
                training_rows: v.file.training.rows, train_before: v.file.training.trainBefore, training_auc: v.file.metrics.training.auc,
                holdout_auc: v.file.metrics.holdout?.auc,
                half_lives: Dictionary(uniqueKeysWithValues: v.file.axes.compactMap { a in a.halfLife.map { (a.name, $0) } }),
                weights_not_estimated: v.file.features.filter { $0.status == .notEstimated }.map(\.name),
                weights_at_bound_zero: v.file.features.filter { $0.status == .atBoundZero }.map(\.name))
        }
        let listed = Set(files.map { $0.url.lastPathComponent })
        let invalid = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && !listed.contains($0) }
            .map { name -> (String, String) in
                do { _ = try WeightsStore.load(folder.appendingPathComponent(name)); return (name, "\(name): unreadable") }
                catch let e as WeightsError { return (name, e.message) } catch { return (name, "\(name): \(error)") }
            }
        if json { try printJSON(rows); return }
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        let header = ["model", "version", "parent", "created at", "train rows", "train AUC", "holdout AUC", "half-lives (days)"]
        var table = [header]
        var marked = false
        for (r, v) in zip(rows, files) {
            let lives = v.file.axes.compactMap { a in a.halfLife.map { "\(a.name) \(NumberFormat.days($0.days))\($0.mark)" } }.joined(separator: ", ")
            marked = marked || v.file.axes.contains { ($0.halfLife?.status ?? .estimated) != .estimated }
            table.append([r.model, r.version, r.parent ?? "-", r.created_at, "\(r.training_rows)", f(r.training_auc), f(r.holdout_auc), lives])
        }
        let widths = header.indices.map { c in table.map { $0[c].count }.max()! }
        for line in table { print(line.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 2, withPad: " ", startingAt: 0) }.joined()) }
        if rows.isEmpty { print("(no weights files in \(dir))") }
        if marked { print("half-lives: " + HalfLife.marksLegend) }
        for (_, reason) in invalid { print("invalid: \(reason)") }
    }
}
