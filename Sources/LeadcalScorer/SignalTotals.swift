import Foundation
import LeadcalModel

/// Decayed signal sums of many leads at one reading time, with what reasons
/// need: the number of events and the age of the most recent one; and, for
/// the signals of an axis with `breadth_days`, whether one event fell inside
/// that window (the exact Double age compared, not the rounded one).
///
/// One 16-byte cell per (lead, signal): the sum (Double), the count (UInt32,
/// its top bit the breadth flag) and the latest age (Float, days), so folding
/// an event touches one cache line. Memory is `leads × signals × 16` bytes, whatever the number of
/// events: events are folded in as they stream by. Cost per event: one
/// inlined ``Exp2`` (the decay factor, the same bits as calibration's
/// features), no dispatch on names (signals arrive as the model's indices).
public struct SignalTotals: Sendable {
    public let leads: Int
    public let signals: Int
    @usableFromInline
    struct Cell: Sendable {
        /// Σ value · 2^(−age/h).
        @usableFromInline var sum: Double = 0
        @usableFromInline var count: UInt32 = 0
        /// Age in days of the latest event, rounded down to a Float (+∞ when none).
        @usableFromInline var lastAge: Float = .infinity
    }
    private var cells: [Cell]
    /// Events at or after the reading time (not counted).
    public private(set) var future = 0
    /// `−1/h` per signal: the exponent of 2 per day of age.
    let slope: [Double]
    /// Per signal: the breadth window of its axis in days (−∞: none).
    let window: [Double]
    /// Whether some signal has a breadth window.
    let hasWindow: Bool
    /// The decay factor's table, held here so the folds need no lazy-global check.
    let exp2 = Exp2.shared
    /// The count's top bit: an event inside the breadth window.
    @usableFromInline static let recentBit: UInt32 = 0x8000_0000

    init(leads: Int, slope: [Double], window: [Double]? = nil) {
        self.leads = leads
        signals = slope.count
        self.slope = slope
        self.window = window ?? [Double](repeating: -.infinity, count: slope.count)
        precondition(self.window.count == slope.count)
        hasWindow = self.window.contains { $0 > -.infinity }
        cells = [Cell](repeating: Cell(), count: leads * slope.count)
    }

    /// Folds in one event of `lead`, `ageDays` before the reading time
    /// (events at or after it, `ageDays <= 0`, are counted in ``future`` and ignored).
    @inline(__always)
    public mutating func add(lead: Int, signal: Int, ageDays: Double, value: Double = 1) {
        guard ageDays > 0 else { future += 1; return }
        let w = value * exp2(ageDays * slope[signal])
        let i = lead * signals + signal
        let window = self.window[signal]
        cells.withUnsafeMutableBufferPointer { c in Self.fold(&c[i], w, ageDays, window) }
    }

    @inlinable @inline(__always)
    static func fold(_ cell: inout Cell, _ w: Double, _ ageDays: Double, _ window: Double) {
        count(&cell, ageDays, window)
        accumulate(&cell, w, ageDays)
    }

    /// One more event in `cell`, and its breadth flag.
    @inlinable @inline(__always)
    static func count(_ cell: inout Cell, _ ageDays: Double, _ window: Double) {
        // Branch-free: the count in the low 31 bits, the breadth flag in the top one.
        cell.count = (cell.count &+ 1) | (ageDays <= window ? recentBit : 0)
    }

    /// The decayed weight `w` of an event `ageDays` old added to `cell`'s sum and latest age.
    @inlinable @inline(__always)
    static func accumulate(_ cell: inout Cell, _ w: Double, _ ageDays: Double) {
        cell.sum += w
        // Rounded down to single precision, so whole days (what reasons print) stay exact;
        // branch-free: ages arrive in any order.
        // (For a positive age, one less in the bit pattern is the next Float down.)
        let age = Float(ageDays)
        let down = Float(bitPattern: age.bitPattern &- (Double(age) > ageDays ? 1 : 0))
        cell.lastAge = min(cell.lastAge, down)
    }

    /// Ages rounded down to single precision, as ``accumulate(_:_:_:)`` keeps them.
    @inlinable @inline(__always)
    static func roundedDown(_ ageDays: SIMD4<Double>) -> SIMD4<Float> {
        let age = SIMD4<Float>(ageDays)
        let up = SIMD4<Double>(age) .> ageDays
        // A true lane of the mask is all ones: −1, so adding it steps to the next Float down.
        let minusOne = SIMD4<UInt32>(truncatingIfNeeded: unsafeBitCast(up, to: SIMD4<Int64>.self))
        return unsafeBitCast(unsafeBitCast(age, to: SIMD4<UInt32>.self) &+ minusOne, to: SIMD4<Float>.self)
    }

    /// Folds in the events of one lead at once: `signals[e]` (the model's
    /// signal index), `ageDays[e]`, `values[e]`. The same sums as adding them
    /// one by one, in order, with one check of the indices for the whole batch.
    /// Cost: per event, a quarter of a four-lane ``Exp2`` and one fold; the
    /// breadth flag only for models with a breadth window.
    public mutating func add(
        lead: Int, signals s: UnsafeBufferPointer<Int32>, ageDays: UnsafeBufferPointer<Double>, values: UnsafeBufferPointer<Double>
    ) {
        precondition(s.count == ageDays.count && s.count == values.count && lead >= 0 && lead < leads)
        // One check for the batch, none in the folds: k ∈ [0, m) exactly when k and m − 1 − k
        // are both ≥ 0, so one OR of them all has its sign bit clear (a loop SSE2 vectorizes).
        let last = Int32(signals - 1)
        var bits: Int32 = 0
        for k in s { bits |= k | (last &- k) }
        precondition(bits >= 0 && signals > 0 || s.isEmpty)
        let row = lead * signals, breadth = hasWindow, exp2 = self.exp2
        let late = slope.withUnsafeBufferPointer { slope in
            window.withUnsafeBufferPointer { window in
                cells.withUnsafeMutableBufferPointer { c in
                    let run = Run(row: c.baseAddress! + row, slope: slope.baseAddress!, window: window.baseAddress!, exp2: exp2)
                    // Two copies of the loop: with the breadth flag, and without its loads and compares.
                    return breadth
                        ? run.fold(s.baseAddress!, ageDays.baseAddress!, values.baseAddress!, s.count, WithBreadth.self)
                        : run.fold(s.baseAddress!, ageDays.baseAddress!, values.baseAddress!, s.count, WithoutBreadth.self)
                }
            }
        }
        future += late
    }

    /// Whether a fold computes the breadth flag: a type, so that each case gets its own compiled loop.
    protocol BreadthMode { static var breadth: Bool { get } }
    enum WithBreadth: BreadthMode { static var breadth: Bool { true } }
    enum WithoutBreadth: BreadthMode { static var breadth: Bool { false } }

    /// One lead's cells and the model's per-signal constants, for ``add(lead:signals:ageDays:values:)``.
    struct Run {
        let row: UnsafeMutablePointer<Cell>
        let slope: UnsafePointer<Double>
        let window: UnsafePointer<Double>
        let exp2: Exp2

        /// Folds `count` events (indices already checked) into `row`; returns
        /// how many were at or after the reading time. Four events at a time:
        /// their decay factors in four lanes, then their folds in order.
        @inline(__always)
        func fold<Mode: BreadthMode>(
            _ s: UnsafePointer<Int32>, _ ageDays: UnsafePointer<Double>, _ values: UnsafePointer<Double>, _ count: Int, _: Mode.Type
        ) -> Int {
            let breadth = Mode.breadth
            var late = 0, e = 0
            while e + 4 <= count {
                let i0 = Int(s[e]), i1 = Int(s[e + 1]), i2 = Int(s[e + 2]), i3 = Int(s[e + 3])
                let age = UnsafeRawPointer(ageDays + e).loadUnaligned(as: SIMD4<Double>.self)
                let power = exp2(age * SIMD4(slope[i0], slope[i1], slope[i2], slope[i3]))
                let w = power * UnsafeRawPointer(values + e).loadUnaligned(as: SIMD4<Double>.self)
                let latest = SignalTotals.roundedDown(age)
                let live = age .> 0
                let recent = breadth ? age .<= SIMD4(window[i0], window[i1], window[i2], window[i3]) : SIMDMask(repeating: false)
                @inline(__always) func put(_ cell: UnsafeMutablePointer<Cell>, _ l: Int) {
                    cell.pointee.count = (cell.pointee.count &+ 1) | (breadth && recent[l] ? SignalTotals.recentBit : 0)
                    cell.pointee.sum += w[l]
                    cell.pointee.lastAge = min(cell.pointee.lastAge, latest[l])
                }
                if all(live) {
                    put(row + i0, 0); put(row + i1, 1); put(row + i2, 2); put(row + i3, 3)
                } else {
                    // Events at or after the reading time are counted, not folded.
                    if live[0] { put(row + i0, 0) } else { late += 1 }
                    if live[1] { put(row + i1, 1) } else { late += 1 }
                    if live[2] { put(row + i2, 2) } else { late += 1 }
                    if live[3] { put(row + i3, 3) } else { late += 1 }
                }
                e += 4
            }
            while e < count {
                let age = ageDays[e], k = Int(s[e])
                if age > 0 { SignalTotals.fold(&row[k], values[e] * exp2(age * slope[k]), age, window[k]) } else { late += 1 }
                e += 1
            }
            return late
        }
    }

    /// Events whose decay factors are computed together before they are folded.
    @usableFromInline static let batch = 256

    /// `Σ value · 2^(−age/h)` of one lead and signal.
    @inline(__always)
    public func sum(lead: Int, signal: Int) -> Double { cells[lead * signals + signal].sum }
    /// Events counted for one lead and signal.
    public func count(lead: Int, signal: Int) -> Double { Double(cells[lead * signals + signal].count & ~Self.recentBit) }
    /// Whether one event of this lead and signal fell inside its axis's breadth window (`0 < age <= breadth_days`).
    public func recent(lead: Int, signal: Int) -> Bool { cells[lead * signals + signal].count & Self.recentBit != 0 }
    /// Age in days of the latest counted event (+∞ when none), rounded down to
    /// single precision (its whole days are exact).
    public func lastAge(lead: Int, signal: Int) -> Double { Double(cells[lead * signals + signal].lastAge) }

    /// Calls `body` with the cells of `lead`, one per signal.
    @inline(__always)
    func withCells<R>(lead: Int, _ body: (UnsafePointer<Cell>) -> R) -> R {
        cells.withUnsafeBufferPointer { body($0.baseAddress! + lead * signals) }
    }

    /// Clears one lead (to reuse the storage for another).
    public mutating func reset(lead: Int) {
        cells.withUnsafeMutableBufferPointer { c in
            for s in 0..<signals { c[lead * signals + s] = Cell() }
        }
    }

    /// Folds events into disjoint lead ranges from several threads at once:
    /// `body` gets a ``Folder`` over these totals' storage, valid during the
    /// call, and returns the number of events it found at or after the
    /// reading time (added to ``future``).
    package mutating func withFolder(_ body: (Folder) -> Int) {
        let slope = self.slope, window = self.window, m = signals, exp2 = self.exp2
        let late = cells.withUnsafeMutableBufferPointer { c in
            slope.withUnsafeBufferPointer { s in
                window.withUnsafeBufferPointer { w in body(Folder(cells: c.baseAddress!, slope: s.baseAddress!, window: w.baseAddress!, signals: m, exp2: exp2)) }
            }
        }
        future += late
    }

    /// Raw access for folding from several threads, each into its own leads.
    package struct Folder: @unchecked Sendable {
        @usableFromInline let cells: UnsafeMutablePointer<Cell>
        @usableFromInline let slope: UnsafePointer<Double>
        @usableFromInline let window: UnsafePointer<Double>
        @usableFromInline let signals: Int
        @usableFromInline let exp2: Exp2

        /// Folds a run of events (`leads[e]`, `signals[e]`, `ageDays[e]`,
        /// `values[e]`) in order; returns how many were at or after the
        /// reading time (not folded).
        ///
        /// Cells of leads in no particular order (a time-ordered export) are
        /// cache misses: a fold waits for its cell, and the `exp2` between two
        /// folds keeps few misses in flight. So the run is folded in two passes:
        /// a short loop that counts the events into their cells (many misses in
        /// flight at once), then the decayed sums from cache. Callers pass a
        /// run whose cells fit in the core's cache (``BlockFold``'s lead
        /// buckets). Indices are not checked: the caller's are valid leads of
        /// its own range and signals of the model. Cost: two passes over the
        /// run, one ``Exp2`` per event (four lanes at a time).
        package func add(
            leads: UnsafePointer<Int32>, signals s: UnsafePointer<Int32>, ageDays: UnsafePointer<Double>, values: UnsafePointer<Double>, count: Int
        ) -> Int {
            // Pass 1, a short loop (many misses in flight): counts and breadth flags.
            var late = 0
            for e in 0..<count {
                let age = ageDays[e]
                guard age > 0 else { late += 1; continue }
                let k = Int(s[e])
                SignalTotals.count(&cells[Int(leads[e]) * signals + k], age, window[k])
            }
            // Pass 2, from cache: decay factors for a run of events (four lanes at a time),
            // then their sums (each cell's events in order) and latest ages.
            withUnsafeTemporaryAllocation(of: Double.self, capacity: SignalTotals.batch) { scratch in
                let power = scratch.baseAddress!
                var start = 0
                while start < count {
                    let end = min(start + SignalTotals.batch, count)
                    for e in start..<end { power[e - start] = ageDays[e] * slope[Int(s[e])] }
                    exp2(UnsafePointer(power), into: power, count: end - start)
                    for e in start..<end {
                        let age = ageDays[e]
                        guard age > 0 else { continue }
                        SignalTotals.accumulate(&cells[Int(leads[e]) * signals + Int(s[e])], values[e] * power[e - start], age)
                    }
                    start = end
                }
            }
            return late
        }
    }
}
