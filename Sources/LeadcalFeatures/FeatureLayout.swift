import LeadcalData
import LeadcalModel

/// The columns of the design matrix, in spec order: per axis, its attribute
/// features (one per non-reference category level, one per number), then
/// its signals.
public struct FeatureLayout: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable, Codable {
        /// `column=level` indicator; the reference level has no column.
        case category(column: String, level: String)
        /// A number as is.
        case numeric(column: String)
        /// `log1p` of a number >= 0.
        case log(column: String)
        /// The (saturated) decayed sum of a signal type; `signal` indexes `ModelSpec.signals`.
        case signal(name: String, signal: Int)
        /// The axis's breadth: distinct signal types of the axis with an event
        /// in the `days` before `as_of`. It does not move with the half-life,
        /// so it sits with the attributes (computed and standardized once).
        case breadth(days: Double)
    }

    public struct Feature: Sendable, Equatable, Codable {
        /// `pricing_visit`, `employees`, `industry=software`.
        public var name: String
        /// Index into `ModelSpec.axes`.
        public var axis: Int
        public var kind: Kind
    }

    public var features: [Feature]
    /// Reference level of each categorical column.
    public var referenceLevels: [String: String]
    /// Column of the first signal feature; signal features are contiguous to the end.
    public var firstSignalColumn: Int
    /// Half-life axis (index into spec axes) per signal feature.
    public var signalAxis: [Int]

    public var count: Int { features.count }
    public var signalCount: Int { features.count - firstSignalColumn }
    public var names: [String] { features.map(\.name) }

    /// Why the reference level of a categorical column is what it is.
    public enum ReferenceSource: String, Sendable, Codable, Equatable {
        /// `reference:` in the spec.
        case pinned
        /// The parent version's, kept so that monthly weights stay comparable.
        case parent
        /// The most frequent level on the training rows (ties: alphabetical).
        case mostFrequent = "most_frequent"
    }

    /// How each categorical column's reference level was chosen.
    public var referenceSources: [String: ReferenceSource] = [:]
    /// Things an analyst should know about the choice (a parent's level that no longer occurs).
    public var notes: [String] = []

    /// The layout for `spec`, with the reference level of each category
    /// chosen on `rows` (decided rows of `dataset`): the spec's pinned level;
    /// else the parent version's (`parentReferences`) while it still occurs
    /// on the rows; else the most frequent level, ties broken alphabetically.
    /// A pinned level that never occurs on the rows is an error (its
    /// indicator columns would sum to the intercept).
    public init(spec: ModelSpec, dataset: Dataset, rows: [Int32], parentReferences: [String: String] = [:]) throws(LayoutError) {
        var attributeFeatures: [Feature] = []
        var signalFeatures: [Feature] = []
        var signalAxis: [Int] = []
        var references: [String: String] = [:]
        var sources: [String: ReferenceSource] = [:]
        var notes: [String] = []
        var signalIndex = 0
        for (a, axis) in spec.axes.enumerated() {
            for attribute in axis.attributes {
                switch attribute.kind {
                case .numeric: attributeFeatures.append(Feature(name: attribute.column, axis: a, kind: .numeric(column: attribute.column)))
                case .log: attributeFeatures.append(Feature(name: attribute.column, axis: a, kind: .log(column: attribute.column)))
                case .categorical:
                    guard let column = dataset.leads.categories[attribute.column] else { continue }
                    let levels = column.levels
                    var counts = [Int](repeating: 0, count: levels.count)
                    for r in rows { counts[Int(column.codes[Int(dataset.decided[Int(r)])])] += 1 }
                    func occurs(_ level: String) -> Bool { levels.firstIndex(of: level).map { counts[$0] > 0 } ?? false }
                    let frequent = levels.indices.max { (x, y) in
                        counts[x] != counts[y] ? counts[x] < counts[y] : levels[x] > levels[y]
                    }.map { levels[$0] } ?? ""
                    var reference = frequent
                    var source = ReferenceSource.mostFrequent
                    if let pinned = attribute.reference {
                        guard occurs(pinned) else {
                            throw LayoutError(
                                "the spec pins reference level '\(pinned)' of \(attribute.column), but no training lead has it "
                                    + "(levels: \(levels.sorted().map { $0.isEmpty ? "(missing)" : $0 }.joined(separator: ", ")))")
                        }
                        reference = pinned
                        source = .pinned
                    } else if let inherited = parentReferences[attribute.column] {
                        if occurs(inherited) {
                            reference = inherited
                            source = .parent
                        } else {
                            notes.append("the parent's reference level '\(inherited)' of \(attribute.column) no longer occurs: '\(frequent)' (the most frequent) is the reference, so \(attribute.column) weights do not compare with the parent's")
                        }
                    }
                    references[attribute.column] = reference
                    sources[attribute.column] = source
                    for level in levels.sorted() where level != reference {
                        attributeFeatures.append(
                            Feature(name: "\(attribute.column)=\(level)", axis: a, kind: .category(column: attribute.column, level: level)))
                    }
                }
            }
            if let days = axis.breadthDays {
                attributeFeatures.append(Feature(name: axis.breadthFeatureName, axis: a, kind: .breadth(days: days)))
            }
            for s in axis.signals {
                signalFeatures.append(Feature(name: s, axis: a, kind: .signal(name: s, signal: signalIndex)))
                signalAxis.append(a)
                signalIndex += 1
            }
        }
        features = attributeFeatures + signalFeatures
        referenceLevels = references
        referenceSources = sources
        self.notes = notes
        firstSignalColumn = attributeFeatures.count
        self.signalAxis = signalAxis
    }
}

/// A layout that cannot be built from the spec and the training rows.
public struct LayoutError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
