import Foundation
import LeadcalModel
import Testing
import LeadcalData
import LeadcalSynth

@Suite("leadcal synth")
struct SynthTests {
    func generate(leads: Int, seed: UInt64) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-synth-\(UUID().uuidString)")
        try SyntheticGenerator(leads: leads, seed: seed).write(to: url)
        return url
    }

    func bytes(_ url: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in ["leads.csv", "signals.csv", "outcomes.csv", "model.yaml", "truth.json"] {
            out[f] = try Data(contentsOf: url.appendingPathComponent(f))
        }
        return out
    }

    @Test func sameSeedSameBytes() throws {
        let a = try generate(leads: 5_000, seed: 7), b = try generate(leads: 5_000, seed: 7), c = try generate(leads: 5_000, seed: 8)
        defer { for u in [a, b, c] { try? FileManager.default.removeItem(at: u) } }
        let x = try bytes(a), y = try bytes(b), z = try bytes(c)
        #expect(x == y)
        #expect(x["signals.csv"] != z["signals.csv"])
    }

    @Test func generatedDataIsValidAndMessy() throws {
        let url = try generate(leads: 3_000, seed: 3)
        defer { try? FileManager.default.removeItem(at: url) }
        let d = try Dataset.load(directory: url)
        let r = d.report
        #expect(r.counts.leads == 3_000)
        let perLead = Double(r.counts.signals) / 3_000
        #expect(perLead > 30 && perLead < 55)
        let after = Double(r.anomaly("signals_at_or_after_as_of")!.count) / Double(r.counts.trainingEvents)
        #expect(after > 0.03 && after < 0.08)
        #expect(r.anomaly("unused_signal_types")!.count > 0)
        #expect(r.anomaly("leads_without_outcome")!.count > 0)
        #expect(r.counts.winRate! > 0.15 && r.counts.winRate! < 0.45)
        #expect(r.ignoredColumns["signals.csv"] == ["campaign"])
    }
}
