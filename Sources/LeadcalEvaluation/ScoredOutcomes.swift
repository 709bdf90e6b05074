import Foundation
import LeadcalData
import LeadcalScorer
import LeadcalWeights

/// Decided leads scored by a weights file, each at its own `as_of` (what the
/// score said when the opportunity opened), beside what happened.
public struct ScoredOutcomes: Sendable {
    /// Decided rows of the dataset.
    public var rows: [Int32]
    public var probability: [Double]
    /// 1 won, 0 lost.
    public var label: [Double]
    /// Index into the weights file's tiers.
    public var tier: [Int]
    public var tierNames: [String]

    /// Loads `directory` so that every weights file in `files` can be scored on
    /// it: every signal any of them uses is kept, and every attribute column
    /// any of them reads is kept as text (the scorer parses it).
    public static func loadDataset(directory: URL, for files: [WeightsFile]) throws(DataError) -> Dataset {
        var signals: [String] = [], columns: [String] = []
        for f in files {
            for a in f.spec.axes {
                for s in a.signals where !signals.contains(s) { signals.append(s) }
                for c in a.attributes.keys.sorted() where !columns.contains(c) { columns.append(c) }
            }
        }
        var axes: [ModelSpec.Axis] = []
        if !columns.isEmpty { axes.append(.init(name: "attributes", attributes: columns.map { .init(column: $0, kind: .categorical) })) }
        if !signals.isEmpty { axes.append(.init(name: "signals", signals: signals, halfLifeDays: 1)) }
        return try Dataset.load(directory: directory, spec: ModelSpec(name: "evaluation", axes: axes, l2: 0))
    }

    /// Scores the decided rows `rows` of a dataset loaded by ``loadDataset(directory:for:)``.
    public init(scorer: Scorer, dataset: Dataset, rows: [Int32]) {
        let spec = dataset.spec!
        let signalMap = spec.signals.map { scorer.signalIndex($0) ?? -1 }
        var columnText: [[String]] = []   // per scorer attribute column: text per lead
        for column in scorer.attributeColumns {
            if case let .categorical(codes, levels)? = dataset.leads.attributes[column] {
                columnText.append(codes.map { levels[Int($0)] })
            } else {
                columnText.append([])
            }
        }
        var totals = scorer.makeTotals(leads: 1)
        var score = Scorer.Score()
        var texts = [String?](repeating: nil, count: columnText.count)
        var p: [Double] = [], tiers: [Int] = []
        p.reserveCapacity(rows.count)
        let events = dataset.events
        for r in rows {
            totals.reset(lead: 0)
            for e in events.rowStart[Int(r)]..<events.rowStart[Int(r) + 1] {
                let s = signalMap[Int(events.signal[e])]
                if s >= 0 { totals.add(lead: 0, signal: s, ageDays: events.age[e], value: events.value[e]) }
            }
            let lead = Int(dataset.decided[Int(r)])
            for c in texts.indices { texts[c] = columnText[c].isEmpty ? nil : columnText[c][lead] }
            scorer.score(lead: 0, totals: totals, attributes: scorer.attributes(values: texts), into: &score)
            p.append(score.probability)
            tiers.append(score.tierIndex)
        }
        self.rows = rows
        probability = p
        label = rows.map { dataset.labels[Int($0)] }
        tier = tiers
        tierNames = scorer.weights.tiers.map(\.name)
    }
}
