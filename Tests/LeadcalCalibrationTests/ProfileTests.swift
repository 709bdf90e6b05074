import Foundation
import LeadcalModel
import Testing
@testable import LeadcalCalibration
import LeadcalData

/// The half-life search and its intervals against an independent profile
/// likelihood (statsmodels at fixed half-lives, the other half-life refitted
/// by scipy), on datasets drawn by References/make_profiles.py.
@Suite("Half-life intervals come from the profile itself")
struct ProfileTests {
    static func fit(_ name: String) throws -> (CalibrationResult, [String: Any]) {
        (try Calibration.fit(dataset: try Dataset.load(directory: Reference.url(name))), try Reference.expected(name))
    }

    @Test("estimates and both interval ends equal the independent profile's (ends to 1%)")
    func endsMatchTheIndependentProfile() throws {
        let (fit, expected) = try Self.fit("profile")
        for axis in fit.axes {
            guard let life = axis.halfLife else { continue }
            let reference = expected[axis.name] as! [String: Any]
            let ends = reference["interval"] as! [Double]
            #expect(life.status == .estimated)
            #expect(Reference.close(life.days, reference["half_life"] as! Double, relative: 1e-3), "\(axis.name): \(life.days)")
            let lower = try #require(life.interval?.lower), upper = try #require(life.interval?.upper)
            #expect(Reference.close(lower, ends[0], relative: 0.01), "\(axis.name) lower end \(lower) vs \(ends[0])")
            #expect(Reference.close(upper, ends[1], relative: 0.01), "\(axis.name) upper end \(upper) vs \(ends[1])")
        }
        let best = (expected["engagement"] as! [String: Any])["log_likelihood"] as! Double
        #expect(abs(fit.statistics.logLikelihood - best) < 1e-6)
        #expect(fit.warnings.isEmpty, "\(fit.warnings)")
    }

    @Test("a signal with no effect: both ends unbounded, the half-life not identified, said everywhere")
    func noEffectIsNotIdentified() throws {
        let (fit, expected) = try Self.fit("flat")
        #expect(((expected["noise"] as! [String: Any])["interval"] as! [Any]).allSatisfy { $0 is NSNull })
        let life = try #require(fit.axes.first { $0.name == "noise" }?.halfLife)
        #expect(life.status == .notIdentified)
        #expect(life.interval == HalfLifeInterval(lower: nil, upper: nil))
        #expect(fit.warnings.contains { $0.hasPrefix("the noise half-life is not identified by these data") })
        #expect(!fit.warnings.contains { $0.hasPrefix("multimodal") }, "the status says it; no multimodal warning on top")
        // The weights file writes both ends as null and the status beside the value.
        let dataset = try Dataset.load(directory: Reference.url("flat"))
        var file = fit.weightsFile(version: "t", parent: nil, createdAt: Date(timeIntervalSince1970: 0), tool: "test", dataset: dataset, trainBefore: nil)
        file.tiers = [.init(name: "all", minProbability: 0, rule: "rest")]
        file.metrics = .init(training: .init(rows: 1, won: 0, logLoss: 0.5, brier: 0.2))
        let json = String(decoding: try WeightsStore.encode(file), as: UTF8.self)
        #expect(json.contains("\"interval\" : [\n          null,\n          null\n        ]"))
        #expect(json.contains("\"status\" : \"not_identified\""))
        #expect(try WeightsStore.decode(try WeightsStore.encode(file), name: "t").axes[1].halfLife == life)
    }

    @Test("two local optima: the global one is found from a start near the other, and both are named")
    func multimodalProfile() throws {
        let (fit, expected) = try Self.fit("bimodal")
        let maxima = (expected["engagement"] as! [String: Any])["maxima"] as! [[String: Double]]
        #expect(maxima.count == 2 && maxima[0]["log_likelihood"]! - maxima[1]["log_likelihood"]! < 1.92)
        #expect(fit.spec.axes[1].halfLifeDays == 8, "the search starts near the worse optimum")
        let axis = fit.axes[1]
        let life = try #require(axis.halfLife)
        #expect(Reference.close(life.days, maxima[0]["half_life"]!, relative: 0.01), "global optimum \(life.days)")
        #expect(abs(fit.statistics.logLikelihood - maxima[0]["log_likelihood"]!) < 1e-6)
        let second = try #require(axis.secondOptimumDays)
        #expect(Reference.close(second, maxima[1]["half_life"]!, relative: 0.02), "second optimum \(second)")
        let warning = try #require(fit.warnings.first { $0.hasPrefix("multimodal profile") })
        #expect(warning.contains("engagement \(String(format: "%.2f", second)) d") && warning.contains("engagement \(String(format: "%.1f", life.days)) d"))
        #expect(warning.contains(String(format: "%.2f below the best", maxima[0]["log_likelihood"]! - maxima[1]["log_likelihood"]!)))
    }

    @Test("a profile highest at the search bound: at_bound, the open end unbounded, the other end the profile's")
    func atTheBound() throws {
        let (fit, expected) = try Self.fit("bound")
        let reference = expected["history"] as! [String: Any]
        let ends = reference["interval"] as! [Any]
        #expect(ends[1] is NSNull)
        let life = try #require(fit.axes[1].halfLife)
        #expect(life.status == .atBound)
        #expect(life.days == HalfLife.searchRange.upperBound)
        #expect(life.interval?.upper == nil)
        #expect(Reference.close(try #require(life.interval?.lower), ends[0] as! Double, relative: 0.01))
        #expect(fit.warnings.contains { $0.hasPrefix("the history half-life is at the end of the search range") })
    }

    @Test("an axis without training events keeps its starting value (no_signal); a held one is fixed")
    func noSignalAndFixed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        var leads = "lead_id,segment\n", signals = "lead_id,signal,occurred_at\n", outcomes = "lead_id,outcome,as_of\n"
        for i in 0..<200 {
            leads += "L\(i),\(i % 3 == 0 ? "a" : "b")\n"
            for k in 0..<(i % 4) { signals += "L\(i),open,2026-03-\(10 + k)\n" }
            if i % 5 == 0 { signals += "L\(i),funding,2026-02-01\n" }
            outcomes += "L\(i),\((i * 7) % 11 < 4 + i % 4 ? "won" : "lost"),2026-04-01\n"
        }
        let spec = """
            name: status
            axes:
              fit: {attributes: {segment: categorical}}
              engagement: {signals: [open], half_life_days: 14, fit_half_life: true}
              history: {signals: [meeting], half_life_days: 90, fit_half_life: true}
              context: {signals: [funding], half_life_days: 60, fit_half_life: false}
            l2: 1
            """
        for (name, text) in ["leads.csv": leads, "signals.csv": signals, "outcomes.csv": outcomes, "model.yaml": spec] {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let fit = try Calibration.fit(dataset: try Dataset.load(directory: url))
        let status = Dictionary(uniqueKeysWithValues: fit.axes.compactMap { a in a.halfLife.map { (a.name, $0) } })
        #expect(status["history"]?.status == .noSignal)
        #expect(status["history"]?.days == 90 && status["history"]?.interval == nil)
        #expect(status["context"]?.status == .fixed && status["context"]?.days == 60)
        #expect(status["engagement"].map { $0.status != .noSignal && $0.status != .fixed } == true)
        let meeting = try #require(fit.features.first { $0.name == "meeting" })
        #expect(meeting.status == .notEstimated && meeting.reason == .constant && meeting.weight == 0)
        #expect(fit.warnings.contains("no training lead has a history event before its as_of: the history weights are not estimated and its half-life is the spec's starting value (90.0 d), not fitted"))
    }
}
