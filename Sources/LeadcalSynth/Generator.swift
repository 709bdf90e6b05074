import LeadcalModel
import LeadcalScorer
import Foundation
import LeadcalData

/// `leadcal synth`: a reproducible B2B dataset drawn from the model of the
/// data contract with known weights and half-lives.
///
/// Per lead: firmographics (industry, log-normal employees, job level, plus
/// unused country and company columns, some quoted with commas, quotes or a
/// line break), a heavy-tailed number of events (log-normal, about 40 on
/// average) over 24 months, mixing a uniform background with a recent burst
/// so that every half-life is identifiable, about 5% of them after `as_of`.
/// 85% of leads get an outcome drawn from the true logit at their `as_of`,
/// written in CRM spellings. A few anomalies are planted: signals of unknown
/// leads, duplicate outcome rows, outcomes of unknown leads, an unused signal
/// type, a BOM, CRLF line ends, dates with offsets, empty `value` cells.
///
/// The same seed gives the same bytes: each lead draws from its own random
/// stream, and chunks generated on different cores are written in order.
public struct SyntheticGenerator: Sendable {
    public var leads: Int
    public var seed: UInt64
    public var l2: Double = 1.0
    /// The order of signals.csv: time order by default, as an export would be.
    public var order: Order = .time
    /// Logit points every true weight moves per month (``SyntheticTruth/driftPerMonth``); 0: a stable truth.
    public var drift: Double = 0

    public init(leads: Int, seed: UInt64) {
        self.leads = leads
        self.seed = seed
    }

    /// The end of the data window: 2026-11-01T00:00:00Z.
    static let windowEnd = daysFromCivil(2026, 11, 1) * 86400
    static let day = 86400

    public var truth: SyntheticTruth {
        var t = Truth.truth(seed: seed, leads: leads, l2: l2)
        if drift != 0 {
            t.driftPerMonth = drift
            t.driftUp = Truth.driftUp(t.weights)
        }
        return t
    }

    /// The truth's scorer of each month of the window (one without drift).
    /// The drifted models share the stable one's features, so level indices and totals carry over.
    func monthlyScorers() -> [Scorer] {
        guard drift != 0 else { return [Self.scorer] }
        let t = truth
        return (0...25).map { Scorer(weights: Truth.model(month: $0, truth: t)) }
    }

    /// Writes leads.csv, signals.csv, outcomes.csv, model.yaml and truth.json into `directory`.
    ///
    /// Leads are generated in chunks on every core. leads.csv and outcomes.csv
    /// are written in lead order; signals.csv in the order of ``order``: for
    /// time order every event is kept as a 16-byte row, the rows are sorted by
    /// instant (a stable LSD radix sort, ties in lead order) and formatted on
    /// every core. Cost: O(events) time, 24 bytes per event of memory in time order.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let chunkSize = 2_000
        let chunkCount = (leads + chunkSize - 1) / chunkSize
        let files = ["leads.csv", "signals.csv", "outcomes.csv"].map { directory.appendingPathComponent($0) }
        var handles: [FileHandle] = []
        for f in files {
            guard FileManager.default.createFile(atPath: f.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: f.path])
            }
            handles.append(try FileHandle(forWritingTo: f))
        }
        defer { for h in handles { try? h.close() } }
        // Headers: a BOM on leads.csv, a column order other than the contract's and
        // an unknown column on signals.csv, CRLF on outcomes.csv.
        try handles[0].write(contentsOf: Data([0xEF, 0xBB, 0xBF] + Array("lead_id,company,industry,employees,job_level,country\n".utf8)))
        try handles[1].write(contentsOf: Data("occurred_at,lead_id,signal,value,campaign\n".utf8))
        try handles[2].write(contentsOf: Data("lead_id,outcome,as_of,closed_at,amount\r\n".utf8))

        // Generate chunks in parallel, a batch at a time, and write them in order.
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount * 4)
        var held: [SignalRow] = []
        var first = 0
        while first < chunkCount {
            let count = min(batch, chunkCount - first)
            let slots = SendableSlots<Chunk>(count: count)
            let base = first
            let order = self.order
            parallelFor(count) { k in
                let c = base + k
                var chunk = generate(leads: (c * chunkSize)..<min(leads, (c + 1) * chunkSize))
                if order == .lead {
                    for row in chunk.signalRows { Self.format(row, into: &chunk.signals) }
                    chunk.signalRows = []
                }
                slots[k] = chunk
            }
            for k in 0..<count {
                let out = slots[k]
                try handles[0].write(contentsOf: Data(out.leads.bytes))
                try handles[2].write(contentsOf: Data(out.outcomes.bytes))
                if order == .lead {
                    try handles[1].write(contentsOf: Data(out.signals.bytes))
                } else {
                    held.append(contentsOf: out.signalRows)
                }
            }
            first += count
        }
        if order == .time { try Self.writeInTimeOrder(held, to: handles[1]) }
        try Truth.spec.replacingOccurrences(of: "l2: 1.0", with: "l2: \(l2)")
            .write(to: directory.appendingPathComponent("model.yaml"), atomically: true, encoding: .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(truth) + Data("\n".utf8)).write(to: directory.appendingPathComponent("truth.json"))
    }

    /// The order of the rows of signals.csv.
    public enum Order: String, Sendable, CaseIterable {
        /// By `occurred_at`, as CRMs and marketing-automation tools export activity logs.
        case time
        /// Grouped by lead, each lead's events in the order they were drawn.
        case lead
    }

    /// One row of signals.csv before formatting: 16 bytes.
    struct SignalRow {
        /// `occurred_at`, seconds since 1970 UTC (midnight for date-only signals).
        var time: Int64
        /// Lead index.
        var lead: Int32
        /// Index into `Truth.signals`, or ``unknownLead``.
        var signal: UInt8
        /// ``offsetFlag``, ``valueFlag``, ``campaignFlag``.
        var flags: UInt8
        var value: UInt16

        static let unknownLead: UInt8 = .max
        static let offsetFlag: UInt8 = 1, valueFlag: UInt8 = 2, campaignFlag: UInt8 = 4
    }

    /// What one chunk of leads yields.
    struct Chunk {
        var leads = TextBuffer(), signals = TextBuffer(), outcomes = TextBuffer()
        var signalRows: [SignalRow] = []
    }

    /// Writes `row` as `occurred_at,lead_id,signal,value,campaign`.
    static func format(_ row: SignalRow, into out: inout TextBuffer) {
        if row.signal == SignalRow.unknownLead {
            // A signal of a lead that does not exist.
            out.timestamp(Int(row.time)); out.write(",X"); out.leadID(Int(row.lead)); out.write(",email_open,,\n")
            return
        }
        let signal = Truth.signals[Int(row.signal)]
        if signal.dateOnly {
            out.date(days: Int(row.time) / day)
        } else {
            out.timestamp(Int(row.time), offsetHours: row.flags & SignalRow.offsetFlag != 0 ? 2 : 0)
        }
        out.byte(","); out.leadID(Int(row.lead)); out.byte(","); out.write(signal.name); out.byte(",")
        if row.flags & SignalRow.valueFlag != 0 { out.int(Int(row.value)) }      // empty value cells mean 1
        out.byte(",")
        if row.flags & SignalRow.campaignFlag != 0 { out.write("\"q3, nurture\"") }
        out.byte("\n")
    }

    /// Sorts `rows` (in lead order) by instant, ties kept in lead order, and
    /// writes them. The sort key packs the instant above the row's index, and an
    /// LSD radix sort over the instant's bits keeps it stable; formatting runs on
    /// every core, a slice of rows at a time.
    static func writeInTimeOrder(_ rows: [SignalRow], to handle: FileHandle) throws {
        guard !rows.isEmpty else { return }
        let indexBits = 36
        precondition(rows.count < 1 << indexBits)
        let first = rows.reduce(Int64.max) { min($0, $1.time) }
        var keys = [UInt64](unsafeUninitializedCapacity: rows.count) { b, n in
            for (i, r) in rows.enumerated() { b[i] = UInt64(r.time - first) << UInt64(indexBits) | UInt64(i) }
            n = rows.count
        }
        let span = rows.reduce(0) { max($0, $1.time - first) }
        let timeBits = max(1, 64 - UInt64(span).leadingZeroBitCount)
        precondition(timeBits + indexBits <= 64)
        let digitBits = 11
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var shift = indexBits
        while shift < indexBits + timeBits {
            var counts = [Int](repeating: 0, count: (1 << digitBits) + 1)
            let mask = UInt64(1 << digitBits - 1)
            for k in keys { counts[Int((k >> UInt64(shift)) & mask) + 1] += 1 }
            for d in 0..<(1 << digitBits) { counts[d + 1] += counts[d] }
            scratch.withUnsafeMutableBufferPointer { out in
                for k in keys {
                    let d = Int((k >> UInt64(shift)) & mask)
                    out[counts[d]] = k
                    counts[d] += 1
                }
            }
            swap(&keys, &scratch)
            shift += digitBits
        }
        scratch = []
        let slice = 1 << 16
        let batch = ProcessInfo.processInfo.activeProcessorCount * 4
        let indexMask = UInt64(1) << UInt64(indexBits) - 1
        var at = 0
        while at < keys.count {
            let count = min(batch, (keys.count - at + slice - 1) / slice)
            let slots = SendableSlots<TextBuffer>(count: count)
            let base = at
            keys.withUnsafeBufferPointer { keys in
                rows.withUnsafeBufferPointer { rows in
                    let keys = SendablePointer(keys), rows = SendablePointer(rows)
                    parallelFor(count) { k in
                        var out = TextBuffer()
                        out.bytes.reserveCapacity(slice * 64)
                        let from = base + k * slice
                        for i in from..<min(keys.value.count, from + slice) {
                            format(rows.value[Int(keys.value[i] & indexMask)], into: &out)
                        }
                        slots[k] = out
                    }
                }
            }
            for k in 0..<count { try handle.write(contentsOf: Data(slots[k].bytes)) }
            at = min(keys.count, at + count * slice)
        }
    }

    private static let countries = ["US", "FR", "DE", "GB", "ES", "NL", "CA"]
    private static let companyStems = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Soylent", "Hooli", "Vandelay"]
    private static let wonSpellings = ["won", "Won", "Closed Won", "closedwon", "closed-won", "1", "TRUE", "yes"]
    private static let lostSpellings = ["lost", "Lost", "Closed Lost", "closedlost", "closed-lost", "0", "false", "No"]
    private static let signalCumulative: [Double] = {
        var c = 0.0
        let total = Truth.signals.reduce(0) { $0 + $1.share }
        return Truth.signals.map { c += $0.share / total; return c }
    }()

    /// The truth's scorer, and its signal index of each `Truth.signals` entry (−1 when unused).
    static let scorer = Scorer(weights: Truth.model)
    static let signalIndex = Truth.signals.map { scorer.signalIndex($0.name) ?? -1 }

    /// Generates the leads of `range`: their leads.csv and outcomes.csv rows, and their signal rows in lead order.
    private func generate(leads range: Range<Int>) -> Chunk {
        var chunk = Chunk()
        var leadsOut = TextBuffer(), outcomesOut = TextBuffer()
        var rows: [SignalRow] = []
        rows.reserveCapacity(range.count * 48)
        let end = Self.windowEnd
        let start = end - 730 * Self.day
        let scorer = Self.scorer
        let monthly = monthlyScorers()
        let (firstYear, firstMonth, _) = civilFromDays(start / Self.day)
        var totals = scorer.makeTotals(leads: 1)
        var score = Scorer.Score()
        let industryColumn = scorer.attributeColumns.firstIndex(of: "industry")!
        let jobColumn = scorer.attributeColumns.firstIndex(of: "job_level")!
        let employeesColumn = scorer.attributeColumns.firstIndex(of: "employees")!
        var attributes = Scorer.LeadAttributes(
            x: [Double](repeating: 0, count: scorer.attributeColumns.count), given: [Double](repeating: 0, count: scorer.attributeColumns.count))
        for i in range {
            var rng = Xoshiro256(seed: seed, stream: UInt64(i))
            // Firmographics.
            let industry = rng.pick(Truth.industry.cumulative)
            let job = rng.pick(Truth.jobLevel.cumulative)
            let employees = max(1, Int(exp(4.3 + 1.5 * rng.normal()).rounded()))
            let country = Self.countries[rng.int(Self.countries.count)]
            let stem = Self.companyStems[rng.int(Self.companyStems.count)]
            leadsOut.leadID(i); leadsOut.byte(",")
            switch rng.int(20) {
            case 0: leadsOut.write("\"\(stem), Inc.\"")
            case 1: leadsOut.write("\"\(stem) \"\"Labs\"\"\"")
            case 2: leadsOut.write("\"\(stem)\nHoldings\"")
            default: leadsOut.write("\(stem) \(i % 97)")
            }
            leadsOut.byte(","); leadsOut.write(Truth.industry.levels[industry])
            leadsOut.byte(","); leadsOut.int(employees)
            leadsOut.byte(","); leadsOut.write(Truth.jobLevel.levels[job])
            leadsOut.byte(","); leadsOut.write(country); leadsOut.byte("\n")

            // as_of: decided leads are read between 6 and 24 months into the window;
            // undecided leads are read at the end of the window.
            // Decided leads are read between 6 months into the window and the
            // moment their deal must open to close before the window ends.
            let decided = rng.uniform() < 0.85
            let closingDelay = (7 + rng.int(113)) * Self.day + rng.int(Self.day)
            let latest = end - closingDelay
            var asOf = decided ? start + 180 * Self.day + rng.int(latest - start - 180 * Self.day) : end
            if decided && rng.int(4) == 0 { asOf -= asOf % Self.day }  // some as_of at midnight, written as dates
            let span = Double(asOf - start) / Double(Self.day)

            // Events: heavy-tailed count, a background spread over the window and a recent burst.
            let count = Int(exp(3.2 + 1.0 * rng.normal()).rounded(.down))
            let burst = rng.uniform() < 0.45
            let burstScale = 3.0 + 40.0 * rng.uniform()
            totals.reset(lead: 0)
            for _ in 0..<count {
                let s = rng.pick(Self.signalCumulative)
                let signal = Truth.signals[s]
                var t: Int
                if rng.uniform() < (asOf < end ? 0.05 : 0) {
                    t = asOf + 1 + rng.int(min(60 * Self.day, end - asOf))    // after as_of (ignored), before the export
                } else if burst && rng.uniform() < 0.6 {
                    let age = -burstScale * log(1 - rng.uniform())
                    t = asOf - 1 - Int(min(age, span) * Double(Self.day))
                } else {
                    t = asOf - 1 - Int(rng.uniform() * span * Double(Self.day))
                }
                if signal.dateOnly { t -= ((t % Self.day) + Self.day) % Self.day }
                let value = signal.pagesViewed ? 1 + rng.poisson(1.5) : 1
                if t < asOf, signal.axis >= 0 {
                    totals.add(lead: 0, signal: Self.signalIndex[s], ageDays: Double(asOf - t) / Double(Self.day), value: Double(value))
                }
                // The row: occurred_at,lead_id,signal,value,campaign
                var flags: UInt8 = 0
                if !signal.dateOnly && rng.int(10) == 0 { flags |= SignalRow.offsetFlag }
                if value != 1 || rng.int(3) == 0 { flags |= SignalRow.valueFlag }       // empty value cells mean 1
                if rng.int(5) == 0 { flags |= SignalRow.campaignFlag }
                rows.append(SignalRow(time: Int64(t), lead: Int32(i), signal: UInt8(s), flags: flags, value: UInt16(value)))
            }
            // A rare signal of a lead that does not exist.
            if rng.int(2_000) == 0 {
                rows.append(SignalRow(time: Int64(asOf - Self.day), lead: Int32(i), signal: SignalRow.unknownLead, flags: 0, value: 1))
            }

            guard decided else { continue }
            // The outcome is drawn from the truth's probability, as the production scorer computes it.
            attributes.x[industryColumn] = Double(scorer.levelIndex(column: industryColumn, level: Truth.industry.levels[industry]))
            attributes.x[jobColumn] = Double(scorer.levelIndex(column: jobColumn, level: Truth.jobLevel.levels[job]))
            attributes.x[employeesColumn] = Log1p.shared(Double(employees))
            let (y, m, _) = civilFromDays(asOf / Self.day)
            let month = min(monthly.count - 1, max(0, (y - firstYear) * 12 + m - firstMonth))
            monthly[month].score(lead: 0, totals: totals, attributes: attributes, into: &score)
            let won = rng.uniform() < score.probability
            let spellings = won ? Self.wonSpellings : Self.lostSpellings
            let closedAt = asOf + closingDelay
            // The deal value, from a stream of its own (the other draws stay as they were): log-normal,
            // larger for larger companies, about 5% missing. The truth does not depend on it.
            var amountStream = Xoshiro256(seed: seed &+ 0x616D_6F75_6E74, stream: UInt64(i))
            let amount = amountStream.int(20) == 0 ? -1 : Int(exp(8.6 + 0.25 * log1p(Double(employees)) + 0.8 * amountStream.normal()).rounded())
            let rows = rng.int(500) == 0 ? 2 : 1                                 // a rare duplicate outcome row
            for _ in 0..<rows {
                outcomesOut.leadID(i); outcomesOut.byte(","); outcomesOut.write(spellings[rng.int(spellings.count)]); outcomesOut.byte(",")
                if asOf % Self.day == 0 { outcomesOut.date(days: asOf / Self.day) } else { outcomesOut.timestamp(asOf) }
                outcomesOut.byte(",")
                if rng.int(10) != 0 { outcomesOut.timestamp(closedAt) }           // empty closed_at defaults to as_of
                outcomesOut.byte(",")
                if amount >= 0 { outcomesOut.int(amount) }
                outcomesOut.write("\r\n")
            }
            if rng.int(3_000) == 0 {
                outcomesOut.write("Z"); outcomesOut.leadID(i); outcomesOut.write(",won,"); outcomesOut.timestamp(asOf); outcomesOut.write(",,\r\n")
            }
        }
        chunk.leads = leadsOut
        chunk.outcomes = outcomesOut
        chunk.signalRows = rows
        return chunk
    }
}
