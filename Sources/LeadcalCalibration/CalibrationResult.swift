import LeadcalData
import LeadcalFeatures
import LeadcalModel

/// A fitted model: coefficients with their uncertainty, half-lives with
/// their intervals and statuses, fit statistics and diagnostics.
public struct CalibrationResult: Sendable {
    public struct Feature: Sendable, Codable, Equatable {
        public var name: String
        public var axis: String
        public var kind: FeatureKind
        public var weight: Double
        /// Estimated weights only.
        public var stdError: Double?
        public var z: Double?
        /// 95% Wald interval `weight ± 1.959964 · SE`.
        public var lower: Double?
        public var upper: Double?
        public var status: WeightStatus
        public var reason: NotEstimatedReason?
        /// For a category: the reference level of its column.
        public var referenceLevel: String?

        enum CodingKeys: String, CodingKey {
            case name, axis, kind, weight, z, lower, upper, status, reason
            case stdError = "std_error", referenceLevel = "reference_level"
        }
    }

    public struct Axis: Sendable, Codable, Equatable {
        public var name: String
        /// Nil for an axis without signals.
        public var halfLife: HalfLife?
        public var saturation: ModelSpec.Saturation
        public var nonnegative: Bool
        /// A second local optimum of the profile within 1.92 of the best (days), if one was found.
        public var secondOptimumDays: Double?

        enum CodingKeys: String, CodingKey {
            case name, saturation, nonnegative
            case halfLife = "half_life", secondOptimumDays = "second_optimum_days"
        }
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
        /// `2k − 2 logL`, k = estimated parameters (intercept, free weights, fitted half-lives).
        public var aic: Double
        public var parameters: Int
        public var converged: Bool
        /// Half-life search iterations.
        public var iterations: Int
        /// Newton iterations, all inner solves together.
        public var newtonIterations: Int
        /// Inner solves on the training rows (one feature pass each).
        public var evaluations: Int
        /// Feature passes over all training rows (screening, every inner solve, and the second derivatives of the joint information).
        public var featurePasses: Int
        /// Feature passes over subsamples (the global scan and the coarse search of large data).
        public var subsampleFeaturePasses: Int
        /// Passes over the design matrix (objective, gradient and Hessian).
        public var objectivePasses: Int
        public var seconds: Timing
    }

    public struct Timing: Sendable, Codable, Equatable {
        /// Feature passes and matrix rebuilds on the training rows.
        public var features: Double
        /// Inner Newton solves on the training rows.
        public var solver: Double
        public var intervals: Double
        /// Wall time per stage, in order: screen, search (scan, subsample and
        /// full-data search), intervals, standard errors.
        public var stages: [Stage] = []
    }

    /// One stage of a fit and its wall time.
    public struct Stage: Sendable, Codable, Equatable {
        public var name: String
        public var seconds: Double
    }

    public var spec: ModelSpec
    public var layout: FeatureLayout
    /// What the weights' standard errors, z, p and intervals hold.
    public var standardErrors: StandardErrorKind
    public var intercept: Double
    public var interceptStdError: Double?
    public var features: [Feature]
    public var axes: [Axis]
    public var statistics: Statistics
    /// Things an analyst must know (collinearity, unidentified half-lives, …).
    public var warnings: [String]
    /// Fitted probability of each training row (from the solver).
    public var trainingProbabilities: [Double]
    /// Mean of each layout feature over the training rows, at the fitted half-lives.
    public var featureMeans: [Double]

    /// Half-life (days) per spec axis, 0 for axes without signals.
    public var halfLives: [Double] { axes.map { $0.halfLife?.days ?? 0 } }

    /// Weight per layout feature (0 when not estimated).
    public var weightVector: [Double] { features.map(\.weight) }
}

/// Why a fit cannot be done.
public struct CalibrationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
