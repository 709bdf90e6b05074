import Foundation
import LeadcalData

/// A dataset folder written from strings, removed when the test ends.
struct TestDataset {
    let url: URL

    static let spec = """
        name: test
        axes:
          fit:
            attributes:
              industry: categorical
              employees: log
          engagement:
            signals: [email_open, pricing_visit]
            half_life_days: 14
            fit_half_life: true
        l2: 1.0

        """
    static let leads = "lead_id,industry,employees\nA,software,10\nB,retail,200\nC,software,5\n"
    static let signals = "lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,\nB,pricing_visit,2026-03-02T10:00:00Z,3\n"
    static let outcomes = "lead_id,outcome,as_of\nA,won,2026-04-01\nB,lost,2026-04-01\n"

    init(
        leads: String = Self.leads, signals: String = Self.signals, outcomes: String = Self.outcomes,
        spec: String = Self.spec, raw: [String: [UInt8]] = [:]
    ) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in ["leads.csv": leads, "signals.csv": signals, "outcomes.csv": outcomes, "model.yaml": spec] {
            try Data((raw[name] ?? Array(text.utf8))).write(to: url.appendingPathComponent(name))
        }
    }

    func load() throws -> Dataset { try Dataset.load(directory: url) }

    /// The one-line message of the error loading raises.
    func error() -> String? {
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try load()
            return nil
        } catch {
            return (error as? DataError)?.description ?? "\(error)"
        }
    }
}
