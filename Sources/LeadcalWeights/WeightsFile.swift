import Foundation

/// One fitted model version: everything production needs to score a lead,
/// and everything an analyst needs to trust it (lineage, data, fit, metrics).
///
/// The JSON layout is documented field by field in the README and in
/// `schema/weights-file.schema.json`. Documents are immutable once written;
/// ``WeightsFile/checksum`` covers every other byte (see ``WeightsStore``).
public struct WeightsFile: Codable, Sendable, Equatable {
    /// Always ``WeightsFile/formatIdentifier``.
    public var format: String
    /// `MAJOR.MINOR`; readers refuse a major version they do not know.
    public var formatVersion: String
    public var model: String
    public var version: String
    public var parent: String?
    /// ISO 8601, UTC.
    public var createdAt: String
    /// `leadcal X.Y.Z`.
    public var tool: String
    /// The model spec the weights were fitted with.
    public var spec: Spec
    public var training: Training
    public var intercept: Estimate
    public var axes: [Axis]
    public var statistics: Statistics
    public var metrics: Metrics
    /// Most urgent first; a lead takes the first tier whose threshold its probability reaches.
    public var tiers: [Tier]
    /// `sha256:` + 64 hex digits (see ``WeightsStore``).
    public var checksum: String

    public static let formatIdentifier = "leadcal.weights"
    public static let formatVersionString = "1.0"
    public static let supportedMajor = 1

    public struct Spec: Codable, Sendable, Equatable {
        public var name: String
        public var l2: Double
        public var nonnegative: [String]
        public var axes: [SpecAxis]
        /// The outcome definition the model predicts (compare refuses to mix definitions).
        public var outcome: String
        public var tiers: [String: String]?
        public init(name: String, l2: Double, nonnegative: [String], axes: [SpecAxis], outcome: String, tiers: [String: String]? = nil) {
            self.name = name
            self.l2 = l2
            self.nonnegative = nonnegative
            self.axes = axes
            self.outcome = outcome
            self.tiers = tiers
        }
    }

    public struct SpecAxis: Codable, Sendable, Equatable {
        public var name: String
        /// column -> categorical | numeric | log
        public var attributes: [String: String]
        public var signals: [String]
        public var halfLifeDays: Double?
        public var fitHalfLife: Bool
        public var saturation: String
        public init(name: String, attributes: [String: String], signals: [String], halfLifeDays: Double? = nil, fitHalfLife: Bool, saturation: String) {
            self.name = name
            self.attributes = attributes
            self.signals = signals
            self.halfLifeDays = halfLifeDays
            self.fitHalfLife = fitHalfLife
            self.saturation = saturation
        }
    }

    public struct Training: Codable, Sendable, Equatable {
        public var rows: Int
        public var won: Int
        public var lost: Int
        /// `[first, last]`, ISO 8601.
        public var asOf: [String]
        public var closedAt: [String]
        /// The `--train-before` cut, if any.
        public var trainBefore: String?
        /// Anomaly counts of the data report, by kind.
        public var anomalies: [String: Int]
        /// SHA-256 of each input file, by file name.
        public var inputs: [String: String]
        public init(rows: Int, won: Int, lost: Int, asOf: [String], closedAt: [String], trainBefore: String? = nil, anomalies: [String: Int], inputs: [String: String]) {
            self.rows = rows
            self.won = won
            self.lost = lost
            self.asOf = asOf
            self.closedAt = closedAt
            self.trainBefore = trainBefore
            self.anomalies = anomalies
            self.inputs = inputs
        }
    }

    public struct Estimate: Codable, Sendable, Equatable {
        public var weight: Double
        public var stdError: Double?
        public init(weight: Double, stdError: Double? = nil) {
            self.weight = weight
            self.stdError = stdError
        }
    }

    public struct Axis: Codable, Sendable, Equatable {
        public var name: String
        /// Half-life in days (nil for an axis without signals).
        public var halfLifeDays: Double?
        /// 95% profile-likelihood interval of a fitted half-life.
        public var halfLifeInterval: [Double]?
        public var halfLifeFitted: Bool
        /// `none` or `log1p`.
        public var saturation: String
        public var nonnegative: Bool
        public var features: [Feature]
        public init(name: String, halfLifeDays: Double? = nil, halfLifeInterval: [Double]? = nil, halfLifeFitted: Bool, saturation: String, nonnegative: Bool, features: [Feature]) {
            self.name = name
            self.halfLifeDays = halfLifeDays
            self.halfLifeInterval = halfLifeInterval
            self.halfLifeFitted = halfLifeFitted
            self.saturation = saturation
            self.nonnegative = nonnegative
            self.features = features
        }
    }

    public struct Feature: Codable, Sendable, Equatable {
        /// `pricing_visit`, `employees`, `industry=software`.
        public var name: String
        /// `category`, `numeric`, `log` or `signal`.
        public var kind: String
        /// The leads.csv column (attributes) or the signal type (signals).
        public var source: String
        /// For a category: the level this indicator is 1 for, and the column's reference level.
        public var level: String?
        public var referenceLevel: String?
        public var weight: Double
        public var stdError: Double?
        /// 95% Wald interval.
        public var interval: [Double]?
        /// `estimated`, `at_zero`, `constant` or `collinear`.
        public var status: String
        /// Mean of the feature over the training rows (the baseline of "reasons").
        public var mean: Double
        public init(name: String, kind: String, source: String, level: String? = nil, referenceLevel: String? = nil, weight: Double, stdError: Double? = nil, interval: [Double]? = nil, status: String, mean: Double) {
            self.name = name
            self.kind = kind
            self.source = source
            self.level = level
            self.referenceLevel = referenceLevel
            self.weight = weight
            self.stdError = stdError
            self.interval = interval
            self.status = status
            self.mean = mean
        }
    }

    public struct Statistics: Codable, Sendable, Equatable {
        public var objective: Double
        public var logLikelihood: Double
        public var nullLogLikelihood: Double
        public var pseudoR2: Double
        public var aic: Double
        public var converged: Bool
        public var iterations: Int
        public var newtonIterations: Int
        public var warnings: [String]
        public init(objective: Double, logLikelihood: Double, nullLogLikelihood: Double, pseudoR2: Double, aic: Double, converged: Bool, iterations: Int, newtonIterations: Int, warnings: [String]) {
            self.objective = objective
            self.logLikelihood = logLikelihood
            self.nullLogLikelihood = nullLogLikelihood
            self.pseudoR2 = pseudoR2
            self.aic = aic
            self.converged = converged
            self.iterations = iterations
            self.newtonIterations = newtonIterations
            self.warnings = warnings
        }
    }

    public struct Metrics: Codable, Sendable, Equatable {
        public var training: MetricSet
        public var holdout: MetricSet?
        public init(training: MetricSet, holdout: MetricSet? = nil) {
            self.training = training
            self.holdout = holdout
        }
    }

    public struct MetricSet: Codable, Sendable, Equatable {
        public var rows: Int
        public var won: Int
        public var auc: Double?
        public var logLoss: Double
        public var brier: Double
        public init(rows: Int, won: Int, auc: Double? = nil, logLoss: Double, brier: Double) {
            self.rows = rows
            self.won = won
            self.auc = auc
            self.logLoss = logLoss
            self.brier = brier
        }
    }

    public struct Tier: Codable, Sendable, Equatable {
        public var name: String
        /// A lead is in this tier when its probability is at least this (and it is in no earlier tier).
        public var minProbability: Double
        /// The rule it came from: `top 5%`, `p >= 0.3`, `rest`.
        public var rule: String
        public init(name: String, minProbability: Double, rule: String) {
            self.name = name
            self.minProbability = minProbability
            self.rule = rule
        }
    }

    public init(
        model: String, version: String, parent: String?, createdAt: String, tool: String, spec: Spec, training: Training,
        intercept: Estimate, axes: [Axis], statistics: Statistics, metrics: Metrics, tiers: [Tier]
    ) {
        format = Self.formatIdentifier
        formatVersion = Self.formatVersionString
        self.model = model
        self.version = version
        self.parent = parent
        self.createdAt = createdAt
        self.tool = tool
        self.spec = spec
        self.training = training
        self.intercept = intercept
        self.axes = axes
        self.statistics = statistics
        self.metrics = metrics
        self.tiers = tiers
        checksum = ""
    }

    /// Every feature in axis order.
    public var features: [Feature] { axes.flatMap(\.features) }

    /// The tier of a probability.
    public func tier(of probability: Double) -> String {
        tiers.first { probability >= $0.minProbability }?.name ?? tiers.last?.name ?? ""
    }
}
