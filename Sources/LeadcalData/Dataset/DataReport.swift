import Foundation
import LeadcalModel

/// What `leadcal inspect` prints: counts, ranges and every anomaly, so that
/// nothing is dropped silently.
public struct DataReport: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var leads: Int
        public var signals: Int
        public var outcomes: Int
        public var decidedLeads: Int
        public var won: Int
        public var lost: Int
        public var winRate: Double?
        /// Signal rows that count for training (decided lead, before as_of, used type).
        public var trainingEvents: Int
        /// Signal rows of leads without an outcome (kept for scoring, not training).
        public var undecidedLeadEvents: Int
    }
    public struct DateRange: Sendable, Codable, Equatable {
        public var first: String
        public var last: String
    }
    public struct Distribution: Sendable, Codable, Equatable {
        public var mean: Double
        public var median: Double
        public var p90: Double
        public var max: Double
        /// Leads with no signal at all.
        public var zero: Int
    }
    public struct SignalType: Sendable, Codable, Equatable {
        public var signal: String
        public var rows: Int
        /// The axis that uses it, or nil when the spec does not.
        public var axis: String?
    }

    public var spec: String?
    public var counts: Counts
    public var occurredAt: DateRange?
    public var asOf: DateRange?
    public var closedAt: DateRange?
    /// Signal rows per lead (all leads of leads.csv).
    public var eventsPerLead: Distribution
    public var signalTypes: [SignalType]
    public var anomalies: [Anomaly]
    /// Columns that are read by nothing, by file.
    public var ignoredColumns: [String: [String]]
    /// What the model reads that the data lack (allowed missing columns, signal types never seen).
    public var notes: [String]
    /// Signal types that crowd the last day before `as_of` for won leads (a leakage sign; with a spec only).
    public var leakage: [LastDayPileUp] = []

    static func make(
        spec: ModelSpec?, requirements: DataRequirements, notes: [String], leads: LeadTable, outcomes: OutcomeTable, decided: [Int32], signalRows: Int,
        signalColumns: [String], signalTimeRange: (Double, Double), eventsPerLead: [Int32],
        typeCounts: [String: Int], unknownLead: Anomaly, afterAsOf: Anomaly, undecidedEvents: Int, keptEvents: Int
    ) -> DataReport {
        let won = decided.reduce(0) { $0 + (outcomes.outcome[Int($1)] == 1 ? 1 : 0) }
        let lost = decided.count - won
        func range(_ values: [Double]) -> DateRange? {
            let finite = values.filter(\.isFinite)
            guard let lo = finite.min(), let hi = finite.max() else { return nil }
            return DateRange(first: formatTimestamp(lo), last: formatTimestamp(hi))
        }
        let sorted = ascending(eventsPerLead)
        func quantile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let pos = q * Double(sorted.count - 1)
            let lo = Int(pos.rounded(.down))
            let hi = min(lo + 1, sorted.count - 1)
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
        }
        let distribution = Distribution(
            mean: sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count), median: quantile(0.5),
            p90: quantile(0.9), max: sorted.last ?? 0, zero: sorted.prefix { $0 == 0 }.count)

        var unused = Anomaly(kind: "unused_signal_types", what: "signal rows of types the spec does not use")
        var types: [SignalType] = []
        for (t, c) in typeCounts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let axis = spec.flatMap { s in s.axisIndex(ofSignal: t).map { s.axes[$0].name } }
                ?? (spec == nil && requirements.signals.contains(t) ? "read by the model" : nil)
            types.append(SignalType(signal: t, rows: c, axis: axis))
            if (spec != nil || !requirements.signals.isEmpty) && axis == nil {
                unused.count += c
                if unused.examples.count < Anomaly.exampleLimit { unused.examples.append("signal '\(t)': \(c) rows") }
            }
        }
        var withoutOutcome = Anomaly(kind: "leads_without_outcome", what: "leads with no outcome row (scored, not trained on)")
        for i in 0..<leads.count where outcomes.outcome[i] < 0 {
            withoutOutcome.record("lead_id '\(leads.ids.string(i))'")
        }
        var ignored: [String: [String]] = [:]
        if spec != nil || !requirements.attributes.isEmpty, !leads.unusedColumns.isEmpty { ignored["leads.csv"] = leads.unusedColumns }
        let signalUnknown = signalColumns.filter { !["lead_id", "signal", "occurred_at", "value"].contains($0) }
        if !signalUnknown.isEmpty { ignored["signals.csv"] = signalUnknown }
        if !outcomes.unknownColumns.isEmpty { ignored["outcomes.csv"] = outcomes.unknownColumns }

        let decidedAsOf = decided.map { outcomes.asOf[Int($0)] }
        let decidedClosed = decided.map { outcomes.closedAt[Int($0)] }
        return DataReport(
            spec: spec?.name,
            counts: Counts(
                leads: leads.count, signals: signalRows, outcomes: outcomes.rows, decidedLeads: decided.count,
                won: won, lost: lost, winRate: decided.isEmpty ? nil : Double(won) / Double(decided.count),
                trainingEvents: keptEvents, undecidedLeadEvents: undecidedEvents),
            occurredAt: signalTimeRange.0.isFinite ? DateRange(first: formatTimestamp(signalTimeRange.0), last: formatTimestamp(signalTimeRange.1)) : nil,
            asOf: range(decidedAsOf), closedAt: range(decidedClosed),
            eventsPerLead: distribution, signalTypes: types,
            anomalies: [unknownLead, afterAsOf, unused, withoutOutcome, outcomes.unknownLeads, outcomes.duplicates],
            ignoredColumns: ignored, notes: notes)
    }

    /// The anomaly with `kind`.
    public func anomaly(_ kind: String) -> Anomaly? { anomalies.first { $0.kind == kind } }
}

/// `counts` in ascending order, as doubles: a counting sort when the largest
/// count is at most 4 per element (event counts per lead), else a sort.
/// Cost: O(n + largest count), or O(n log n).
func ascending(_ counts: [Int32]) -> [Double] {
    guard let largest = counts.max(), let smallest = counts.min(), smallest >= 0, Int(largest) <= 4 * counts.count else {
        return counts.map(Double.init).sorted()
    }
    var histogram = [Int](repeating: 0, count: Int(largest) + 1)
    for c in counts { histogram[Int(c)] += 1 }
    var out: [Double] = []
    out.reserveCapacity(counts.count)
    for (value, n) in histogram.enumerated() where n > 0 { out.append(contentsOf: repeatElement(Double(value), count: n)) }
    return out
}
