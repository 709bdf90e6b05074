import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalModel
import LeadcalRoutine
import LeadcalSynth
import Testing

@Suite("l2: auto, chosen by time-ordered validation")
struct L2PathTests {
    static func dataset(leads: Int = 3_000, seed: UInt64 = 23) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-l2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try SyntheticGenerator(leads: leads, seed: seed).write(to: url)
        return try Dataset.load(directory: url)
    }

    static func point(_ l2: Double, _ loss: Double, _ se: Double) -> L2Path.Point {
        .init(l2: l2, logLoss: loss, logLossStdError: se, auc: nil, foldLogLoss: [], halfLives: [:])
    }

    @Test("min takes the lowest mean validation log loss; 1se the largest l2 within one standard error of it")
    func rules() {
        let points = [Self.point(0.01, 0.520, 0.004), Self.point(0.1, 0.512, 0.005), Self.point(1, 0.514, 0.004),
                      Self.point(10, 0.516, 0.004), Self.point(100, 0.530, 0.003)]
        let min = L2Path.choose(points, rule: .min)!
        #expect(min.chosen == 0.1 && min.best == 0.1)
        // 0.512 + 0.005 = 0.517: l2 = 10 (0.516) is the largest within; 100 (0.530) is not.
        let oneSE = L2Path.choose(points.shuffled(), rule: .oneSE)!
        #expect(oneSE.chosen == 10 && oneSE.best == 0.1)
        // A smaller l2 within one SE is never chosen by 1se: it would be less regular than the best.
        let flat = [Self.point(0.01, 0.5101, 0.01), Self.point(1, 0.51, 0.01)]
        #expect(L2Path.choose(flat, rule: .oneSE)!.chosen == 1)
        #expect(L2Path.choose([Self.point(1, .nan, 0)], rule: .min) == nil)
    }

    @Test("folds never validate on a month before one they trained on")
    func foldsLookForwardOnly() throws {
        let data = try Self.dataset()
        let folds = L2Selection.folds(dataset: data, rows: (0..<Int32(data.decided.count)).map { $0 }, count: 4,
                                      minimumValidation: 30, minimumTraining: 200)
        #expect(folds.count == 4)
        for (k, fold) in folds.enumerated() {
            let trained = fold.training.map { data.closedAt[Int($0)] }, validated = fold.validation.map { data.closedAt[Int($0)] }
            #expect(trained.max()! < fold.start, "fold \(fold.month) trained on an outcome closed in or after its month")
            #expect(validated.min()! >= fold.start)
            #expect(trained.max()! < validated.min()!)
            #expect(fold.validation.count >= 30 && fold.training.count >= 200)
            if k > 0 { #expect(fold.start > folds[k - 1].start, "folds in time order") }
        }
        // Every decided lead closed before a fold's month is in its training set (an expanding window).
        let last = folds.last!
        #expect(last.training.count == data.closedAt.filter { $0 < last.start }.count)
    }

    @Test("the path fits every l2 on every fold, records it, and its choice follows the rule")
    func pathOnSyntheticData() throws {
        let data = try Self.dataset()
        var options = L2Selection.Options()
        options.grid = [0.01, 1, 10_000]
        options.folds = 3
        let path = try L2Selection.run(dataset: data, options: options)
        #expect(path.rule == .oneSE)
        #expect(path.points.map(\.l2) == [0.01, 1, 10_000])
        #expect(path.folds.count == 3)
        for f in path.folds { #expect(f.lastTrainingClosedAt < f.month + "-01") }
        for p in path.points {
            #expect(p.foldLogLoss.count == 3)
            #expect(abs(p.logLoss - p.foldLogLoss.reduce(0, +) / 3) < 1e-12)
            #expect(p.logLoss > 0.2 && p.logLoss < 0.7)
            #expect(p.auc! > 0.6)
            #expect(!p.halfLives.isEmpty)
        }
        let (chosen, best) = L2Path.choose(path.points, rule: .oneSE)!
        #expect(path.chosen == chosen && path.best == best)
        // An extreme ridge shrinks every weight toward 0: on data with real signal it validates worse than a light one.
        #expect(path.points[2].logLoss > path.points[0].logLoss)
    }

    @Test("`l2: auto` and `l2_rule` parse; a rule without auto is refused")
    func specSyntax() throws {
        let base = "name: m\naxes:\n  a:\n    signals: [x]\n    half_life_days: 10\n"
        let auto = try ModelSpec.parse(yaml: base + "l2: auto\n").0
        #expect(auto.l2Rule == .oneSE)
        let min = try ModelSpec.parse(yaml: base + "l2: auto\nl2_rule: min\n").0
        #expect(min.l2Rule == .min)
        #expect(try ModelSpec.parse(yaml: base + "l2: 2\n").0.l2Rule == nil)
        #expect(throws: DataError.self) { try ModelSpec.parse(yaml: base + "l2: 2\nl2_rule: min\n", file: "model.yaml") }
        #expect(throws: DataError.self) { try ModelSpec.parse(yaml: base + "l2: auto\nl2_rule: best\n", file: "model.yaml") }
    }
}
