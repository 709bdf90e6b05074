/// The model spec: which lead attributes and which signals form which axis,
/// how each axis decays, and how strongly the fit is penalized.
///
/// One type serves everywhere: ingest parses it from `model.yaml` (see
/// `ModelSpec.parse(yaml:file:)` in LeadcalData), calibration fits it, and the
/// weights file carries it unchanged, so a version always says what it was
/// fitted from. Its semantics are those of the data contract (README, "Model spec").
public struct ModelSpec: Sendable, Equatable, Codable {
    /// The model's name; weights files are named `<name>-<version>.json`.
    public var name: String
    /// Axes in the order the spec lists them.
    public var axes: [Axis]
    /// Ridge strength on standardized weights (0: plain maximum likelihood).
    /// With ``l2Rule`` set, the value the validation path chose (the spec's
    /// `l2: auto` before the fit).
    public var l2: Double
    /// Set by `l2: auto`: l2 is chosen by time-ordered validation with this
    /// rule (see ``L2Path``); nil: l2 is the spec's number.
    public var l2Rule: L2Rule?
    /// `prior: parent`: the ridge of every feature the parent version also
    /// estimated is centred on the parent's weight, with precision
    /// `priorStrength / SE²` (in weight units) instead of `l2` toward 0.
    public var prior: Prior?
    /// The share of the parent's evidence the prior carries, in (0, 1]
    /// (default ``defaultPriorStrength``; 1: all of it, as if the parent's
    /// outcomes were independent of this fit's).
    public var priorStrength: Double?
    /// `weight_by: amount`: each decided lead's log loss is weighted by its
    /// deal value (outcomes.csv's `amount`), capped at the ``amountCap``
    /// percentile of the training amounts, so the score ranks revenue, not only wins.
    public var weightBy: WeightBy?
    /// The percentile (in (0, 100]) at which amounts are capped; default ``defaultAmountCap``.
    public var amountCap: Double?
    /// Axes whose signal weights are constrained to be >= 0.
    public var nonnegative: [String]

    public enum WeightBy: String, Sendable, Codable, Equatable, CaseIterable {
        case amount
    }

    /// One deal in a hundred larger than this is not allowed to steer the fit alone.
    public static let defaultAmountCap = 99.0

    public enum Prior: String, Sendable, Codable, Equatable, CaseIterable {
        case parent
    }

    /// Half the parent's evidence: monthly fits train on every outcome so far,
    /// so this month's data already hold most of the parent's; counting it
    /// twice in full would overstate the certainty.
    public static let defaultPriorStrength = 0.5
    /// Tier rules, most urgent first; nil means ``TierRule/defaults``.
    public var tiers: [TierRule]?

    public init(name: String, axes: [Axis], l2: Double, l2Rule: L2Rule? = nil, nonnegative: [String] = [], tiers: [TierRule]? = nil) {
        self.name = name
        self.axes = axes
        self.l2 = l2
        self.l2Rule = l2Rule
        self.nonnegative = nonnegative
        self.tiers = tiers
    }

    /// One axis of the score: static attributes and/or decayed signals.
    public struct Axis: Sendable, Equatable, Codable {
        public var name: String
        public var attributes: [Attribute]
        public var signals: [String]
        /// Half-life in days of this axis's signals (the starting value when fitted).
        public var halfLifeDays: Double?
        /// Whether calibration fits the half-life (else it is held fixed).
        public var fitHalfLife: Bool
        public var saturation: Saturation
        /// `breadth_days: N`: the axis gains a feature, ``breadthFeatureName``,
        /// counting the distinct signal types of the axis with an event in
        /// the N days before `as_of` (`0 < age <= N`).
        public var breadthDays: Double?

        public init(
            name: String, attributes: [Attribute] = [], signals: [String] = [], halfLifeDays: Double? = nil,
            fitHalfLife: Bool = false, saturation: Saturation = .none, breadthDays: Double? = nil
        ) {
            self.name = name
            self.attributes = attributes
            self.signals = signals
            self.halfLifeDays = halfLifeDays
            self.fitHalfLife = fitHalfLife
            self.saturation = saturation
            self.breadthDays = breadthDays
        }

        /// The name of the axis's breadth feature: `<axis>_breadth`.
        public var breadthFeatureName: String { name + "_breadth" }
    }

    /// A lead attribute (a column of leads.csv) and how it becomes features.
    public struct Attribute: Sendable, Equatable, Codable {
        public var column: String
        public var kind: AttributeKind
        /// A categorical column's pinned reference level (`reference:` in the
        /// spec); nil lets calibration choose (the parent version's, else the
        /// most frequent level).
        public var reference: String?
        public init(column: String, kind: AttributeKind, reference: String? = nil) {
            self.column = column
            self.kind = kind
            self.reference = reference
        }
    }

    public enum AttributeKind: String, Sendable, Codable, CaseIterable {
        /// One-hot encoded against a reference level.
        case categorical
        /// The number as is.
        case numeric
        /// `log1p` of a number that must be >= 0.
        case log
    }

    /// The transformation applied to an axis's decayed sums.
    public enum Saturation: String, Sendable, Codable, CaseIterable {
        case none
        case log1p
    }

    /// A tier: leads at or above a minimum probability, or the top share of training scores.
    public struct TierRule: Sendable, Equatable, Codable {
        public var name: String
        public var minProbability: Double?
        public var topShare: Double?
        public init(name: String, minProbability: Double? = nil, topShare: Double? = nil) {
            self.name = name
            self.minProbability = minProbability
            self.topShare = topShare
        }

        /// The default tiers: the top 5% of training scores act now, the next 20% are nurtured.
        public static let defaults: [TierRule] = [
            .init(name: "act_now", topShare: 0.05), .init(name: "nurture", topShare: 0.25), .init(name: "monitor", minProbability: 0),
        ]
    }

    /// Every signal type the spec uses, in axis order.
    public var signals: [String] { axes.flatMap(\.signals) }

    /// Every attribute the spec reads, in axis order.
    public var attributes: [Attribute] { axes.flatMap(\.attributes) }

    /// The axis holding `signal`, if any.
    public func axisIndex(ofSignal signal: String) -> Int? {
        axes.firstIndex { $0.signals.contains(signal) }
    }
}
