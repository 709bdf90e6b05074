import Foundation
import LeadcalModel
import LeadcalScorer

/// The in-memory scorer as it was before the per-lead loop was flattened
/// (leadcal 0.11, commit bdeb8e0: per-event `add` into 24-byte cells,
/// per-lead loop over column structs), kept verbatim as the benchmark's
/// baseline. It lives in its own module, as it did in `LeadcalScorer`, so
/// the harness calls it across a module boundary (one call per event), as
/// that commit's harness did: inlined into the harness it would run faster
/// than it ever ran for its users.
public struct BaselineScorer {
    struct Column {
        var kind: Scorer.ColumnKind
        var levels: [String: Int]
        var weights: [Double]
        var axis: [Int]
    }
    let intercept: Double
    public let axisCount: Int
    let signalWeight: [Double], signalAxis: [Int], signalLog: [Bool], slope: [Double]
    let columns: [Column]
    let tiers: [Double]

    public init(weights: WeightsFile, columnOrder: [String]) {
        intercept = weights.intercept.weight
        axisCount = weights.axes.count
        var w: [Double] = [], axis: [Int] = [], log: [Bool] = [], slope: [Double] = []
        var columns: [String: Column] = [:]
        for (a, ax) in weights.axes.enumerated() {
            for f in ax.features {
                switch f.kind {
                case .signal:
                    w.append(f.weight); axis.append(a); log.append(ax.saturation == .log1p); slope.append(-1 / (ax.halfLife?.days ?? .infinity))
                case .category, .numeric, .log:
                    let kind: Scorer.ColumnKind = f.kind == .category ? .category : f.kind == .log ? .log : .number
                    var c = columns[f.source] ?? Column(kind: kind, levels: [:], weights: [], axis: [])
                    if kind == .category { c.levels[f.level ?? ""] = c.weights.count }
                    c.weights.append(f.weight); c.axis.append(a)
                    columns[f.source] = c
                case .breadth:
                    preconditionFailure("the previous scorer predates breadth features (the benchmark model has none)")
                }
            }
        }
        signalWeight = w; signalAxis = axis; signalLog = log; self.slope = slope
        self.columns = columnOrder.map { columns[$0] ?? Column(kind: .category, levels: [:], weights: [], axis: []) }
        tiers = weights.tiers.map(\.minProbability)
    }

    /// Decayed sums: three doubles per (lead, signal) cell.
    public struct Totals {
        let signals: Int
        var cells: [Double]
        var future = 0
        let slope: [Double]
        init(signals: Int, slope: [Double]) {
            self.signals = signals
            self.slope = slope
            cells = [Double](repeating: 0, count: 3 * signals)
        }
        @inline(__always)
        public mutating func add(lead: Int, signal: Int, ageDays: Double, value: Double = 1) {
            guard ageDays > 0 else { future += 1; return }
            let w = value * exp2(ageDays * slope[signal])
            let i = 3 * (lead * signals + signal)
            cells.withUnsafeMutableBufferPointer { c in
                c[i] += w
                c[i + 1] += 1
                if ageDays < c[i + 2] { c[i + 2] = ageDays }
            }
        }
        public mutating func reset(lead: Int) {
            cells.withUnsafeMutableBufferPointer { c in
                for s in 0..<signals {
                    let i = 3 * (lead * signals + s)
                    c[i] = 0; c[i + 1] = 0; c[i + 2] = .infinity
                }
            }
        }
    }

    public func makeTotals() -> Totals { Totals(signals: slope.count, slope: slope) }

    public func score(lead: Int, totals: Totals, x attributes: [Double], axes: inout [Double]) -> Double {
        var logit = intercept
        axes.withUnsafeMutableBufferPointer { axes in
            for a in 0..<axes.count { axes[a] = 0 }
            for (c, column) in columns.enumerated() {
                let x = attributes[c]
                if column.kind == .category {
                    if x >= 0 { let k = Int(x); axes[column.axis[k]] += column.weights[k] }
                } else if column.weights[0] != 0 {
                    axes[column.axis[0]] += column.weights[0] * x
                }
            }
            totals.cells.withUnsafeBufferPointer { sums in
                for s in 0..<signalWeight.count where signalWeight[s] != 0 {
                    let total = sums[3 * (lead * signals + s)]
                    axes[signalAxis[s]] += signalWeight[s] * (signalLog[s] ? log1p(total) : total)
                }
            }
            for a in 0..<axes.count { logit += axes[a] }
        }
        let p = 1 / (1 + exp(-logit))
        var tier = tiers.count - 1
        for (t, floor) in tiers.enumerated() where p >= floor { tier = t; break }
        return p + Double(max(tier, 0)) * 0
    }
    var signals: Int { slope.count }
}
