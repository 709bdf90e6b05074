import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// A dataset's lead attributes in the scorer's terms, resolved once per
/// column: category codes become the scorer's level indices (a level the
/// model never saw, or its reference level, is −1), numbers become feature
/// values (`log1p` for log columns). A column the data lack (only possible
/// when missing columns were allowed) takes the reference level or the
/// training mean. Cost: one dictionary lookup per distinct level, then O(1)
/// per lead and column.
public struct AttributeResolver: Sendable {
    private enum Source: Sendable {
        case category(codes: [Int32], levelIndex: [Int32])
        case number(values: [Double], log: Bool)
        case missing(value: Double)
    }
    private let sources: [Source]
    /// Columns of the scorer absent from the data.
    public let missingColumns: [String]
    /// Per column: levels present in the data that the model never saw (scored as the reference).
    public let unseenLevels: [String: [String]]

    public init(scorer: Scorer, leads: LeadTable) {
        var sources: [Source] = []
        var missing: [String] = []
        var unseen: [String: [String]] = [:]
        for (c, column) in scorer.attributeColumns.enumerated() {
            switch scorer.columnKind(c) {
            case .category:
                if let data = leads.categories[column] {
                    let index = data.levels.map { scorer.levelIndex(column: c, level: $0) }
                    let novel = data.levels.indices.filter { index[$0] < 0 && !scorer.isReference(column: c, level: data.levels[$0]) }
                    if !novel.isEmpty { unseen[column] = novel.map { data.levels[$0] } }
                    sources.append(.category(codes: data.codes, levelIndex: index))
                } else {
                    missing.append(column)
                    sources.append(.missing(value: -1))
                }
            case .number, .log:
                if let values = leads.numbers[column] {
                    sources.append(.number(values: values, log: scorer.columnKind(c) == .log))
                } else {
                    missing.append(column)
                    sources.append(.missing(value: scorer.trainingMean(column: c)))
                }
            }
        }
        self.sources = sources
        missingColumns = missing
        unseenLevels = unseen
    }

    /// Fresh storage for ``resolve(lead:into:)``.
    public func makeAttributes() -> Scorer.LeadAttributes {
        Scorer.LeadAttributes(x: [Double](repeating: 0, count: sources.count), given: [Double](repeating: 0, count: sources.count))
    }

    /// Fills `attributes` with lead `lead`'s values (a lead index of the table). Allocates nothing.
    @inline(__always)
    public func resolve(lead: Int, into attributes: inout Scorer.LeadAttributes) {
        for (c, source) in sources.enumerated() {
            switch source {
            case let .category(codes, levelIndex):
                attributes.x[c] = Double(levelIndex[Int(codes[lead])])
            case let .number(values, log):
                let v = values[lead]
                attributes.x[c] = log ? Log1p.shared(v) : v
                attributes.given[c] = v
            case let .missing(value):
                attributes.x[c] = value
                attributes.given[c] = value
            }
        }
    }
}
