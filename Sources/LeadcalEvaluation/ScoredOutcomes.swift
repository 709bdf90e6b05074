import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// Decided leads scored by a weights file, each at its own `as_of` (what the
/// score said when the opportunity opened), beside what happened.
///
/// Scoring goes through ``Scorer``, the model's one prediction path: the
/// decayed sums of each row's events at the model's half-lives, its resolved
/// attributes, the logit. Cost: one pass over the rows' events.
public struct ScoredOutcomes: Sendable {
    /// Decided rows of the dataset.
    public var rows: [Int32]
    public var probability: [Double]
    /// 1 won, 0 lost.
    public var label: [Double]
    /// `closed_at` per row (seconds since 1970, UTC).
    public var closedAt: [Double]
    /// Index into the weights file's tiers.
    public var tier: [Int]
    public var tierNames: [String]

    /// Scores the decided rows `rows` of a dataset read with requirements that
    /// cover the scorer's model (see ``DataRequirements``).
    public init(scorer: Scorer, dataset: Dataset, rows: [Int32]) {
        let signalMap = dataset.requirements.signals.map { scorer.signalIndex($0) ?? -1 }
        let resolver = AttributeResolver(scorer: scorer, leads: dataset.leads)
        var attributes = resolver.makeAttributes()
        var totals = scorer.makeTotals(leads: 1)
        var score = Scorer.Score()
        var p: [Double] = [], tiers: [Int] = []
        p.reserveCapacity(rows.count)
        tiers.reserveCapacity(rows.count)
        let events = dataset.events
        for r in rows {
            totals.reset(lead: 0)
            for e in events.rowStart[Int(r)]..<events.rowStart[Int(r) + 1] {
                let s = signalMap[Int(events.signal[e])]
                if s >= 0 { totals.add(lead: 0, signal: s, ageDays: events.age[e], value: events.value[e]) }
            }
            resolver.resolve(lead: Int(dataset.decided[Int(r)]), into: &attributes)
            scorer.score(lead: 0, totals: totals, attributes: attributes, into: &score)
            p.append(score.probability)
            tiers.append(score.tierIndex)
        }
        self.rows = rows
        probability = p
        label = rows.map { dataset.labels[Int($0)] }
        closedAt = rows.map { dataset.closedAt[Int($0)] }
        tier = tiers
        tierNames = scorer.weights.tiers.map(\.name)
    }

    /// How many of these rows lie in `file`'s training window: leads it could have trained on.
    public func trainingOverlap(_ file: WeightsFile) -> Int {
        file.training.window.count(in: closedAt)
    }
}
