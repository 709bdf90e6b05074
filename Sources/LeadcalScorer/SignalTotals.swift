import Foundation
import LeadcalModel

/// Decayed signal sums of many leads at one reading time, with what reasons
/// need: the number of events and the age of the most recent one.
///
/// Stored interleaved, three values per (lead, signal) cell, so folding an
/// event touches one cache line. Memory is `leads × signals × 24` bytes,
/// whatever the number of events: events are folded in as they stream by.
/// Cost per event: one `exp2`.
public struct SignalTotals: Sendable {
    public let leads: Int
    public let signals: Int
    /// Per cell: Σ value · 2^(−age/h), event count, age in days of the latest event.
    private var cells: [Double]
    /// Events at or after the reading time (not counted).
    public private(set) var future = 0
    /// `−1/h` per signal: the exponent of 2 per day of age.
    let slope: [Double]

    init(leads: Int, slope: [Double]) {
        self.leads = leads
        signals = slope.count
        self.slope = slope
        cells = [Double](repeating: 0, count: 3 * leads * slope.count)
        for c in 0..<(leads * slope.count) { cells[3 * c + 2] = .infinity }
    }

    /// Folds in one event of `lead`, `ageDays` before the reading time
    /// (events at or after it, `ageDays <= 0`, are counted in ``future`` and ignored).
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

    /// `Σ value · 2^(−age/h)` of one lead and signal.
    @inline(__always)
    public func sum(lead: Int, signal: Int) -> Double { cells[3 * (lead * signals + signal)] }
    /// Events counted for one lead and signal.
    public func count(lead: Int, signal: Int) -> Double { cells[3 * (lead * signals + signal) + 1] }
    /// Age in days of the latest counted event (+∞ when none).
    public func lastAge(lead: Int, signal: Int) -> Double { cells[3 * (lead * signals + signal) + 2] }

    /// Calls `body` with the sums of `lead`, one per signal, strided by 3.
    @inline(__always)
    func withSums<R>(lead: Int, _ body: (UnsafePointer<Double>) -> R) -> R {
        cells.withUnsafeBufferPointer { body($0.baseAddress! + 3 * lead * signals) }
    }

    /// Clears one lead (to reuse the storage for another).
    public mutating func reset(lead: Int) {
        cells.withUnsafeMutableBufferPointer { c in
            for s in 0..<signals {
                let i = 3 * (lead * signals + s)
                c[i] = 0; c[i + 1] = 0; c[i + 2] = .infinity
            }
        }
    }
}
