import Foundation

/// Decayed signal sums of many leads at one reading time, columnar
/// (`lead × signal`), with what reasons need: the number of events and the
/// age of the most recent one.
///
/// Memory is `leads × signals × 20` bytes, whatever the number of events:
/// events are folded in as they stream by. Cost per event: one `exp2`.
public struct SignalTotals: Sendable {
    public let leads: Int
    public let signals: Int
    /// `Σ value · 2^(−age/h)` per lead and signal.
    public private(set) var sums: [Double]
    public private(set) var counts: [Int32]
    /// Age in days of the most recent counted event (+∞ when none).
    public private(set) var lastAge: [Double]
    /// Events at or after the reading time (not counted).
    public private(set) var future = 0
    /// `−1/h` per signal: the exponent of 2 per day of age.
    let slope: [Double]

    init(leads: Int, slope: [Double]) {
        self.leads = leads
        signals = slope.count
        self.slope = slope
        sums = [Double](repeating: 0, count: leads * slope.count)
        counts = [Int32](repeating: 0, count: leads * slope.count)
        lastAge = [Double](repeating: .infinity, count: leads * slope.count)
    }

    /// Folds in one event of `lead`, `ageDays` before the reading time
    /// (events at or after it, `ageDays <= 0`, are counted in ``future`` and ignored).
    @inline(__always)
    public mutating func add(lead: Int, signal: Int, ageDays: Double, value: Double = 1) {
        guard ageDays > 0 else { future += 1; return }
        let i = lead * signals + signal
        sums[i] += value * exp2(ageDays * slope[signal])
        counts[i] += 1
        if ageDays < lastAge[i] { lastAge[i] = ageDays }
    }

    /// Clears one lead (to reuse the storage for another).
    public mutating func reset(lead: Int) {
        for s in 0..<signals {
            let i = lead * signals + s
            sums[i] = 0; counts[i] = 0; lastAge[i] = .infinity
        }
    }
}
