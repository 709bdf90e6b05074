/// A weights file of format 1.x (leadcal 0.1), read so that last month's
/// version can still be compared with and scored by this one. It is migrated
/// in memory to the current format; nothing is rewritten on disk.
///
/// Migration: weight statuses `at_zero` → `at_bound_zero`, `constant` and
/// `collinear` → `not_estimated` with that reason; a fitted half-life at the
/// search bound becomes `at_bound`, an interval end at the bound becomes
/// unbounded (1.x wrote the bound itself), both ends so → `not_identified`;
/// the training window is the `--train-before` cut, else the last `closed_at`.
struct LegacyWeightsFile: Decodable {
    struct Spec: Decodable {
        var name: String
        var l2: Double
        var nonnegative: [String]
        var axes: [SpecAxis]
    }
    struct SpecAxis: Decodable {
        var name: String
        var attributes: [String: String]
        var signals: [String]
        var halfLifeDays: Double?
        var fitHalfLife: Bool
        var saturation: String
    }
    struct Training: Decodable {
        var rows: Int
        var won: Int
        var lost: Int
        var asOf: [String]
        var closedAt: [String]
        var trainBefore: String?
        var anomalies: [String: Int]
        var inputs: [String: String]
    }
    struct Axis: Decodable {
        var name: String
        var halfLifeDays: Double?
        var halfLifeInterval: [Double]?
        var halfLifeFitted: Bool
        var saturation: String
        var nonnegative: Bool
        var features: [Feature]
    }
    struct Feature: Decodable {
        var name: String
        var kind: String
        var source: String
        var level: String?
        var referenceLevel: String?
        var weight: Double
        var stdError: Double?
        var interval: [Double]?
        var status: String
        var mean: Double
    }
    var model: String
    var version: String
    var parent: String?
    var createdAt: String
    var tool: String
    var spec: Spec
    var training: Training
    var intercept: WeightsFile.Estimate
    var axes: [Axis]
    var statistics: WeightsFile.Statistics
    var metrics: WeightsFile.Metrics
    var tiers: [WeightsFile.Tier]
    var checksum: String

    struct Unknown: Error, CustomStringConvertible {
        var description: String
    }

    func migrated() throws -> WeightsFile {
        func saturation(_ s: String) throws -> ModelSpec.Saturation {
            guard let v = ModelSpec.Saturation(rawValue: s) else { throw Unknown(description: "unknown saturation '\(s)'") }
            return v
        }
        let specAxes = try spec.axes.map { a in
            ModelSpec.Axis(
                name: a.name,
                attributes: try a.attributes.keys.sorted().map { column in
                    guard let kind = ModelSpec.AttributeKind(rawValue: a.attributes[column]!) else {
                        throw Unknown(description: "unknown attribute kind '\(a.attributes[column]!)'")
                    }
                    return ModelSpec.Attribute(column: column, kind: kind)
                },
                signals: a.signals, halfLifeDays: a.halfLifeDays, fitHalfLife: a.fitHalfLife, saturation: try saturation(a.saturation))
        }
        let range = HalfLife.searchRange
        let axes = try self.axes.map { axis -> WeightsFile.Axis in
            var halfLife: HalfLife? = nil
            if let days = axis.halfLifeDays {
                if !axis.halfLifeFitted {
                    halfLife = HalfLife(days: days, status: .fixed)
                } else {
                    var interval: HalfLifeInterval? = nil
                    if let i = axis.halfLifeInterval, i.count == 2 {
                        interval = HalfLifeInterval(
                            lower: i[0] <= range.lowerBound * 1.0001 ? nil : i[0], upper: i[1] >= range.upperBound * 0.9999 ? nil : i[1])
                    }
                    let atBound = days <= range.lowerBound * 1.0001 || days >= range.upperBound * 0.9999
                    let status: HalfLifeStatus = interval?.isUnbounded == true ? .notIdentified : atBound ? .atBound : .estimated
                    halfLife = HalfLife(days: days, status: status, interval: interval)
                }
            }
            var references: [String: String] = [:]
            let features = try axis.features.map { f -> WeightsFile.Feature in
                guard let kind = FeatureKind(rawValue: f.kind) else { throw Unknown(description: "unknown feature kind '\(f.kind)'") }
                if let r = f.referenceLevel { references[f.source] = r }
                let status: WeightStatus, reason: NotEstimatedReason?
                switch f.status {
                case "estimated": (status, reason) = (.estimated, nil)
                case "at_zero": (status, reason) = (.atBoundZero, nil)
                case "constant": (status, reason) = (.notEstimated, .constant)
                case "collinear": (status, reason) = (.notEstimated, .collinear)
                default: throw Unknown(description: "unknown weight status '\(f.status)'")
                }
                return WeightsFile.Feature(
                    name: f.name, kind: kind, source: f.source, level: f.level, referenceLevel: f.referenceLevel, weight: f.weight,
                    stdError: f.stdError, interval: f.interval, status: status, reason: reason, mean: f.mean)
            }
            return WeightsFile.Axis(
                name: axis.name, halfLife: halfLife, saturation: try saturation(axis.saturation), nonnegative: axis.nonnegative,
                referenceLevels: references, features: features)
        }
        let window = WeightsFile.TrainingWindow(
            from: training.closedAt.first ?? "", to: training.trainBefore ?? training.closedAt.last ?? "",
            toInclusive: training.trainBefore == nil)
        var file = WeightsFile(
            model: model, version: version, parent: parent, createdAt: createdAt, tool: tool,
            spec: ModelSpec(name: spec.name, axes: specAxes, l2: spec.l2, nonnegative: spec.nonnegative),
            training: .init(
                rows: training.rows, won: training.won, lost: training.lost, asOf: training.asOf, closedAt: training.closedAt,
                trainBefore: training.trainBefore, window: window, dataFingerprint: WeightsFile.dataFingerprint(training.inputs),
                anomalies: training.anomalies, inputs: training.inputs),
            intercept: intercept, axes: axes, statistics: statistics, metrics: metrics, tiers: tiers)
        file.formatVersion = "1.0"
        file.checksum = checksum
        return file
    }
}

extension WeightsFile {
    /// SHA-256 over `name:digest` lines of the input files, sorted by name:
    /// one fingerprint for a dataset folder.
    public static func dataFingerprint(_ inputs: [String: String]) -> String {
        SHA256.hex(Array(inputs.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)\n" }.joined().utf8))
    }
}
