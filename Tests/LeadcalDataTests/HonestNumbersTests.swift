import Foundation
import LeadcalModel
import Testing
import LeadcalSynth

/// A synthetic dataset in a temporary folder, with a weights folder beside it.
struct Workspace {
    let root: URL
    var data: URL { root.appendingPathComponent("data") }
    var weights: URL { root.appendingPathComponent("weights") }

    init(leads: Int = 2_000, seed: UInt64 = 12) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-honest-\(UUID().uuidString)")
        try SyntheticGenerator(leads: leads, seed: seed).write(to: root.appendingPathComponent("data"))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `leadcal fit` into the weights folder; returns the weights file's path.
    func fit(_ extra: [String] = [], data: URL? = nil) throws -> String {
        let r = try runLeadcal(["fit", (data ?? self.data).path, "--out", weights.path, "--no-intervals", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return try json(r.stdout)["weights_file"] as! String
    }

    /// A copy of the dataset whose leads.csv lacks `column`.
    func withoutColumn(_ column: String) throws -> URL {
        let copy = root.appendingPathComponent("without-\(column)")
        try FileManager.default.copyItem(at: data, to: copy)
        let text = try String(contentsOf: copy.appendingPathComponent("leads.csv"), encoding: .utf8)
        try text.replacingOccurrences(of: column, with: "\(column)_renamed").write(
            to: copy.appendingPathComponent("leads.csv"), atomically: true, encoding: .utf8)
        return copy
    }
}

func json(_ s: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any] }

@Suite("A number that is not a plain estimate says so")
struct HonestNumbersTests {
    @Test("compare is fair by default, and says so when it is not")
    func fairComparison() throws {
        let w = try Workspace()
        defer { w.remove() }
        let a = try w.fit(["--train-before", "2026-05-01"])
        let c = try w.fit(["--train-before", "2026-07-01"])
        let b = try w.fit()

        // Without --after: only outcomes closed after both training windows.
        let fair = try runLeadcal(["compare", a, c, w.data.path, "--json"])
        #expect(fair.status == 0, "\(fair.stderr)")
        let f = try json(fair.stdout)
        #expect(f["fair"] as? Bool == true)
        #expect((f["training_overlap"] as! [String: Int]) == ["a": 0, "b": 0])
        #expect((f["verdict"] as! String).contains("AUC"))
        let text = try runLeadcal(["compare", a, c, w.data.path])
        #expect(text.stdout.contains("closed on or after 2026-07-01T00:00:00Z (after both training windows)"))

        // B trained on every outcome: nothing is new to it, and compare says how to proceed.
        let none = try runLeadcal(["compare", a, b, w.data.path])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no decided lead closed after the training windows"))

        // Forced onto B's training leads: counted, and no version is ranked.
        let unfair = try runLeadcal(["compare", a, b, w.data.path, "--after", "2026-07-01", "--json"])
        #expect(unfair.status == 0, "\(unfair.stderr)")
        let u = try json(unfair.stdout)
        let overlap = u["training_overlap"] as! [String: Int]
        let leads = (u["a"] as! [String: Any])["leads"] as! Int
        #expect(u["fair"] as? Bool == false)
        #expect(overlap["a"] == 0 && overlap["b"] == leads)
        #expect((u["verdict"] as! String).contains("not a fair comparison: B trained on \(leads) of these \(leads) leads"))
        #expect(!(u["verdict"] as! String).contains("is better"))

        // evaluate counts the overlap too.
        let e = try json(try runLeadcal(["evaluate", "--weights", b, w.data.path, "--after", "2026-07-01", "--json"]).stdout)
        #expect(e["training_overlap"] as? Int == leads)
        let shown = try runLeadcal(["evaluate", "--weights", b, w.data.path, "--after", "2026-07-01"])
        #expect(shown.stdout.contains("WARNING: \(leads) of these \(leads) leads lie in the version's training window"))
    }

    @Test("weights scored against data that lack their columns: one error everywhere, unless allowed")
    func dataAgainstWeights() throws {
        let w = try Workspace()
        defer { w.remove() }
        let file = try w.fit()
        let bare = try w.withoutColumn("industry")
        let expected = "error: leads.csv:1:1: no column 'industry', which \(file) reads"
        for arguments in [["score", "--weights", file, bare.path, "--as-of", "2026-11-01"],
                          ["evaluate", "--weights", file, bare.path],
                          ["compare", file, file, bare.path, "--after", "2026-01-01"],
                          ["report", "--weights", file, bare.path, "--out", w.root.appendingPathComponent("r").path]] {
            let r = try runLeadcal(arguments)
            #expect(r.status == 2, "\(arguments[0])")
            #expect(r.stderr.hasPrefix(expected), "\(arguments[0]): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let out = w.root.appendingPathComponent("scores.csv").path
        let allowed = try runLeadcal(["score", "--weights", file, bare.path, "--as-of", "2026-11-01", "--out", out, "--allow-missing-columns", "--json"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let summary = try json(allowed.stdout)
        #expect(summary["missing_columns"] as? [String] == ["industry"])
        #expect((summary["notes"] as! [String]).contains { $0.contains("lacks industry") })
        let evaluated = try runLeadcal(["evaluate", "--weights", file, bare.path, "--allow-missing-columns"])
        #expect(evaluated.status == 0 && evaluated.stdout.contains("note: leads.csv lacks 'industry'"))
    }

    @Test("reference levels: pinned by the spec, kept from the parent, and compare does not mix them")
    func stableReferenceLevels() throws {
        let w = try Workspace()
        defer { w.remove() }
        let spec = try String(contentsOf: w.data.appendingPathComponent("model.yaml"), encoding: .utf8)
        let pinned = w.root.appendingPathComponent("pinned.yaml")
        try spec.replacingOccurrences(of: "industry: categorical", with: "industry: {kind: categorical, reference: retail}")
            .write(to: pinned, atomically: true, encoding: .utf8)
        let a = try w.fit(["--spec", pinned.path, "--train-before", "2026-05-01"])
        func references(_ path: String) throws -> [String: String] {
            try WeightsStore.load(URL(fileURLWithPath: path)).referenceLevels
        }
        #expect(try references(a)["industry"] == "retail")
        // The next version keeps its parent's reference level, though the spec pins none.
        let b = try w.fit(["--train-before", "2026-07-01"])
        #expect(try WeightsStore.load(URL(fileURLWithPath: b)).parent == "2026-04.1")
        #expect(try references(b)["industry"] == "retail")
        // A version without that parent chooses the most frequent level; compare shows no Δ across baselines.
        let c = try w.fit(["--train-before", "2026-07-01", "--out", w.root.appendingPathComponent("other").path])
        #expect(try references(c)["industry"] == "software")
        let r = try json(try runLeadcal(["compare", a, c, w.data.path, "--json"]).stdout)
        #expect((r["reference_changes"] as! [[String: String]]) == [["column": "industry", "a": "retail", "b": "software"]])
        let rows = (r["weights"] as! [[String: Any]]).filter { ($0["feature"] as! String).hasPrefix("industry=") }
        #expect(!rows.isEmpty && rows.allSatisfy { $0["change_in_sds"] == nil && $0["note"] as? String == "reference level differs" })
        let text = try runLeadcal(["compare", a, c, w.data.path])
        #expect(text.stdout.contains("reference level of industry differs (A: 'retail', B: 'software')"))
        // A pinned level no training lead has is an error.
        try spec.replacingOccurrences(of: "industry: categorical", with: "industry: {kind: categorical, reference: mining}")
            .write(to: pinned, atomically: true, encoding: .utf8)
        let bad = try runLeadcal(["fit", w.data.path, "--spec", pinned.path, "--out", w.weights.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("the spec pins reference level 'mining' of industry, but no training lead has it"))
    }

    @Test("a shifted base rate is flagged")
    func baseRateShift() throws {
        let w = try Workspace()
        defer { w.remove() }
        let file = try w.fit()
        // The same leads, but most lost deals now won.
        let shifted = w.root.appendingPathComponent("shifted")
        try FileManager.default.copyItem(at: w.data, to: shifted)
        var lines = try String(contentsOf: shifted.appendingPathComponent("outcomes.csv"), encoding: .utf8).components(separatedBy: "\r\n")
        for i in 1..<lines.count where i % 4 != 0 {
            for lost in ["closedlost", "closed-lost", "Closed Lost", "lost", "Lost", "false", "No", ",0,"] {
                lines[i] = lines[i].replacingOccurrences(of: lost == ",0," ? ",0," : ",\(lost),", with: ",won,")
            }
        }
        try lines.joined(separator: "\r\n").write(to: shifted.appendingPathComponent("outcomes.csv"), atomically: true, encoding: .utf8)
        let r = try runLeadcal(["evaluate", "--weights", file, shifted.path, "--json"])
        let rate = try json(r.stdout)["base_rate"] as! [String: Any]
        #expect(rate["shifted"] as? Bool == true)
        #expect((rate["observed_rate"] as! Double) > (rate["upper"] as! Double) - 0.2)
        let text = try runLeadcal(["evaluate", "--weights", file, shifted.path])
        #expect(text.stdout.contains("WARNING: base rate shifted: the model predicts"))
        // On its own data, it is not.
        let same = try json(try runLeadcal(["evaluate", "--weights", file, w.data.path, "--json"]).stdout)
        #expect((same["base_rate"] as! [String: Any])["shifted"] as? Bool == false)
    }

    @Test("backtest gives each month's half-life with its status")
    func backtestStatuses() throws {
        let w = try Workspace(leads: 3_000, seed: 5)
        defer { w.remove() }
        let r = try runLeadcal(["backtest", w.data.path, "--from", "2026-08-01", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let months = try json(r.stdout)["months"] as! [[String: Any]]
        #expect(!months.isEmpty)
        for m in months {
            let lives = m["half_lives"] as! [String: [String: Any]]
            #expect(Set(lives.keys) == ["context", "engagement", "history"])
            for (_, life) in lives {
                #expect(life["days"] is Double)
                #expect(HalfLifeStatus(rawValue: life["status"] as! String) != nil)
            }
        }
    }
}

@Suite("Tiny numbers are printed, not rounded to zero")
struct TinyWeightTests {
    @Test("a weight of order 1e-6 per unit shows its digits in the fit summary")
    func tinyWeight() throws {
        var leads = "lead_id,balance\n", outcomes = "lead_id,outcome,as_of\n"
        var state: UInt64 = 3
        func uniform() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) * 0x1.0p-53 }
        for i in 0..<400 {
            let balance = (uniform() * 1_000_000).rounded()
            let p = 1 / (1 + exp(-(-1 + 2e-6 * balance)))
            leads += "L\(i),\(Int(balance))\n"
            outcomes += "L\(i),\(uniform() < p ? "won" : "lost"),2026-04-01\n"
        }
        let data = try TestDataset(leads: leads, signals: "lead_id,signal,occurred_at\n", outcomes: outcomes,
                                   spec: "name: tiny\naxes:\n  fit:\n    attributes: {balance: numeric}\nl2: 0\n")
        defer { try? FileManager.default.removeItem(at: data.url) }
        let out = data.url.appendingPathComponent("weights").path
        let r = try runLeadcal(["fit", data.url.path, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("  balance") })
        let cells = line.split(separator: " ")
        #expect(cells[1].contains("e-06") && cells[2].contains("e-0"), "\(line)")
    }
}
