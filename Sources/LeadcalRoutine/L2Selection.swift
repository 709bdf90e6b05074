import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalScorer

/// `l2: auto`: the ridge strength chosen by time-ordered validation.
///
/// The folds are months of `closed_at`: fold M trains on the outcomes closed
/// before the first instant of M and validates on those closed during M
/// (never the reverse, so no fold learns from the future it is judged on).
/// Each l2 of the grid is fitted on every fold, from the largest down, each
/// fit warm-started from the previous l2's (half-lives refitted, without
/// intervals), and scored on the validation month by the production scorer.
/// The rule (``L2Rule``) then picks the l2 from the mean validation log loss
/// and its standard error over the folds.
///
/// Cost: `folds × grid` fits without intervals and as many scoring passes
/// over the validation months, on the growing training windows: about 20 to 30 fits' worth of work on
/// the default grid and 4 folds.
public enum L2Selection {
    public struct Options: Sendable {
        public var rule: L2Rule = .oneSE
        public var grid: [Double] = L2Path.defaultGrid
        /// At most this many folds: the latest validation months that qualify.
        public var folds = 4
        /// A validation month needs this many decided leads, of both outcomes.
        public var minimumValidation = 30
        /// A fold needs this many training outcomes closed before its month.
        public var minimumTraining = 200
        /// The fit options of every point (their l2, intervals and warm start are set here).
        public var calibration = Calibration.Options()
        public var progress: (@Sendable (String) -> Void)?
        public init() {}
    }

    /// A time-ordered fold: training rows all closed before `start`, validation rows closed in `[start, next)`.
    public struct Fold: Sendable {
        public var month: String
        public var start: Double
        public var training: [Int32]
        public var validation: [Int32]
    }

    /// The latest `count` months among `rows`' `closed_at` with at least
    /// `minimumValidation` decided leads of both outcomes and at least
    /// `minimumTraining` of `rows` closed before them, oldest first.
    /// Cost: O(rows × months).
    public static func folds(dataset: Dataset, rows: [Int32], count: Int, minimumValidation: Int, minimumTraining: Int) -> [Fold] {
        let closed = dataset.closedAt, labels = dataset.labels
        var starts = Set<Double>()
        for r in rows { starts.insert(Backtest.monthBounds(closed[Int(r)]).start) }
        var out: [Fold] = []
        for start in starts.sorted(by: >) where out.count < count {
            let next = Backtest.monthBounds(start).next
            let validation = rows.filter { closed[Int($0)] >= start && closed[Int($0)] < next }
            let won = validation.reduce(0) { $0 + (labels[Int($1)] > 0.5 ? 1 : 0) }
            guard validation.count >= minimumValidation, won > 0, won < validation.count else { continue }
            let training = rows.filter { closed[Int($0)] < start }
            guard training.count >= minimumTraining else { continue }
            out.append(Fold(month: String(formatDate(start).prefix(7)), start: start, training: training, validation: validation))
        }
        return out.reversed()
    }

    /// The validation path over `rows` (default: every decided lead) and the l2 the rule chooses.
    public static func run(dataset: Dataset, rows selected: [Int32]? = nil, options: Options = Options()) throws(CalibrationError) -> L2Path {
        let rows = selected ?? (0..<Int32(dataset.decided.count)).map { $0 }
        let folds = Self.folds(dataset: dataset, rows: rows, count: options.folds, minimumValidation: options.minimumValidation,
                               minimumTraining: options.minimumTraining)
        guard folds.count >= 2 else {
            throw CalibrationError("l2: auto needs at least 2 validation months with \(options.minimumValidation) decided leads of both outcomes "
                + "and \(options.minimumTraining) training outcomes before them; found \(folds.count). Set l2 to a number (for example --l2 1)")
        }
        let grid = options.grid.sorted(by: >)
        guard !grid.isEmpty, grid.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw CalibrationError("the l2 grid must hold finite numbers >= 0") }
        let labels = dataset.labels, closed = dataset.closedAt
        var losses = [[Double]](repeating: [], count: grid.count), aucs = [[Double]](repeating: [], count: grid.count)
        var halfLives = [[String: HalfLife]](repeating: [:], count: grid.count)
        for (k, fold) in folds.enumerated() {
            var previous: CalibrationResult? = nil
            let y = fold.validation.map { labels[Int($0)] }
            for (g, l2) in grid.enumerated() {
                options.progress?("l2 path: fold \(k + 1)/\(folds.count) (validating on \(fold.month)), l2 \(l2)")
                var o = options.calibration
                o.l2 = l2
                o.intervals = false
                o.checkIdentification = k == folds.count - 1
                o.warmStart = previous
                o.progress = nil
                let fit: CalibrationResult
                do { fit = try Calibration.fit(dataset: dataset, rows: fold.training, options: o) } catch {
                    throw CalibrationError("l2 path, fold \(fold.month), l2 = \(l2): \(error.description)")
                }
                // Only the validation month is scored: its probabilities do not depend on tiers.
                let scorer = Scorer(weights: fit.weightsFile(
                    version: "l2-path", parent: nil, createdAt: Date(timeIntervalSince1970: 0), tool: "leadcal l2 path",
                    dataset: dataset, rows: fold.training, trainBefore: nil))
                let p = ScoredOutcomes(scorer: scorer, dataset: dataset, rows: fold.validation).probability
                losses[g].append(Metrics.logLoss(p, y))
                if let a = Metrics.auc(p, y) { aucs[g].append(a) }
                if k == folds.count - 1 {
                    for a in fit.axes { if let h = a.halfLife { halfLives[g][a.name] = h } }
                }
                previous = fit
            }
        }
        var points: [L2Path.Point] = []
        for (g, l2) in grid.enumerated().reversed() {
            let v = losses[g], n = Double(v.count)
            let mean = v.reduce(0, +) / n
            let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            points.append(.init(l2: l2, logLoss: mean, logLossStdError: sd / n.squareRoot(),
                                auc: aucs[g].isEmpty ? nil : aucs[g].reduce(0, +) / Double(aucs[g].count), foldLogLoss: v, halfLives: halfLives[g]))
        }
        guard let choice = L2Path.choose(points, rule: options.rule) else {
            throw CalibrationError("l2 path: no l2 of the grid gave a finite validation log loss")
        }
        let summary = folds.map { f in
            L2Path.Fold(month: f.month, trainingRows: f.training.count,
                        lastTrainingClosedAt: formatTimestamp(f.training.map { closed[Int($0)] }.max()!),
                        validationRows: f.validation.count, validationWon: f.validation.reduce(0) { $0 + (labels[Int($1)] > 0.5 ? 1 : 0) })
        }
        return L2Path(rule: options.rule, chosen: choice.chosen, best: choice.best, folds: summary, points: points)
    }
}
