import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalEvaluation
import LeadcalModel
import LeadcalRoutine
import LeadcalScorer
import LeadcalSynth
import Testing

/// `leadcal score` folds signals.csv a block at a time, in lead buckets, two
/// passes per bucket, on every core: none of that may change a score.
@Suite("Bulk scoring (leadcal score)")
struct BulkScoringTests {
    /// One synthetic export written in time order and grouped by lead, and a version fitted on it.
    static func fixture(leads: Int, seed: UInt64) throws -> (root: URL, layouts: [String: URL], scorer: Scorer) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-bulk-\(UUID().uuidString)")
        var layouts: [String: URL] = [:]
        for order in SyntheticGenerator.Order.allCases {
            var g = SyntheticGenerator(leads: leads, seed: seed)
            g.order = order
            layouts[order.rawValue] = root.appendingPathComponent(order.rawValue)
            try g.write(to: layouts[order.rawValue]!)
        }
        let data = try Dataset.load(directory: layouts["lead"]!)
        var options = Calibration.Options()
        options.intervals = false
        let fit = try Calibration.fit(dataset: data, options: options)
        let rows = (0..<Int32(data.decided.count)).map { $0 }
        let file = Version.make(fit, dataset: data, training: rows, version: "bulk", parent: nil, tool: "test").file
        return (root, layouts, Scorer(weights: file))
    }

    /// lead_id → (probability, score, tier) from `leadcal score`'s CSV.
    static func parse(_ csv: Data) -> [String: (Double, Int, String)] {
        var out: [String: (Double, Int, String)] = [:]
        for line in String(decoding: csv, as: UTF8.self).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            out[String(f[0])] = (Double(f[1])!, Int(f[2])!, String(f[3]))
        }
        return out
    }

    /// The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks).
    static func records(_ text: String) -> [[String]] {
        var out: [[String]] = [], row: [String] = [], field = "", quoted = false, previousQuote = false
        for c in text.unicodeScalars {
            if quoted {
                if c == "\"" { quoted = false; previousQuote = true } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"":
                if previousQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); out.append(row); row = []; field = ""
            default: field.unicodeScalars.append(c)
            }
            previousQuote = false
        }
        if !row.isEmpty || !field.isEmpty { row.append(field); out.append(row) }
        return out
    }

    /// The reference: signals.csv read line by line, each event added on its own
    /// (`SignalTotals.add(lead:signal:ageDays:value:)`), each lead scored by the scorer.
    static func reference(_ dir: URL, scorer: Scorer, asOf: Double) throws -> [String: Double] {
        let leadLines = Self.records(try String(contentsOf: dir.appendingPathComponent("leads.csv"), encoding: .utf8))
        let header = leadLines[0].map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
        let ids = leadLines.dropFirst().map { $0[0] }
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        var totals = scorer.makeTotals(leads: ids.count)
        for f in Self.records(try String(contentsOf: dir.appendingPathComponent("signals.csv"), encoding: .utf8)).dropFirst() {
            guard let lead = index[f[1]], let s = scorer.signalIndex(f[2]) else { continue }
            let age = (asOf - parseTimestamp(f[0])!) / 86400
            totals.add(lead: lead, signal: s, ageDays: age, value: f[3].isEmpty ? 1 : Double(f[3])!)
        }
        var out: [String: Double] = [:]
        for (lead, row) in leadLines.dropFirst().enumerated() {
            let attributes = scorer.attributes(Dictionary(uniqueKeysWithValues: zip(header, row)))
            out[ids[lead]] = scorer.score(lead: lead, totals: totals, attributes: attributes).probability
        }
        return out
    }

    @Test("every lead scores as the scorer scores it event by event, whatever the row order of signals.csv")
    func sameScoresAnyOrder() throws {
        // 12,000 leads: several lead buckets per core (2,048 leads of 13 signals a bucket).
        let (root, layouts, scorer) = try Self.fixture(leads: 12_000, seed: 17)
        defer { try? FileManager.default.removeItem(at: root) }
        var options = BatchScorer.Options(asOf: parseTimestamp("2026-11-01")!)
        options.digits = 17
        options.reasons = 0
        let batch = BatchScorer(scorer: scorer, weightsPath: "bulk.json")
        let time = Self.parse(try batch.run(directory: layouts["time"]!, options: options).csv.data)
        let lead = Self.parse(try batch.run(directory: layouts["lead"]!, options: options).csv.data)
        let reference = try Self.reference(layouts["time"]!, scorer: scorer, asOf: options.asOf)
        #expect(time.count == 12_000 && lead.count == 12_000 && reference.count == 12_000)
        var worst = 0.0
        for (id, p) in reference {
            let t = try #require(time[id]), l = try #require(lead[id])
            // The same events in another order: sums that differ in their last bits at most.
            worst = max(worst, abs(t.0 - p), abs(l.0 - p))
            #expect(t.1 == l.1 && t.2 == l.2)
        }
        #expect(worst < 1e-13)
        // Events after the reading time count for nothing: an earlier as_of changes scores.
        var earlier = options
        earlier.asOf = parseTimestamp("2025-06-01")!
        let before = Self.parse(try batch.run(directory: layouts["time"]!, options: earlier).csv.data)
        let reference2 = try Self.reference(layouts["time"]!, scorer: scorer, asOf: earlier.asOf)
        #expect(reference2.allSatisfy { abs(before[$0.key]!.0 - $0.value) < 1e-13 })
        #expect(reference2.contains { abs($0.value - reference[$0.key]!) > 1e-3 })
    }
}
