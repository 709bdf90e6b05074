import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// Decided leads scored by a weights file, each at its own `as_of` (what the
/// score said when the opportunity opened), beside what happened.
///
/// Scoring goes through ``Scorer``, the model's one prediction path: the
/// decayed sums of each row's events at the model's half-lives, its resolved
/// attributes, the logit. Cost: one pass over the rows' events, on every core.
public struct ScoredOutcomes: Sendable {
    /// Decided rows of the dataset.
    public var rows: [Int32]
    public var probability: [Double]
    /// `b0 + Σ axis contributions` per row (the probability's logit, without its rounding at the extremes).
    public var logit: [Double]
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
        let signalMap = dataset.requirements.signals.map { Int32(scorer.signalIndex($0) ?? -1) }
        let sameSignals = signalMap.enumerated().allSatisfy { Int32($0.offset) == $0.element }
        let resolver = AttributeResolver(scorer: scorer, leads: dataset.leads)
        // A share of the rows on each core; each row's result lands at its own index.
        let tasks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 2_000 + 1))
        var p = [Double](repeating: 0, count: rows.count), tiers = [Int](repeating: 0, count: rows.count)
        var logits = [Double](repeating: 0, count: rows.count)
        p.withUnsafeMutableBufferPointer { p in
            tiers.withUnsafeMutableBufferPointer { tiers in
              logits.withUnsafeMutableBufferPointer { logits in
                let shared = SendablePointer((p, tiers, logits, dataset, resolver, signalMap, rows))
                parallelFor(tasks) { t in
                    let (p, tiers, logits, dataset, resolver, signalMap, rows) = shared.value
                    var attributes = resolver.makeAttributes()
                    var totals = scorer.makeTotals(leads: 1)
                    var score = Scorer.Score()
                    var kinds: [Int32] = [], ages: [Double] = [], values: [Double] = []
                    let events = dataset.events
                    for q in (rows.count * t / tasks)..<(rows.count * (t + 1) / tasks) {
                        let r = Int(rows[q])
                        let span = events.rowStart[r]..<events.rowStart[r + 1]
                        totals.reset(lead: 0)
                        if sameSignals {
                            // The table's signal indices are the scorer's: its columns are folded in place.
                            events.signal.withUnsafeBufferPointer { k in
                                events.age.withUnsafeBufferPointer { a in
                                    events.value.withUnsafeBufferPointer { v in
                                        totals.add(lead: 0, signals: .init(rebasing: k[span]), ageDays: .init(rebasing: a[span]), values: .init(rebasing: v[span]))
                                    }
                                }
                            }
                        } else {
                            kinds.removeAll(keepingCapacity: true); ages.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true)
                            for e in span {
                                let s = signalMap[Int(events.signal[e])]
                                if s >= 0 { kinds.append(s); ages.append(events.age[e]); values.append(events.value[e]) }
                            }
                            kinds.withUnsafeBufferPointer { k in
                                ages.withUnsafeBufferPointer { a in
                                    values.withUnsafeBufferPointer { v in totals.add(lead: 0, signals: k, ageDays: a, values: v) }
                                }
                            }
                        }
                        resolver.resolve(lead: Int(dataset.decided[r]), into: &attributes)
                        scorer.score(lead: 0, totals: totals, attributes: attributes, into: &score)
                        p[q] = score.probability
                        logits[q] = score.logit
                        tiers[q] = score.tierIndex
                    }
                }
              }
            }
        }
        self.rows = rows
        probability = p
        logit = logits
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
