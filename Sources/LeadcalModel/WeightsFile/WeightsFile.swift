/// One fitted model version: everything production needs to score a lead,
/// and everything an analyst needs to trust it (lineage, data, fit, metrics).
///
/// The JSON layout is documented field by field in the README and in
/// `schema/weights-file.schema.json`. Documents are immutable once written;
/// ``WeightsFile/checksum`` covers every other byte (see ``WeightsStore``).
/// Every number that is not a plain estimate carries its status: a weight
/// at its bound or not estimated, a half-life at a bound, not identified,
/// fixed or without signal, an interval end the data do not reach (`null`).
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
    /// The outcome the probability is of (compare refuses to mix definitions).
    public var outcome: String
    /// The model spec the weights were fitted with.
    public var spec: ModelSpec
    public var training: Training
    public var intercept: Estimate
    public var axes: [Axis]
    public var statistics: Statistics
    public var metrics: Metrics
    /// The validation path that chose l2 (`l2: auto` only).
    public var l2Path: L2Path?
    /// A version made by `fit --recalibrate`: how it was made from its parent.
    public var recalibration: Recalibration?
    /// Most urgent first; a lead takes the first tier whose threshold its probability reaches.
    public var tiers: [Tier]
    /// `sha256:` + 64 hex digits (see ``WeightsStore``).
    public var checksum: String

    public static let formatIdentifier = "leadcal.weights"
    public static let formatVersionString = "2.0"
    public static let supportedMajor = 2
    /// What every version predicts.
    public static let outcomeDefinition = "won vs lost (outcomes.csv), signals strictly before as_of"

    public struct Training: Codable, Sendable, Equatable {
        public var rows: Int
        public var won: Int
        public var lost: Int
        /// `[first, last]`, ISO 8601.
        public var asOf: [String]
        public var closedAt: [String]
        /// The `--train-before` cut, if any.
        public var trainBefore: String?
        /// The outcomes this version could have trained on, by `closed_at`:
        /// evaluating it on a lead closed inside this window is not a fair test.
        public var window: TrainingWindow
        /// SHA-256 over the input files' digests (by file name): the data it was fitted on.
        public var dataFingerprint: String
        /// Anomaly counts of the data report, by kind.
        public var anomalies: [String: Int]
        /// SHA-256 of each input file, by file name.
        public var inputs: [String: String]
        public init(
            rows: Int, won: Int, lost: Int, asOf: [String], closedAt: [String], trainBefore: String? = nil, window: TrainingWindow,
            dataFingerprint: String, anomalies: [String: Int], inputs: [String: String]
        ) {
            self.rows = rows
            self.won = won
            self.lost = lost
            self.asOf = asOf
            self.closedAt = closedAt
            self.trainBefore = trainBefore
            self.window = window
            self.dataFingerprint = dataFingerprint
            self.anomalies = anomalies
            self.inputs = inputs
        }
    }

    /// A `closed_at` window: from `from` (inclusive) to `to`, inclusive or not.
    public struct TrainingWindow: Codable, Sendable, Equatable {
        /// ISO 8601.
        public var from: String
        public var to: String
        /// `to` is the latest training `closed_at` (inclusive), or the `--train-before` cut (exclusive).
        public var toInclusive: Bool
        public init(from: String, to: String, toInclusive: Bool) {
            self.from = from
            self.to = to
            self.toInclusive = toInclusive
        }

        /// Whether an outcome closed at `seconds` (since 1970, UTC) lies in the window.
        public func contains(_ seconds: Double) -> Bool { count(in: [seconds]) == 1 }

        /// How many of `closedAt` (seconds since 1970, UTC) lie in the window.
        public func count(in closedAt: [Double]) -> Int {
            guard let lo = parseTimestamp(from), let hi = parseTimestamp(to) else { return 0 }
            return closedAt.reduce(0) { $0 + ($1 >= lo && (toInclusive ? $1 <= hi : $1 < hi) ? 1 : 0) }
        }

        /// The first instant after the window (seconds since 1970, UTC).
        public var end: Double? {
            parseTimestamp(to).map { toInclusive ? $0.nextUp : $0 }
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
        /// The half-life of an axis with signals (nil for an attribute-only axis).
        public var halfLife: HalfLife?
        public var saturation: ModelSpec.Saturation
        public var nonnegative: Bool
        /// Reference level of each categorical column of this axis (the level without a feature).
        public var referenceLevels: [String: String]
        /// The window of the axis's breadth feature, in days (absent without one).
        public var breadthDays: Double?
        public var features: [Feature]
        public init(
            name: String, halfLife: HalfLife? = nil, saturation: ModelSpec.Saturation, nonnegative: Bool,
            referenceLevels: [String: String] = [:], breadthDays: Double? = nil, features: [Feature]
        ) {
            self.name = name
            self.halfLife = halfLife
            self.saturation = saturation
            self.nonnegative = nonnegative
            self.referenceLevels = referenceLevels
            self.breadthDays = breadthDays
            self.features = features
        }
    }

    public struct Feature: Codable, Sendable, Equatable {
        /// `pricing_visit`, `employees`, `industry=software`.
        public var name: String
        public var kind: FeatureKind
        /// The leads.csv column (attributes) or the signal type (signals).
        public var source: String
        /// For a category: the level this indicator is 1 for, and the column's reference level.
        public var level: String?
        public var referenceLevel: String?
        /// Logit points per unit of feature (0 when not estimated).
        public var weight: Double
        /// Standard error (estimated weights only).
        public var stdError: Double?
        /// 95% Wald interval (estimated weights only).
        public var interval: [Double]?
        public var status: WeightStatus
        /// Why a weight was not estimated.
        public var reason: NotEstimatedReason?
        /// Mean of the feature over the training rows (the baseline of "reasons").
        public var mean: Double
        public init(
            name: String, kind: FeatureKind, source: String, level: String? = nil, referenceLevel: String? = nil, weight: Double,
            stdError: Double? = nil, interval: [Double]? = nil, status: WeightStatus, reason: NotEstimatedReason? = nil, mean: Double
        ) {
            self.name = name
            self.kind = kind
            self.source = source
            self.level = level
            self.referenceLevel = referenceLevel
            self.weight = weight
            self.stdError = stdError
            self.interval = interval
            self.status = status
            self.reason = reason
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
        /// What the weights' standard errors hold: `joint` (they carry the half-lives'
        /// uncertainty) or `conditional` (half-lives fixed). Absent in files
        /// written before joint standard errors existed, whose errors are conditional.
        public var standardErrors: StandardErrorKind?
        public init(
            objective: Double, logLikelihood: Double, nullLogLikelihood: Double, pseudoR2: Double, aic: Double, converged: Bool,
            iterations: Int, newtonIterations: Int, warnings: [String], standardErrors: StandardErrorKind? = nil
        ) {
            self.objective = objective
            self.logLikelihood = logLikelihood
            self.nullLogLikelihood = nullLogLikelihood
            self.pseudoR2 = pseudoR2
            self.aic = aic
            self.converged = converged
            self.iterations = iterations
            self.newtonIterations = newtonIterations
            self.warnings = warnings
            self.standardErrors = standardErrors
        }
    }

    public struct Metrics: Codable, Sendable, Equatable {
        /// On the training rows: optimistic by construction.
        public var training: MetricSet
        /// On the rows closed at or after `--train-before`, if any.
        public var holdout: MetricSet?
        /// `weight_by: amount`: the same metrics weighted by capped deal value (the fit's weights).
        public var amountWeighted: AmountWeighted?
        public init(training: MetricSet, holdout: MetricSet? = nil, amountWeighted: AmountWeighted? = nil) {
            self.training = training
            self.holdout = holdout
            self.amountWeighted = amountWeighted
        }

        public struct AmountWeighted: Codable, Sendable, Equatable {
            public var training: MetricSet
            public var holdout: MetricSet?
            public init(training: MetricSet, holdout: MetricSet? = nil) {
                self.training = training
                self.holdout = holdout
            }
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
        model: String, version: String, parent: String?, createdAt: String, tool: String, spec: ModelSpec, training: Training,
        intercept: Estimate, axes: [Axis], statistics: Statistics, metrics: Metrics, tiers: [Tier]
    ) {
        format = Self.formatIdentifier
        formatVersion = Self.formatVersionString
        self.model = model
        self.version = version
        self.parent = parent
        self.createdAt = createdAt
        self.tool = tool
        outcome = Self.outcomeDefinition
        self.spec = spec
        self.training = training
        self.intercept = intercept
        self.axes = axes
        self.statistics = statistics
        self.metrics = metrics
        self.tiers = tiers
        checksum = ""
    }

    /// The tiers of a version whose thresholds are not computed yet (a document
    /// with them is not written: ``problems()`` refuses it).
    public static let pendingTiers = [Tier(name: "pending", minProbability: 0, rule: "thresholds not computed")]

    /// Every feature in axis order.
    public var features: [Feature] { axes.flatMap(\.features) }

    /// The reference level of each categorical column the model reads.
    public var referenceLevels: [String: String] {
        axes.reduce(into: [:]) { out, axis in out.merge(axis.referenceLevels) { a, _ in a } }
    }

    /// The tier of a probability.
    public func tier(of probability: Double) -> String {
        tiers.first { probability >= $0.minProbability }?.name ?? tiers.last?.name ?? ""
    }
}
