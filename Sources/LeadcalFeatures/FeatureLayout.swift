import LeadcalData

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

    /// The layout for `spec`, with the reference level of each category chosen
    /// on `rows` (decided rows of `dataset`): the most frequent level, ties
    /// broken alphabetically.
    public init(spec: ModelSpec, dataset: Dataset, rows: [Int32]) {
        var attributeFeatures: [Feature] = []
        var signalFeatures: [Feature] = []
        var signalAxis: [Int] = []
        var references: [String: String] = [:]
        var signalIndex = 0
        for (a, axis) in spec.axes.enumerated() {
            for attribute in axis.attributes {
                switch attribute.kind {
                case .numeric: attributeFeatures.append(Feature(name: attribute.column, axis: a, kind: .numeric(column: attribute.column)))
                case .log: attributeFeatures.append(Feature(name: attribute.column, axis: a, kind: .log(column: attribute.column)))
                case .categorical:
                    guard case let .categorical(codes, levels)? = dataset.leads.attributes[attribute.column] else { continue }
                    var counts = [Int](repeating: 0, count: levels.count)
                    for r in rows { counts[Int(codes[Int(dataset.decided[Int(r)])])] += 1 }
                    let reference = levels.indices.max { (x, y) in
                        counts[x] != counts[y] ? counts[x] < counts[y] : levels[x] > levels[y]
                    }.map { levels[$0] } ?? ""
                    references[attribute.column] = reference
                    for level in levels.sorted() where level != reference {
                        attributeFeatures.append(
                            Feature(name: "\(attribute.column)=\(level)", axis: a, kind: .category(column: attribute.column, level: level)))
                    }
                }
            }
            for s in axis.signals {
                signalFeatures.append(Feature(name: s, axis: a, kind: .signal(name: s, signal: signalIndex)))
                signalAxis.append(a)
                signalIndex += 1
            }
        }
        features = attributeFeatures + signalFeatures
        referenceLevels = references
        firstSignalColumn = attributeFeatures.count
        self.signalAxis = signalAxis
    }
}
