import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalScorer

/// Simulates the monthly routine on history: for each month M, fit on the
/// outcomes closed before M (warm-started from the previous month's fit) and
/// evaluate on the outcomes closed during M; beside it, a frozen model fitted
/// once before the first month. Answers "does retraining help, and how fast
/// do the weights drift?".
///
/// No fit ever sees an outcome closed in or after the month it predicts: the
/// training rows of month M are selected by `closed_at < start of M`, and the
/// features of every lead use only signals before its own `as_of`.
public enum Backtest {
    public struct Scores: Codable, Sendable, Equatable {
        public var auc: Double?
        public var logLoss: Double
        public var brier: Double
        public var calibrationError: Double
        enum CodingKeys: String, CodingKey {
            case auc, brier
            case logLoss = "log_loss", calibrationError = "calibration_error"
        }
        init(_ p: [Double], _ y: [Double]) {
            auc = Metrics.auc(p, y)
            logLoss = Metrics.logLoss(p, y)
            brier = Metrics.brier(p, y)
            calibrationError = Reliability.expectedError(Reliability.table(p, y))
        }
    }

    public struct Month: Codable, Sendable {
        /// `YYYY-MM`.
        public var month: String
        public var trainingRows: Int
        public var trainingWon: Int
        /// The latest `closed_at` trained on (always before the month starts).
        public var lastTrainingClosedAt: String
        public var testRows: Int
        public var testWon: Int
        /// Half-lives of the retrained model, with their status (a starting
        /// value kept for want of signal, a bound, a flat profile are not estimates).
        public var halfLives: [String: HalfLife]
        public var retrained: Scores
        public var frozen: Scores
        /// Mean and largest |w_M − w_(M−1)| / SE_M over estimated weights: month-to-month drift in standard errors.
        public var driftMean: Double?
        public var driftMax: Double?
        /// Share of all decided leads (each read at its own `as_of`) whose tier differs between this month's model and the previous month's.
        public var tierChurn: Double?
        /// With `prior: parent`: the same series fitted without the prior (each month centred on 0), for the trade-off.
        public var withoutPrior: Scores?
        public var tierChurnWithoutPrior: Double?
        enum CodingKeys: String, CodingKey {
            case month, retrained, frozen
            case trainingRows = "training_rows", trainingWon = "training_won", lastTrainingClosedAt = "last_training_closed_at"
            case testRows = "test_rows", testWon = "test_won", halfLives = "half_lives", driftMean = "drift_mean", driftMax = "drift_max"
            case tierChurn = "tier_churn", withoutPrior = "without_prior", tierChurnWithoutPrior = "tier_churn_without_prior"
        }
    }

    public struct Report: Codable, Sendable {
        public var model: String
        public var months: [Month]
        /// The month before which the frozen model was trained.
        public var frozenAt: String
        /// The l2 of every month's fit.
        public var l2: Double
        /// With `l2: auto`: how l2 was chosen (once, before the first month).
        public var l2Note: String?
        /// With `prior: parent`: its strength (each month's prior is the previous month's fit).
        public var priorStrength: Double?
        enum CodingKeys: String, CodingKey {
            case model, months, l2
            case frozenAt = "frozen_at", l2Note = "l2_note", priorStrength = "prior_strength"
        }
    }

    /// The first instant of the month containing `t`, and of the next month.
    static func monthBounds(_ t: Double) -> (start: Double, next: Double) {
        let (y, m, _) = civilFromDays(Int((t / 86400).rounded(.down)))
        let start = Double(daysFromCivil(y, m, 1) * 86400)
        let next = Double(daysFromCivil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400)
        return (start, next)
    }

    /// Runs the backtest from the month containing `from` (default: the first
    /// month with at least `minimumTraining` outcomes closed before it) to the
    /// month of the last `closed_at`.
    public static func run(
        dataset: Dataset, from: Double? = nil, minimumTraining: Int = 300, progress: (String) -> Void = { _ in }
    ) throws(CalibrationError) -> Report {
        let closed = dataset.closedAt
        guard let last = closed.max(), let spec = dataset.spec else { throw CalibrationError("no decided leads to backtest on") }
        var start: Double
        if let from {
            start = monthBounds(from).start
        } else {
            let sorted = closed.sorted()
            guard sorted.count > minimumTraining else { throw CalibrationError("fewer than \(minimumTraining) decided leads: too few to backtest") }
            start = monthBounds(sorted[minimumTraining]).next
        }
        var options = Calibration.Options()
        options.intervals = false
        options.checkIdentification = true
        var l2 = spec.l2, l2Note: String? = nil
        if let rule = spec.l2Rule {
            // One choice, on what was known before the first month: choosing per month would cost the path's fits every month.
            var selection = L2Selection.Options()
            selection.rule = rule
            selection.calibration = options
            let before = (0..<Int32(closed.count)).filter { closed[Int($0)] < start }
            progress("backtest: choosing l2 on the \(before.count) outcomes closed before \(formatDate(start).prefix(7))")
            let path = try L2Selection.run(dataset: dataset, rows: before, options: selection)
            l2 = path.chosen
            l2Note = "l2: auto (\(rule.rawValue)) chose \(l2) once, by time-ordered validation on the outcomes closed before \(formatDate(start).prefix(7)); every month is fitted with it"
        }
        options.l2 = l2
        var months: [Month] = []
        var frozen: Scorer? = nil
        var previous: CalibrationResult? = nil
        var previousFile: WeightsFile? = nil
        // Without the prior, beside it (only with `prior: parent`).
        var plainPrevious: CalibrationResult? = nil, plainPreviousScorer: Scorer? = nil
        let labels = dataset.labels
        let everyone = (0..<Int32(closed.count)).map { $0 }
        /// Share of `rows` whose tier differs between two scorers.
        func churn(_ a: Scorer, _ b: Scorer, _ rows: [Int32]) -> Double {
            let x = ScoredOutcomes(scorer: a, dataset: dataset, rows: rows), y = ScoredOutcomes(scorer: b, dataset: dataset, rows: rows)
            return Double(zip(x.tier, y.tier).filter { $0 != $1 }.count) / Double(max(rows.count, 1))
        }
        while start <= last {
            let next = monthBounds(start).next
            let month = String(formatDate(start).prefix(7))
            let training = (0..<Int32(closed.count)).filter { closed[Int($0)] < start }
            let test = (0..<Int32(closed.count)).filter { closed[Int($0)] >= start && closed[Int($0)] < next }
            defer { start = next }
            guard !test.isEmpty, training.count >= 2 else { continue }
            progress("backtest: \(month), training on \(training.count) outcomes")
            options.warmStart = previous
            options.prior = spec.prior == .parent ? previousFile.map { Calibration.Prior(parent: $0, strength: spec.priorStrength ?? ModelSpec.defaultPriorStrength) } : nil
            let fit = try Calibration.fit(dataset: dataset, rows: training, options: options)
            let file = Version.make(
                fit, dataset: dataset, training: training, version: "backtest-\(month)", parent: nil,
                createdAt: Date(timeIntervalSince1970: 0), tool: "leadcal backtest").file
            let scorer = Scorer(weights: file)
            let previousScorer = previousFile.map { Scorer(weights: $0) }
            if frozen == nil { frozen = scorer }
            let y = test.map { labels[Int($0)] }
            var withoutPrior: Scores? = nil, churnWithoutPrior: Double? = nil
            if spec.prior == .parent {
                var plain = options
                plain.prior = nil
                plain.warmStart = plainPrevious
                let fit = try Calibration.fit(dataset: dataset, rows: training, options: plain)
                let plainScorer = Scorer(weights: Version.make(
                    fit, dataset: dataset, training: training, version: "backtest-\(month)", parent: nil,
                    createdAt: Date(timeIntervalSince1970: 0), tool: "leadcal backtest").file)
                withoutPrior = Scores(ScoredOutcomes(scorer: plainScorer, dataset: dataset, rows: test).probability, y)
                churnWithoutPrior = plainPreviousScorer.map { churn($0, plainScorer, everyone) }
                plainPrevious = fit
                plainPreviousScorer = plainScorer
            }
            var driftMean: Double? = nil, driftMax: Double? = nil
            if let previous {
                let before = Dictionary(previous.features.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
                let drifts = fit.features.compactMap { f -> Double? in
                    guard let se = f.stdError, se > 0, let w = before[f.name] else { return nil }
                    return abs(f.weight - w) / se
                }
                if !drifts.isEmpty { driftMean = drifts.reduce(0, +) / Double(drifts.count); driftMax = drifts.max() }
            }
            var halfLives: [String: HalfLife] = [:]
            for a in fit.axes { if let h = a.halfLife { halfLives[a.name] = h } }
            months.append(Month(
                month: month, trainingRows: training.count, trainingWon: Int(training.reduce(0.0) { $0 + labels[Int($1)] }),
                lastTrainingClosedAt: formatTimestamp(training.map { closed[Int($0)] }.max()!), testRows: test.count,
                testWon: Int(y.reduce(0, +)), halfLives: halfLives,
                retrained: Scores(ScoredOutcomes(scorer: scorer, dataset: dataset, rows: test).probability, y),
                frozen: Scores(ScoredOutcomes(scorer: frozen!, dataset: dataset, rows: test).probability, y),
                driftMean: driftMean, driftMax: driftMax, tierChurn: previousScorer.map { churn($0, scorer, everyone) },
                withoutPrior: withoutPrior, tierChurnWithoutPrior: churnWithoutPrior))
            previous = fit
            previousFile = file
        }
        return Report(model: spec.name, months: months, frozenAt: months.first?.month ?? "", l2: l2, l2Note: l2Note,
                      priorStrength: spec.prior == .parent ? (spec.priorStrength ?? ModelSpec.defaultPriorStrength) : nil)
    }
}
