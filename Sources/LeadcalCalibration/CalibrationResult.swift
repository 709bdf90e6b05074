import LeadcalData
import LeadcalFeatures

/// A fitted model: coefficients with their uncertainty, half-lives with
/// their intervals, fit statistics and diagnostics.
public struct CalibrationResult: Sendable {
    public struct Feature: Sendable, Codable, Equatable {
        public var name: String
        public var axis: String
        /// `category`, `numeric`, `log` or `signal`.
        public var kind: String
        public var weight: Double
        /// nil when the weight is not estimated (constant, collinear) or sits at its bound.
        public var stdError: Double?
        public var z: Double?
        /// 95% Wald interval `weight ± 1.959964 · SE`.
        public var lower: Double?
        public var upper: Double?
        public var status: Status
        /// For a category: the reference level of its column.
        public var referenceLevel: String?
    }

    /// How a feature's weight came out of the fit.
    public enum Status: String, Sendable, Codable, Equatable {
        /// Estimated, with a standard error.
        case estimated
        /// Held at zero by a non-negativity constraint (no standard error).
        case atZero = "at_zero"
        /// Constant on the training rows: not estimated (weight 0).
        case constant
        /// An exact linear combination of other features: not estimated at `l2 = 0`.
        case collinear

        /// Whether the weight was estimated at all.
        public var isEstimated: Bool { self == .estimated || self == .atZero }
    }

    public struct Axis: Sendable, Codable, Equatable {
        public var name: String
        public var halfLifeDays: Double?
        public var fitted: Bool
        /// 95% profile-likelihood interval (days) of a fitted half-life.
        public var lower: Double?
        public var upper: Double?
        /// An interval end at the search bound (0.5 or 3650 days): the data do not close it.
        public var lowerOpen: Bool
        public var upperOpen: Bool
        public var saturation: String
        public var nonnegative: Bool
    }

    public struct Statistics: Sendable, Codable, Equatable {
        public var rows: Int
        public var won: Int
        public var lost: Int
        public var l2: Double
        public var objective: Double
        public var logLikelihood: Double
        public var nullLogLikelihood: Double
        public var pseudoR2: Double
        /// `2k − 2 logL`, k = estimated parameters (intercept and free weights).
        public var aic: Double
        public var parameters: Int
        public var converged: Bool
        /// Half-life search iterations.
        public var iterations: Int
        /// Newton iterations, all inner solves together.
        public var newtonIterations: Int
        /// Inner solves (feature passes).
        public var evaluations: Int
        /// Passes over the design matrix (objective, gradient and Hessian).
        public var objectivePasses: Int
        public var seconds: Timing
    }

    public struct Timing: Sendable, Codable, Equatable {
        public var features: Double
        public var solver: Double
        public var intervals: Double
    }

    public var spec: ModelSpec
    public var layout: FeatureLayout
    public var intercept: Double
    public var interceptStdError: Double?
    public var features: [Feature]
    public var axes: [Axis]
    public var statistics: Statistics
    /// Things an analyst must know (collinearity, open intervals, …).
    public var warnings: [String]
    /// Fitted probability of each training row.
    public var trainingProbabilities: [Double]
    /// Mean of each layout feature over the training rows, at the fitted half-lives.
    public var featureMeans: [Double]

    /// Half-life (days) per spec axis, 0 for axes without signals.
    public var halfLives: [Double] { axes.map { $0.halfLifeDays ?? 0 } }

    /// Weight per layout feature (0 when not estimated).
    public var weightVector: [Double] { features.map(\.weight) }
}

/// Why a fit cannot be done.
public struct CalibrationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
