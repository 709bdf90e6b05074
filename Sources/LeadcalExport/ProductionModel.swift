import Foundation
import LeadcalModel

/// The model in a flat production form, for scorers written in other
/// languages: only what scoring needs, no lineage or diagnostics. Its JSON
/// Schema is `schema/production-model.schema.json`; the formula is in the
/// README ("Exporting for production") and in the document itself.
///
/// For a lead read at `as_of`: each signal of type `s` strictly before
/// `as_of` adds `value · 2^(−age_days / half_life_days)` to its sum; a
/// signal's feature is that sum, or `ln(1 + sum)` under `log1p` saturation;
/// a category contributes the weight of the lead's level (0 for the reference,
/// an unseen level or a missing value); a number contributes `weight · x` with
/// `x` the number (or `ln(1 + number)` for `log1p`), the training mean when
/// missing; `logit = intercept + Σ contributions`, `p = 1 / (1 + e^(−logit))`,
/// `score = ⌊100 p + 0.5⌋`, tier = the first whose `min_probability` `p` reaches.
public struct ProductionModel: Codable, Sendable, Equatable {
    public var format = "leadcal.production-model"
    public var formatVersion = "1.0"
    public var model: String
    public var version: String
    /// The checksum of the weights file this was exported from.
    public var weightsChecksum: String
    public var formula: String
    public var intercept: Double
    public var axes: [String]
    public var signals: [Signal]
    public var categories: [Category]
    public var numbers: [Number]
    /// Breadth features (absent from documents of models without one).
    public var breadth: [Breadth]?
    public var tiers: [Tier]

    public struct Breadth: Codable, Sendable, Equatable {
        public var feature: String
        public var axis: String
        /// The signal types counted.
        public var signals: [String]
        public var windowDays: Double
        public var weight: Double
        /// Training mean of the feature (the baseline of reasons).
        public var mean: Double
    }

    public struct Signal: Codable, Sendable, Equatable {
        public var signal: String
        public var axis: String
        public var weight: Double
        public var halfLifeDays: Double
        /// `none` or `log1p`.
        public var saturation: String
        /// Training mean of the feature (the baseline of reasons).
        public var mean: Double
    }

    public struct Category: Codable, Sendable, Equatable {
        public var column: String
        public var axis: String
        public var referenceLevel: String?
        /// Level → weight (the reference level has none).
        public var weights: [String: Double]
    }

    public struct Number: Codable, Sendable, Equatable {
        public var column: String
        public var axis: String
        /// `none` or `log1p`.
        public var transform: String
        public var weight: Double
        /// The feature's training mean (after the transform): what a missing number becomes.
        public var mean: Double
    }

    public struct Tier: Codable, Sendable, Equatable {
        public var name: String
        public var minProbability: Double
    }

    public static let formulaText = """
        For each signal of a type listed in `signals` with occurred_at < as_of: sum[type] += value * 2^(-age_days / half_life_days), \
        value defaulting to 1, age_days = (as_of - occurred_at) in seconds / 86400. feature = sum, or ln(1 + sum) when saturation is log1p. \
        Category: the weight of the lead's level, 0 when absent (reference level, unseen level, missing value). \
        Number: weight * x, x = the number (ln(1 + number) for log1p), the training mean when missing. \
        Breadth: weight * n, n = the number of distinct types among its `signals` with a signal of 0 < age_days <= window_days. \
        logit = intercept + sum of all contributions; probability = 1 / (1 + exp(-logit)); score = floor(100 * probability + 0.5); \
        tier = the first tier whose min_probability the probability reaches.
        """

    public init(_ file: WeightsFile) {
        model = file.model
        version = file.version
        weightsChecksum = file.checksum
        formula = Self.formulaText
        intercept = file.intercept.weight
        axes = file.axes.map(\.name)
        var signals: [Signal] = [], categories: [Category] = [], numbers: [Number] = [], breadth: [Breadth] = []
        for axis in file.axes {
            var byColumn: [String: Category] = [:]
            var order: [String] = []
            for column in axis.referenceLevels.keys.sorted() {
                byColumn[column] = Category(column: column, axis: axis.name, referenceLevel: axis.referenceLevels[column], weights: [:])
                order.append(column)
            }
            for f in axis.features {
                switch f.kind {
                case .signal:
                    signals.append(Signal(
                        signal: f.source, axis: axis.name, weight: f.weight, halfLifeDays: axis.halfLife?.days ?? 1,
                        saturation: axis.saturation.rawValue, mean: f.mean))
                case .category:
                    if byColumn[f.source] == nil {
                        byColumn[f.source] = Category(column: f.source, axis: axis.name, referenceLevel: f.referenceLevel, weights: [:])
                        order.append(f.source)
                    }
                    byColumn[f.source]!.weights[f.level ?? ""] = f.weight
                case .numeric, .log:
                    numbers.append(Number(column: f.source, axis: axis.name, transform: f.kind == .log ? "log1p" : "none", weight: f.weight, mean: f.mean))
                case .breadth:
                    breadth.append(Breadth(
                        feature: f.name, axis: axis.name, signals: axis.features.filter { $0.kind == .signal }.map(\.source),
                        windowDays: axis.breadthDays ?? 0, weight: f.weight, mean: f.mean))
                }
            }
            categories += order.map { byColumn[$0]! }
        }
        self.signals = signals
        self.categories = categories
        self.numbers = numbers
        self.breadth = breadth.isEmpty ? nil : breadth
        tiers = file.tiers.map { Tier(name: $0.name, minProbability: $0.minProbability) }
    }

    /// The document, pretty-printed with sorted keys, snake_case.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
