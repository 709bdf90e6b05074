import Foundation
import LeadcalData
import LeadcalModel

/// Builds the design matrix of a set of decided rows, point in time.
///
/// Attribute columns are computed once. Signal columns are recomputed for
/// each set of half-lives by ``decayedSignals(halfLives:values:derivatives:)``,
/// the pass the calibration repeats while it fits the half-lives.
public struct FeatureBuilder: Sendable {
    public let spec: ModelSpec
    public let layout: FeatureLayout
    /// Decided-row index (into the dataset) of each matrix row.
    public let rows: [Int32]
    /// Attribute features, row-major `rows.count × layout.firstSignalColumn`.
    public let attributeValues: [Double]
    private let events: EventTable
    private let axisSaturation: [ModelSpec.Saturation]
    /// Row ranges handed to each parallel task, balanced by event count.
    private let chunks: [Range<Int>]
    /// Events processed per vectorized block: at least the most events of one row.
    private let blockCapacity: Int

    /// - Parameters:
    ///   - rows: decided rows to build (default: all).
    ///   - layout: reuse a layout (for a holdout built like its training set); default: derived from `rows`.
    public init(dataset: Dataset, rows: [Int32]? = nil, layout: FeatureLayout) {
        guard let spec = dataset.spec else { preconditionFailure("features need a model spec") }
        let rows = rows ?? (0..<Int32(dataset.decided.count)).map { $0 }
        self.spec = spec
        self.layout = layout
        self.rows = rows
        self.events = dataset.events
        self.axisSaturation = spec.axes.map(\.saturation)

        let p = layout.firstSignalColumn
        var values = [Double](repeating: 0, count: rows.count * p)
        for (j, f) in layout.features[0..<p].enumerated() {
            switch f.kind {
            case let .category(column, level):
                guard let c = dataset.leads.categories[column], let code = c.levels.firstIndex(of: level) else { continue }
                for (i, r) in rows.enumerated() where Int(c.codes[Int(dataset.decided[Int(r)])]) == code { values[i * p + j] = 1 }
            case let .numeric(column), let .log(column):
                guard let numbers = dataset.leads.numbers[column] else { continue }
                let isLog: Bool = if case .log = f.kind { true } else { false }
                for (i, r) in rows.enumerated() {
                    let v = numbers[Int(dataset.decided[Int(r)])]
                    values[i * p + j] = isLog ? Log1p.shared(v) : v
                }
            case let .breadth(days):
                // Distinct signal types of the axis (indices of ModelSpec.signals) with an event at age <= days.
                let members = Set(spec.axes[f.axis].signals.compactMap { spec.signals.firstIndex(of: $0) }.map(Int32.init))
                var seen = Set<Int32>()
                for (i, r) in rows.enumerated() {
                    seen.removeAll(keepingCapacity: true)
                    for e in dataset.events.rowStart[Int(r)]..<dataset.events.rowStart[Int(r) + 1] {
                        let s = dataset.events.signal[e]
                        if dataset.events.age[e] <= days && members.contains(s) { seen.insert(s) }
                    }
                    values[i * p + j] = Double(seen.count)
                }
            case .signal: break
            }
        }
        attributeValues = values

        // Balance the parallel chunks by events, not rows.
        let tasks = max(1, ProcessInfo.processInfo.activeProcessorCount * 4)
        let total = rows.reduce(0) { $0 + dataset.events.rowStart[Int($1) + 1] - dataset.events.rowStart[Int($1)] }
        var chunks: [Range<Int>] = []
        var start = 0, seen = 0
        for (i, r) in rows.enumerated() {
            seen += dataset.events.rowStart[Int(r) + 1] - dataset.events.rowStart[Int(r)]
            if seen * tasks >= total * (chunks.count + 1) && i + 1 > start {
                chunks.append(start..<(i + 1))
                start = i + 1
            }
        }
        if start < rows.count || chunks.isEmpty { chunks.append(start..<rows.count) }
        self.chunks = chunks
        let longest = rows.map { dataset.events.rowStart[Int($0) + 1] - dataset.events.rowStart[Int($0)] }.max() ?? 0
        blockCapacity = max(1024, longest)
    }

    /// The builder of `rows` (default: all decided rows) with the layout they
    /// imply (reference levels chosen on them).
    public init(dataset: Dataset, rows: [Int32]? = nil) throws(LayoutError) {
        guard let spec = dataset.spec else { preconditionFailure("features need a model spec") }
        let rows = rows ?? (0..<Int32(dataset.decided.count)).map { $0 }
        self.init(dataset: dataset, rows: rows, layout: try FeatureLayout(spec: spec, dataset: dataset, rows: rows))
    }

    public var rowCount: Int { rows.count }

    /// Computes the signal features at the given half-lives.
    ///
    /// For row i (read at its `as_of`) and signal s of axis a with half-life
    /// h_a: `S_is = sum_e v_e * 2^(-age_e / h_a)` over the row's events of
    /// type s (all strictly before `as_of`), and the feature is `g_a(S_is)`
    /// with g the axis saturation (identity or log1p). With u = log h_a and
    /// c_e = ln2 · age_e / h_a (so that `d 2^(-age_e/h_a) / du = 2^(-age_e/h_a) · c_e`):
    ///
    /// - `derivatives` receives `D = d g(S) / du = g'(S) · S'`,
    ///   `S' = Σ_e v_e 2^(-age_e/h) c_e`;
    /// - `secondDerivatives` receives `d² g(S) / du² = g'(S) · S'' + g''(S) · S'²`,
    ///   `S'' = Σ_e v_e 2^(-age_e/h) (c_e² − c_e)`; for log1p,
    ///   `S'' / (1 + S) − D²`. The joint information of the weights and
    ///   half-lives needs it (``JointCovariance`` in calibration).
    ///
    /// Cost: one pass over the events (one `exp2` and three FMAs each, one
    /// more with second derivatives), in parallel over row chunks balanced by
    /// event count; no allocation.
    ///
    /// - Parameters:
    ///   - halfLives: days, per spec axis (entries of axes without signals are ignored).
    ///   - values: resized to `rowCount × signalCount`, row-major.
    ///   - derivatives: same shape, or nil to skip.
    ///   - secondDerivatives: same shape, or nil to skip; needs `derivatives`.
    public func decayedSignals(
        halfLives: [Double], values: inout [Double], derivatives: UnsafeMutablePointer<Double>?,
        secondDerivatives: UnsafeMutablePointer<Double>? = nil
    ) {
        precondition(secondDerivatives == nil || derivatives != nil, "second derivatives are computed with the first")
        let m = layout.signalCount
        let n = rows.count
        if values.count != n * m { values = [Double](repeating: 0, count: n * m) }
        // Per signal: −1/h (the exponent of 2 per day of age), ln2/h, and the saturation.
        var slope = [Double](repeating: 0, count: m)
        var rate = [Double](repeating: 0, count: m)
        var logSat = [Bool](repeating: false, count: m)
        for s in 0..<m {
            let a = layout.signalAxis[s]
            slope[s] = -1 / halfLives[a]
            rate[s] = M_LN2 / halfLives[a]
            logSat[s] = axisSaturation[a] == .log1p
        }
        let out = SendablePointer(values.withUnsafeMutableBufferPointer { $0.baseAddress! })
        let dOut = SendablePointer(derivatives)
        let d2Out = SendablePointer(secondDerivatives)
        let chunks = self.chunks, rows = self.rows, block = self.blockCapacity
        let context = SendablePointer((events, slope, rate, logSat))
        let exp2 = Exp2.shared, log1p = Log1p.shared
        parallelFor(chunks.count) { c in
            let (events, slope, rate, logSat) = context.value
            events.rowStart.withUnsafeBufferPointer { rowStart in
            events.signal.withUnsafeBufferPointer { signal in
            events.age.withUnsafeBufferPointer { age in
            events.value.withUnsafeBufferPointer { value in
            slope.withUnsafeBufferPointer { slope in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * block + 2 * max(m, 1)) { scratch in
                let power = scratch.baseAddress!, weighted = power + block, squared = weighted + max(m, 1)
                let argument = squared + max(m, 1)
                var i = chunks[c].lowerBound
                while i < chunks[c].upperBound {
                    // Rows i..<j whose events fit in one block (at least one row).
                    var j = i, total = 0
                    while j < chunks[c].upperBound {
                        let r = Int(rows[j])
                        let count = rowStart[r + 1] - rowStart[r]
                        if j > i && total + count > block { break }
                        total += count
                        j += 1
                    }
                    // Phase 1: 2^(−age/h) for every event of the block (``Exp2`` over the array, four lanes at a time).
                    var at = 0
                    for q in i..<j {
                        let r = Int(rows[q])
                        for e in rowStart[r]..<rowStart[r + 1] {
                            argument[at] = age[e] * slope[Int(signal[e])]
                            at += 1
                        }
                    }
                    exp2(UnsafePointer(argument), into: power, count: total)
                    // Phase 2: accumulate per row.
                    at = 0
                    for q in i..<j {
                        let x = out.value + q * m
                        for s in 0..<m { x[s] = 0; weighted[s] = 0 }
                        let r = Int(rows[q])
                        if let d2 = d2Out.value {
                            for s in 0..<m { squared[s] = 0 }
                            for e in rowStart[r]..<rowStart[r + 1] {
                                let s = Int(signal[e])
                                let w = value[e] * power[at]
                                x[s] += w
                                weighted[s] += w * age[e]
                                squared[s] += w * age[e] * age[e]
                                at += 1
                            }
                            let d = dOut.value!, dx = d + q * m, ddx = d2 + q * m
                            for s in 0..<m {
                                // S' = rate · Σ w·age, S'' = rate² · Σ w·age² − S' (rate = ln2 / h).
                                let dS = rate[s] * weighted[s]
                                let ddS = rate[s] * rate[s] * squared[s] - dS
                                if logSat[s] {
                                    dx[s] = dS / (1 + x[s])
                                    ddx[s] = ddS / (1 + x[s]) - dx[s] * dx[s]
                                } else {
                                    dx[s] = dS
                                    ddx[s] = ddS
                                }
                            }
                        } else {
                            for e in rowStart[r]..<rowStart[r + 1] {
                                let s = Int(signal[e])
                                let w = value[e] * power[at]
                                x[s] += w
                                weighted[s] += w * age[e]
                                at += 1
                            }
                            if let d = dOut.value {
                                let dx = d + q * m
                                for s in 0..<m {
                                    // dS/dlog h = Σ w · age · ln2 / h
                                    let dS = rate[s] * weighted[s]
                                    dx[s] = logSat[s] ? dS / (1 + x[s]) : dS
                                }
                            }
                        }
                        for s in 0..<m where logSat[s] { x[s] = log1p(x[s]) }
                    }
                    i = j
                }
            }
            }
            }
            }
            }
            }
        }
    }
}
