import Foundation
import LeadcalData
import LeadcalFeatures
import LeadcalModel

/// Fits the model of the data contract on decided leads: the intercept and
/// every feature weight by penalized maximum likelihood, and the half-life of
/// every axis with `fit_half_life: true` by maximising the profile likelihood.
///
///     minimise  Σ_i logloss_i + (l2/2) Σ_j (sd_j w_j)²    over b0, w, log h
///
/// In named stages (``FitRun``): the layout and screening of features that
/// cannot be estimated; a global search of the half-lives (a coordinate scan
/// of the profile on a log grid, then projected BFGS from the best point,
/// with every other local optimum of the scan refined and compared); the
/// profile-likelihood interval of each half-life, solved on the profile
/// itself; the standard errors from the inverse penalized Hessian (half-lives
/// held at their estimates); and the status of every number that is not a
/// plain estimate.
///
/// Inner problem (fixed half-lives): projected Newton on BLAS/LAPACK
/// (``NewtonSolver``); outer problem: ``HalfLifeSearch`` on ``ProfileObjective``.
public enum Calibration {
    public struct Options: Sendable {
        /// Overrides the spec's `l2`.
        public var l2: Double?
        /// Relative KKT residual at which the inner solve stops.
        public var tolerance = 1e-8
        /// Compute profile-likelihood intervals of the half-lives.
        public var intervals = true
        /// Without intervals: still scan each fitted half-life's profile at the
        /// optimum, so that one the data cannot tell is marked `not_identified`
        /// (14 evaluations per axis; what the backtest uses).
        public var checkIdentification = false
        /// Reference levels to keep while they still occur (the parent version's).
        public var parentReferences: [String: String] = [:]
        /// Progress messages (called from the calling thread).
        public var progress: (@Sendable (String) -> Void)?
        /// A previous fit to start from (half-lives and weights by feature name),
        /// for example last month's when retraining.
        public var warmStart: CalibrationResult?
        /// Standard errors that hold the half-lives fixed at their estimates,
        /// instead of the joint ones that carry their uncertainty.
        public var conditionalStandardErrors = false
        /// `prior: parent`: the ridge centred on a previous version's weights.
        public var prior: Prior?
        public init() {}
    }

    /// A ridge centred on a parent version: each feature the parent estimated
    /// (with a standard error, and for a category against the same reference
    /// level) is penalized by `(strength / SE²)/2 · (w − w_parent)²` instead
    /// of `(l2/2)(sd · w)²`: a Gaussian prior at the parent's estimate whose
    /// variance is the parent's SE² over the share of its evidence carried.
    public struct Prior: Sendable {
        public var parent: String
        /// Weight and standard error of every feature the parent estimated, by name.
        public var weights: [String: (weight: Double, stdError: Double, referenceLevel: String?)]
        /// In (0, 1]: the share of the parent's evidence carried.
        public var strength: Double

        public init(parent file: WeightsFile, strength: Double) {
            parent = file.version
            self.strength = strength
            var weights: [String: (Double, Double, String?)] = [:]
            for f in file.features where f.status == .estimated {
                if let se = f.stdError, se > 0, se.isFinite, f.weight.isFinite { weights[f.name] = (f.weight, se, f.referenceLevel) }
            }
            self.weights = weights
        }
    }

    /// Above `4 × coarseRows` training rows the half-lives are first fitted on a
    /// subsample of about this many rows.
    static let coarseRows = 25_000
    /// Above `scanRows + scanRows / 5` training rows the global scan of the
    /// profile runs on a subsample of about this many rows (it only proposes
    /// starting points; the local searches run on the data).
    static let scanRows = 10_000

    /// Fits on the decided rows `rows` of `dataset` (default: all decided leads).
    public static func fit(dataset: Dataset, rows: [Int32]? = nil, options: Options = Options()) throws(CalibrationError) -> CalibrationResult {
        let run = try FitRun(dataset: dataset, rows: rows, options: options)
        try run.stage("screen") { () throws(CalibrationError) in try run.screen() }
        run.stage("search") { run.searchHalfLives() }
        try run.checkDivergence()
        run.stage("intervals") { run.profileIntervals() }
        run.stage("standard_errors") { run.standardErrors() }
        let result = run.result()
        try run.checkScale(result)
        return result
    }
}
