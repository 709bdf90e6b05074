/// How `l2: auto` picks the ridge strength from the validation path.
public enum L2Rule: String, Sendable, Codable, Equatable, CaseIterable {
    /// The l2 with the lowest mean validation log loss.
    case min
    /// The largest l2 whose mean validation log loss is within one standard
    /// error of the lowest (Breiman et al. 1984, §3.4.3; glmnet's `lambda.1se`):
    /// the steadiest model the validation cannot tell from the best.
    case oneSE = "1se"
}

/// The regularization path of an `l2: auto` fit: each l2 of a log grid fitted
/// on time-ordered folds (train on the outcomes closed before a month,
/// validate on that month), with its validation log loss and AUC, and the
/// l2 the rule chose.
///
/// Validation never looks back: every fold's training rows closed before the
/// first instant of its validation month.
public struct L2Path: Sendable, Codable, Equatable {
    public var rule: L2Rule
    /// The l2 the final fit used.
    public var chosen: Double
    /// The l2 with the lowest mean validation log loss.
    public var best: Double
    public var folds: [Fold]
    /// In increasing l2.
    public var points: [Point]

    public init(rule: L2Rule, chosen: Double, best: Double, folds: [Fold], points: [Point]) {
        self.rule = rule
        self.chosen = chosen
        self.best = best
        self.folds = folds
        self.points = points
    }

    /// One time-ordered fold.
    public struct Fold: Sendable, Codable, Equatable {
        /// The validation month, `YYYY-MM`.
        public var month: String
        public var trainingRows: Int
        /// The latest `closed_at` trained on (before the month starts).
        public var lastTrainingClosedAt: String
        public var validationRows: Int
        public var validationWon: Int
        public init(month: String, trainingRows: Int, lastTrainingClosedAt: String, validationRows: Int, validationWon: Int) {
            self.month = month
            self.trainingRows = trainingRows
            self.lastTrainingClosedAt = lastTrainingClosedAt
            self.validationRows = validationRows
            self.validationWon = validationWon
        }
    }

    /// One l2 of the grid.
    public struct Point: Sendable, Codable, Equatable {
        public var l2: Double
        /// Mean over the folds of the validation log loss, and its standard
        /// error (the folds' standard deviation over √folds).
        public var logLoss: Double
        public var logLossStdError: Double
        /// Mean validation AUC over the folds that have both classes.
        public var auc: Double?
        /// Validation log loss of each fold, in fold order.
        public var foldLogLoss: [Double]
        /// Half-lives refitted at this l2 on the last fold's training rows (the most data), by axis, with their status.
        public var halfLives: [String: HalfLife]
        public init(l2: Double, logLoss: Double, logLossStdError: Double, auc: Double?, foldLogLoss: [Double], halfLives: [String: HalfLife]) {
            self.l2 = l2
            self.logLoss = logLoss
            self.logLossStdError = logLossStdError
            self.auc = auc
            self.foldLogLoss = foldLogLoss
            self.halfLives = halfLives
        }
    }

    /// The l2 `rule` picks from `points` (any order): the lowest mean
    /// log loss, or the largest l2 within one standard error of it.
    /// Returns (chosen, best). Cost: O(points).
    public static func choose(_ points: [Point], rule: L2Rule) -> (chosen: Double, best: Double)? {
        guard let best = points.filter({ $0.logLoss.isFinite }).min(by: { $0.logLoss < $1.logLoss }) else { return nil }
        switch rule {
        case .min: return (best.l2, best.l2)
        case .oneSE:
            let ceiling = best.logLoss + best.logLossStdError
            let chosen = points.filter { $0.logLoss <= ceiling && $0.l2 >= best.l2 }.map(\.l2).max() ?? best.l2
            return (chosen, best.l2)
        }
    }

    /// A warning when the choice sits at an end of the grid: the validation
    /// curve may keep falling beyond it, so the chosen l2 is a bound, not a
    /// located optimum.
    public var boundaryWarning: String? {
        guard let lo = points.map(\.l2).min(), let hi = points.map(\.l2).max() else { return nil }
        var notes: [String] = []
        if best == lo || best == hi { notes.append("the lowest validation log loss is at an end of the grid (l2 = \(best)): the optimum may lie beyond it") }
        if rule == .oneSE && chosen == hi { notes.append("1se chose the largest l2 of the grid (\(chosen)): a larger one might validate within one SE as well") }
        return notes.isEmpty ? nil : "l2 path: " + notes.joined(separator: "; ")
    }

    /// The default grid: 0.01 to 100 in steps of about half a decade (9
    /// points); the validation noise of monthly folds cannot resolve finer.
    public static let defaultGrid: [Double] = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
}
