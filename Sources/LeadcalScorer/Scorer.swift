import Foundation
import LeadcalWeights

/// Scores leads with a weights file: probability of a win, a 0–100 score, a
/// tier, each axis's contribution in logit points, and the reasons.
///
/// Depends on Foundation and LeadcalWeights only, so production can embed it
/// alone. Construction validates nothing beyond what ``WeightsStore/load(_:)``
/// already did; use ``Scorer/load(_:)`` to read and validate a file.
///
///     let scorer = try Scorer.load(url)
///     var totals = scorer.makeTotals(leads: 1)
///     totals.add(lead: 0, signal: scorer.signalIndex("pricing_visit")!, ageDays: 2, value: 3)
///     let s = scorer.score(lead: 0, totals: totals, attributes: scorer.attributes(["industry": "software"]))
///     print(s.probability, s.score, s.tier, scorer.reasons(s, lead: 0, totals: totals))
public struct Scorer: Sendable {
    public let weights: WeightsFile

    /// Attribute columns the model reads, in a fixed order (the order of ``LeadAttributes``).
    public let attributeColumns: [String]
    /// Signal types the model reads, in feature order.
    public let signalNames: [String]
    /// Axis names, in the order of ``Score/axisContributions``.
    public let axisNames: [String]

    private let intercept: Double
    private let signalIndexByName: [String: Int]
    private let signalWeight: [Double], signalMean: [Double], signalAxis: [Int], signalLog: [Bool]
    private let slope: [Double]
    /// Per attribute column: kind, and for categories the weight, mean and axis per level.
    private let columns: [Column]

    struct Column: Sendable {
        var name: String
        var kind: String            // category | numeric | log
        var levels: [String: Int]   // category level -> index into the per-level arrays
        var levelNames: [String]
        var weights: [Double]       // per level (category) or one (numeric/log)
        var means: [Double]
        var axis: [Int]
    }

    public init(weights: WeightsFile) {
        self.weights = weights
        intercept = weights.intercept.weight
        axisNames = weights.axes.map(\.name)
        var names: [String] = [], w: [Double] = [], mean: [Double] = [], axis: [Int] = [], log: [Bool] = [], slope: [Double] = []
        var columns: [String: Column] = [:]
        var order: [String] = []
        for (a, ax) in weights.axes.enumerated() {
            for f in ax.features {
                switch f.kind {
                case "signal":
                    names.append(f.source); w.append(f.weight); mean.append(f.mean); axis.append(a)
                    log.append(ax.saturation == "log1p"); slope.append(-1 / (ax.halfLifeDays ?? .infinity))
                default:
                    if columns[f.source] == nil {
                        order.append(f.source)
                        columns[f.source] = Column(name: f.source, kind: f.kind, levels: [:], levelNames: [], weights: [], means: [], axis: [])
                    }
                    var c = columns[f.source]!
                    if f.kind == "category" { c.levels[f.level ?? "", default: c.weights.count] = c.weights.count; c.levelNames.append(f.level ?? "") }
                    c.weights.append(f.weight); c.means.append(f.mean); c.axis.append(a)
                    columns[f.source] = c
                }
            }
        }
        signalNames = names
        signalIndexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        signalWeight = w; signalMean = mean; signalAxis = axis; signalLog = log; self.slope = slope
        attributeColumns = order
        self.columns = order.map { columns[$0]! }
    }

    /// Reads and validates a weights file (format, major version, checksum).
    public static func load(_ url: URL) throws(WeightsError) -> Scorer { Scorer(weights: try WeightsStore.load(url)) }

    /// The model's index of a signal type; nil for a type the model does not use (ignore it, and count it).
    public func signalIndex(_ name: String) -> Int? { signalIndexByName[name] }

    /// Empty totals for `leads` leads.
    public func makeTotals(leads: Int) -> SignalTotals { SignalTotals(leads: leads, slope: slope) }

    /// A lead's attribute values, aligned with ``attributeColumns`` (nil: missing).
    public struct LeadAttributes: Sendable {
        public var values: [String?]
        public init(values: [String?]) { self.values = values }
    }

    /// Attribute values from a dictionary keyed by column.
    public func attributes(_ byColumn: [String: String]) -> LeadAttributes {
        LeadAttributes(values: attributeColumns.map { byColumn[$0] })
    }

    /// The scorer's output for one lead.
    public struct Score: Sendable {
        public var probability: Double
        /// `round(100 · probability)`.
        public var score: Int
        public var tier: String
        /// `b0 + Σ axis contributions`.
        public var logit: Double
        /// Logit points per axis (`Σ w_j x_j` over its features), in ``Scorer/axisNames`` order.
        public var axisContributions: [Double]
        /// Attribute problems of this lead: `employees missing (training mean used)`, `industry: unknown level 'x'`.
        public var notes: [String]
        /// Per attribute column: the value's x (numeric) or the matched level index (category, −1 none).
        var attributeX: [Double]
    }

    /// Scores lead `lead` of `totals` with its attributes. Cost: O(features).
    public func score(lead: Int, totals: SignalTotals, attributes: LeadAttributes) -> Score {
        var axes = [Double](repeating: 0, count: axisNames.count)
        var notes: [String] = []
        var attributeX = [Double](repeating: 0, count: columns.count)
        for (c, column) in columns.enumerated() {
            let raw = c < attributes.values.count ? attributes.values[c] : nil
            if column.kind == "category" {
                let level = raw ?? ""
                if let k = column.levels[level] {
                    axes[column.axis[k]] += column.weights[k]
                    attributeX[c] = Double(k)
                } else {
                    attributeX[c] = -1   // the reference level (or a level unseen in training)
                }
            } else {
                var x: Double
                if let text = raw?.trimmingCharacters(in: .whitespaces), let v = Double(text), v.isFinite, column.kind != "log" || v >= 0 {
                    x = column.kind == "log" ? log1p(v) : v
                } else {
                    x = column.means[0]
                    notes.append(raw.map { $0.isEmpty } ?? true ? "\(column.name) missing (training mean used)" : "\(column.name): '\(raw!)' is not a valid number (training mean used)")
                }
                axes[column.axis[0]] += column.weights[0] * x
                attributeX[c] = x
            }
        }
        let base = lead * totals.signals
        totals.sums.withUnsafeBufferPointer { sums in
            for s in 0..<signalNames.count {
                let total = sums[base + s]
                let x = signalLog[s] ? log1p(total) : total
                axes[signalAxis[s]] += signalWeight[s] * x
            }
        }
        var logit = intercept
        for a in axes { logit += a }
        let p = 1 / (1 + exp(-logit))
        return Score(
            probability: p, score: Int((100 * p).rounded()), tier: weights.tier(of: p), logit: logit,
            axisContributions: axes, notes: notes, attributeX: attributeX)
    }

    /// The features that move this lead's logit most against an average
    /// training lead (`w_j (x_j − mean_j)`), largest first, in plain words:
    /// `+0.82 pricing_visit ×3, last 2 days ago`, `−0.35 no meeting`,
    /// `+0.60 job_level=c_level`, `+0.21 employees 1200`.
    public func reasons(_ score: Score, lead: Int, totals: SignalTotals, limit: Int = 4) -> [String] {
        var effects: [(Double, String)] = []
        let base = lead * totals.signals
        for s in 0..<signalNames.count {
            let total = totals.sums[base + s]
            let x = signalLog[s] ? log1p(total) : total
            let effect = signalWeight[s] * (x - signalMean[s])
            guard signalWeight[s] != 0, abs(effect) >= 0.005 else { continue }
            let n = totals.counts[base + s]
            if n == 0 {
                effects.append((effect, "no \(signalNames[s])"))
            } else {
                let last = totals.lastAge[base + s]
                let ago = last < 1 ? "today" : last < 2 ? "1 day ago" : "\(Int(last)) days ago"
                effects.append((effect, "\(signalNames[s]) ×\(n), last \(ago)"))
            }
        }
        for (c, column) in columns.enumerated() {
            if column.kind == "category" {
                let k = Int(score.attributeX[c])
                guard k >= 0 else { continue }
                let effect = column.weights[k] * (1 - column.means[k])
                if abs(effect) >= 0.005 { effects.append((effect, "\(column.name)=\(column.levelNames[k])")) }
            } else {
                let x = score.attributeX[c]
                let effect = column.weights[0] * (x - column.means[0])
                let shown = column.kind == "log" ? expm1(x) : x
                if abs(effect) >= 0.005 { effects.append((effect, "\(column.name) \(String(format: "%g", shown))")) }
            }
        }
        return effects.sorted { abs($0.0) > abs($1.0) }.prefix(limit).map {
            String(format: "%@%.2f %@", $0.0 >= 0 ? "+" : "−", abs($0.0), $0.1)
        }
    }
}
