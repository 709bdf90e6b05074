import Foundation
import LeadcalModel
import Testing
@testable import LeadcalCalibration
import LeadcalData
import LeadcalFeatures
import LeadcalSynth

/// A synthetic dataset with known truth, in a temporary folder.
func synthetic(leads: Int, seed: UInt64, l2: Double = 1.0) throws -> (Dataset, SyntheticTruth) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-cal-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: url) }
    var generator = SyntheticGenerator(leads: leads, seed: seed)
    generator.l2 = l2
    try generator.write(to: url)
    return (try Dataset.load(directory: url), generator.truth)
}

@Suite("Half-lives are fitted by profile likelihood")
struct HalfLifeTests {
    @Test("the envelope gradient equals the finite difference of the profile objective")
    func envelopeGradient() throws {
        let (dataset, _) = try synthetic(leads: 1_500, seed: 21)
        let spec = dataset.spec!
        let builder = try FeatureBuilder(dataset: dataset)
        let problem = PenalizedLogit(y: dataset.labels, l2: spec.l2)
        let active = Array(0..<builder.layout.count)
        let nonneg = Set(spec.nonnegative.compactMap { n in spec.axes.firstIndex { $0.name == n } })
        let constrained = [false] + active.map { j in j >= builder.layout.firstSignalColumn && nonneg.contains(builder.layout.features[j].axis) }
        let objective = ProfileObjective(
            builder: builder, problem: problem, spec: spec, halfLives: spec.axes.map { $0.halfLifeDays ?? 0 }, fittedAxes: [1, 2, 3],
            active: active, constrained: constrained,
            solver: NewtonSolver(tolerance: 1e-12))
        let u = [log(30.0), log(12.0), log(100.0)]
        let (_, gradient) = objective.value(u: u)
        let eps = 1e-5
        for a in 0..<3 {
            var up = u, down = u
            up[a] += eps
            down[a] -= eps
            let fd = (objective.value(u: up).f - objective.value(u: down).f) / (2 * eps)
            #expect(abs(fd - gradient[a]) <= 1e-4 * max(1, abs(gradient[a])), "axis \(a): finite difference \(fd), envelope \(gradient[a])")
        }
    }

    @Test("the true half-lives fall inside their 95% profile intervals")
    func recoversTruth() throws {
        let (dataset, truth) = try synthetic(leads: 6_000, seed: 4)
        let fit = try Calibration.fit(dataset: dataset)
        #expect(fit.statistics.converged)
        for axis in fit.axes {
            guard let life = axis.halfLife else { continue }
            let h = truth.halfLives[axis.name]!
            #expect(life.status == .estimated)
            let lower = try #require(life.interval?.lower), upper = try #require(life.interval?.upper)
            #expect(lower < h && h < upper, "\(axis.name): true \(h) outside [\(lower), \(upper)]")
            #expect(lower < life.days && life.days < upper)
        }
    }

    @Test("the estimates and their standard errors do not depend on whether the intervals are computed")
    func estimatesWithoutIntervals() throws {
        let (dataset, _) = try synthetic(leads: 2_000, seed: 8)
        var options = Calibration.Options()
        options.tolerance = 1e-12
        let with = try Calibration.fit(dataset: dataset, options: options)
        options.intervals = false
        let without = try Calibration.fit(dataset: dataset, options: options)
        for (a, b) in zip(with.axes, without.axes) {
            guard let x = a.halfLife, let y = b.halfLife else { continue }
            #expect(abs(x.days / y.days - 1) < 1e-9, "\(a.name): \(x.days) d with intervals, \(y.days) d without")
        }
        for (a, b) in zip(with.features, without.features) {
            #expect(abs(a.weight - b.weight) < 1e-8 * max(1, abs(a.weight)), "\(a.name): \(a.weight) against \(b.weight)")
            if let s = a.stdError, let t = b.stdError { #expect(abs(s / t - 1) < 1e-6, "\(a.name): SE \(s) against \(t)") }
        }
        #expect(abs(with.statistics.objective - without.statistics.objective) < 1e-9 * with.statistics.objective)
    }
}

@Suite("Fit diagnostics")
struct DiagnosticsTests {
    func dataset(leads: String, outcomes: String, spec: String) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-diag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        for (name, text) in ["leads.csv": leads, "outcomes.csv": outcomes, "model.yaml": spec, "signals.csv": "lead_id,signal,occurred_at\n"] {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try Dataset.load(directory: url)
    }

    /// 40 leads: x varies, an industry level, y alternating with noise.
    func rows(_ body: (Int) -> (String, Bool)) -> (String, String) {
        var leads = "lead_id,industry,x,x2,k\n", outcomes = "lead_id,outcome,as_of\n"
        for i in 0..<40 {
            let (industry, won) = body(i)
            let x = Double((i * 7) % 13)
            leads += "L\(i),\(industry),\(x),\(2 * x + 1),5\n"
            outcomes += "L\(i),\(won ? "won" : "lost"),2026-01-01\n"
        }
        return (leads, outcomes)
    }

    @Test func separationIsAnErrorThatNamesTheFeature() throws {
        let (leads, outcomes) = rows { i in (i < 6 ? "retail" : "software", i < 6 || i % 3 == 0) }
        let d = try dataset(leads: leads, outcomes: outcomes, spec: "name: s\naxes:\n  fit:\n    attributes: {industry: categorical, x: numeric}\nl2: 0\n")
        #expect {
            try Calibration.fit(dataset: d)
        } throws: { e in
            let m = (e as! CalibrationError).message
            return m.contains("industry=retail (all 6 leads with it were won)") && m.contains("set l2 > 0")
        }
        // With a ridge the same data fit.
        var ridge = d
        ridge.spec!.l2 = 1
        #expect(try Calibration.fit(dataset: ridge).statistics.converged)
    }

    @Test func oneClassIsAnError() throws {
        let (leads, outcomes) = rows { _ in ("software", false) }
        let d = try dataset(leads: leads, outcomes: outcomes, spec: "name: s\naxes:\n  fit:\n    attributes: {x: numeric}\nl2: 1\n")
        #expect {
            try Calibration.fit(dataset: d)
        } throws: { e in
            (e as! CalibrationError).message == "all 40 training leads are lost: a win probability cannot be fitted from one class"
        }
    }

    @Test func constantAndCollinearFeaturesAreReportedByName() throws {
        let (leads, outcomes) = rows { i in (i % 2 == 0 ? "retail" : "software", (i * 5) % 7 < 3) }
        let d = try dataset(leads: leads, outcomes: outcomes, spec: "name: s\naxes:\n  fit:\n    attributes: {x: numeric, x2: numeric, k: numeric}\nl2: 0\n")
        let fit = try Calibration.fit(dataset: d)
        let status = Dictionary(uniqueKeysWithValues: fit.features.map { ($0.name, $0.status) })
        let reason = Dictionary(uniqueKeysWithValues: fit.features.map { ($0.name, $0.reason) })
        #expect(status["k"] == .notEstimated && reason["k"] == .constant)
        #expect(status["x"] == .estimated || status["x2"] == .estimated)
        #expect([reason["x"], reason["x2"]].contains(.collinear))
        #expect(fit.warnings.contains { $0.contains("k is constant") })
        #expect(fit.warnings.contains { $0.contains("exactly collinear") })
    }
}
