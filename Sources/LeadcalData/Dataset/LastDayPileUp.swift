import Foundation

/// A leakage sign in the data: a signal type whose events spike in the last
/// day before `as_of` for won leads, far more than for lost ones and far above
/// its own rate in the days before.
///
/// An event that the win itself caused (a kickoff meeting logged as the deal
/// closes, a contract e-mail, an `as_of` set after the fact) sits just before
/// `as_of` for won leads only. The model would learn it and score nothing in
/// production, where the event comes after the decision it should predict.
/// Genuine buying signals also rise near a decision, but smoothly: the alarm
/// needs at least ``minimumWonShare`` of the won leads with such an event,
/// ``minimumRatio`` times the lost leads' share, and ``minimumSpike`` times
/// the won leads' own mean daily share over the week before (days 1 to 8).
public struct LastDayPileUp: Sendable, Codable, Equatable {
    public var signal: String
    /// Share of won leads with an event of `signal` in the last day before their `as_of`.
    public var wonShare: Double
    /// The same share among lost leads.
    public var lostShare: Double
    /// Mean daily share of won leads with such an event over days 1 to 8 before `as_of`.
    public var wonWeekDailyShare: Double

    public static let windowDays = 1.0
    public static let weekDays = 8.0
    public static let minimumWonShare = 0.10
    public static let minimumRatio = 5.0
    public static let minimumSpike = 3.0

    enum CodingKeys: String, CodingKey {
        case signal
        case wonShare = "won_share", lostShare = "lost_share", wonWeekDailyShare = "won_week_daily_share"
    }

    /// One line for a summary or a weights file.
    public var message: String {
        String(format: "possible leakage: %.1f%% of won leads but %.1f%% of lost leads have a %@ event in the last day before as_of "
            + "(won leads: %.1f%% a day over the week before); an event caused by the outcome would look like this "
            + "(check how occurred_at and as_of are set). The weight is kept: decide whether to drop the signal",
            100 * wonShare, 100 * lostShare, signal, 100 * wonWeekDailyShare)
    }

    /// The signal types of `signals` (the event table's index) that spike in
    /// the last day for won leads, over the decided rows `rows` (default: all).
    /// Cost: one pass over those rows' events, a share of the rows on each
    /// core (integer counts, so the result does not depend on the number of
    /// cores); memory O(signal types) per core.
    public static func find(events: EventTable, signals: [String], labels: [Double], rows: [Int32]? = nil) -> [LastDayPileUp] {
        let m = signals.count
        guard m > 0 else { return [] }
        struct Counts: Sendable {
            var won: [Int], lost: [Int], wonWeek: [Int]
            var nWon = 0, nLost = 0
            init(_ m: Int) { won = [Int](repeating: 0, count: m); lost = won; wonWeek = won }
        }
        let n = rows?.count ?? events.rowCount
        let tasks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, n / 10_000))
        let parts = SendableSlots<Counts>(count: tasks)
        parallelFor(tasks) { t in
            var c = Counts(m)
            var seenDay = [Int32](repeating: -1, count: m), seenWeek = [Int32](repeating: -1, count: m)
            for q in (n * t / tasks)..<(n * (t + 1) / tasks) {
                let r = rows.map { Int($0[q]) } ?? q
                let isWon = labels[r] > 0.5
                if isWon { c.nWon += 1 } else { c.nLost += 1 }
                for e in events.rowStart[r]..<events.rowStart[r + 1] where events.age[e] <= weekDays {
                    let s = Int(events.signal[e])
                    if events.age[e] <= windowDays {
                        guard seenDay[s] != Int32(r) else { continue }
                        seenDay[s] = Int32(r)
                        if isWon { c.won[s] += 1 } else { c.lost[s] += 1 }
                    } else if isWon && seenWeek[s] != Int32(r) {
                        seenWeek[s] = Int32(r)
                        c.wonWeek[s] += 1
                    }
                }
            }
            parts[t] = c
        }
        var won = [Int](repeating: 0, count: m), lost = won, wonWeek = won
        var nWon = 0, nLost = 0
        for part in parts.values() {
            nWon += part.nWon; nLost += part.nLost
            for s in 0..<m { won[s] += part.won[s]; lost[s] += part.lost[s]; wonWeek[s] += part.wonWeek[s] }
        }
        guard nWon > 0, nLost > 0 else { return [] }
        var out: [LastDayPileUp] = []
        for s in 0..<m {
            let w = Double(won[s]) / Double(nWon), l = Double(lost[s]) / Double(nLost)
            let daily = Double(wonWeek[s]) / Double(nWon) / (weekDays - windowDays)
            // Shares of zero get half a lead's worth, so that no ratio is infinite.
            if w >= minimumWonShare && w >= minimumRatio * max(l, 0.5 / Double(nLost)) && w >= minimumSpike * max(daily, 0.5 / Double(nWon)) {
                out.append(LastDayPileUp(signal: signals[s], wonShare: w, lostShare: l, wonWeekDailyShare: daily))
            }
        }
        return out
    }
}
