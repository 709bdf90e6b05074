import Foundation
import LeadcalModel
import Testing
@testable import LeadcalCalibration
import LeadcalData
import LeadcalSynth

/// CRMs export activity in time order; leadcal must not care.
@Suite("The order of signals.csv does not matter")
struct RowOrderTests {
    /// The same dataset three times: signals.csv in time order, grouped by lead, and shuffled.
    static func layouts(leads: Int, seed: UInt64) throws -> [String: URL] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-order-\(UUID().uuidString)")
        var out: [String: URL] = [:]
        for order in SyntheticGenerator.Order.allCases {
            var g = SyntheticGenerator(leads: leads, seed: seed)
            g.order = order
            out[order.rawValue] = root.appendingPathComponent(order.rawValue)
            try g.write(to: out[order.rawValue]!)
        }
        // Shuffled: the time-ordered rows in a seeded random order.
        let shuffled = root.appendingPathComponent("shuffled")
        try FileManager.default.copyItem(at: out["time"]!, to: shuffled)
        let text = try String(contentsOf: shuffled.appendingPathComponent("signals.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let header = lines.removeFirst()
        var state: UInt64 = seed
        for i in stride(from: lines.count - 1, to: 0, by: -1) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            lines.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
        }
        try ([header] + lines).joined(separator: "\n").appending("\n").write(
            to: shuffled.appendingPathComponent("signals.csv"), atomically: true, encoding: .utf8)
        out["shuffled"] = shuffled
        return out
    }

    @Test("synth writes the same rows in time order (by instant) and grouped by lead; leads and outcomes are identical")
    func synthOrders() throws {
        let d = try Self.layouts(leads: 1_200, seed: 3)
        defer { try? FileManager.default.removeItem(at: d["time"]!.deletingLastPathComponent()) }
        for file in ["leads.csv", "outcomes.csv", "model.yaml", "truth.json"] {
            #expect(try Data(contentsOf: d["time"]!.appendingPathComponent(file)) == Data(contentsOf: d["lead"]!.appendingPathComponent(file)))
        }
        let rows = { (url: URL) in try String(contentsOf: url.appendingPathComponent("signals.csv"), encoding: .utf8).split(separator: "\n") }
        let time = try rows(d["time"]!), lead = try rows(d["lead"]!)
        #expect(time.count == lead.count && time.count > 40_000)
        #expect(time.sorted() == lead.sorted())
        let instants = time.dropFirst().map { parseTimestamp(String($0.split(separator: ",")[0]))! }
        #expect(zip(instants, instants.dropFirst()).allSatisfy { $0 <= $1 })
        let leadIDs = lead.dropFirst().map { $0.split(separator: ",")[1] }
        #expect(zip(leadIDs, leadIDs.dropFirst()).filter { $0 != $1 }.count < 1_300)   // grouped: one change per lead
    }

    @Test("time order, lead order and a shuffle load the same event table and fit the same model, bit for bit")
    func sameFit() throws {
        let d = try Self.layouts(leads: 2_500, seed: 11)
        defer { try? FileManager.default.removeItem(at: d["time"]!.deletingLastPathComponent()) }
        var options = Calibration.Options()
        options.intervals = false
        var fits: [String: CalibrationResult] = [:]
        var tables: [String: EventTable] = [:]
        for (name, url) in d {
            let dataset = try Dataset.load(directory: url)
            tables[name] = dataset.events
            fits[name] = try Calibration.fit(dataset: dataset, options: options)
        }
        let reference = fits["lead"]!, table = tables["lead"]!
        for name in ["time", "shuffled"] {
            #expect(tables[name]!.rowStart == table.rowStart)
            #expect(tables[name]!.signal == table.signal)
            #expect(tables[name]!.age == table.age)
            #expect(tables[name]!.value == table.value)
            let fit = fits[name]!
            #expect(fit.intercept == reference.intercept)
            #expect(fit.features.map(\.weight) == reference.features.map(\.weight))
            #expect(fit.axes.map { $0.halfLife?.days } == reference.axes.map { $0.halfLife?.days })
            #expect(fit.statistics.logLikelihood == reference.statistics.logLikelihood)
        }
    }
}
