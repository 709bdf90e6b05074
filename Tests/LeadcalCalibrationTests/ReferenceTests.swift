import Foundation
import LeadcalModel
import Testing
@testable import LeadcalCalibration
import LeadcalData
import LeadcalFeatures

/// Reference datasets and expected values, produced by References/make_references.py.
enum Reference {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "References", withExtension: nil)!.appendingPathComponent(name)
    }
    static func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name).appendingPathComponent("expected.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(b), 1e-300)
    }
}

@Suite("Calibration agrees with independent implementations")
struct ReferenceTests {
    @Test("l2 = 0: Spector & Mazzeo's grade data, as statsmodels' Logit")
    func spectorMatchesStatsmodels() throws {
        let dataset = try Dataset.load(directory: Reference.url("spector"))
        let fit = try Calibration.fit(dataset: dataset)
        let expected = try Reference.expected("spector")
        let weights = expected["weights"] as! [String: Double]
        let errors = expected["std_errors"] as! [String: Double]
        // The published table (Greene): -13.021, 2.826, 0.095, 2.379.
        #expect(abs(fit.intercept - -13.021) < 5e-4)
        #expect(Reference.close(fit.intercept, expected["intercept"] as! Double, relative: 1e-6))
        #expect(Reference.close(fit.interceptStdError!, expected["intercept_se"] as! Double, relative: 1e-6))
        for f in fit.features {
            #expect(Reference.close(f.weight, weights[f.name]!, relative: 1e-6), "\(f.name): \(f.weight) vs \(weights[f.name]!)")
            #expect(Reference.close(f.stdError!, errors[f.name]!, relative: 1e-6), "\(f.name) SE")
        }
        #expect(Reference.close(fit.statistics.logLikelihood, expected["log_likelihood"] as! Double, relative: 1e-9))
        #expect(Reference.close(fit.statistics.nullLogLikelihood, expected["null_log_likelihood"] as! Double, relative: 1e-9))
        #expect(fit.statistics.converged)
    }

    @Test("l2 > 0 at fixed half-lives: scikit-learn's LogisticRegression on standardized features")
    func ridgeMatchesScikitLearn() throws {
        let dataset = try Dataset.load(directory: Reference.url("ridge"))
        let fit = try Calibration.fit(dataset: dataset)
        let expected = try Reference.expected("ridge")
        let weights = expected["weights"] as! [String: Double]
        #expect(fit.statistics.rows == expected["rows"] as! Int)
        #expect(fit.statistics.won == expected["won"] as! Int)
        #expect(Set(fit.features.map(\.name)) == Set(weights.keys))
        #expect(Reference.close(fit.intercept, expected["intercept"] as! Double, relative: 1e-6))
        for f in fit.features {
            let e = weights[f.name]!
            #expect(abs(f.weight - e) <= 1e-6 * max(1, abs(e)), "\(f.name): \(f.weight) vs \(e)")
        }
    }
}

@Suite("Deal value: weight_by: amount")
struct WeightedReferenceTests {
    @Test("weighted fits match scikit-learn's sample_weight, and their sandwich standard errors NumPy's H⁻¹MH⁻¹")
    func weightedMatchesScikitLearn() throws {
        // The ridge reference's leads and signals, with the weighted reference's outcomes (amounts) and spec.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-weighted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, source) in [("leads.csv", "ridge"), ("signals.csv", "ridge"), ("outcomes.csv", "weighted"), ("model.yaml", "weighted")] {
            try FileManager.default.copyItem(at: Reference.url(source).appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let dataset = try Dataset.load(directory: folder)
        #expect(dataset.spec?.weightBy == .amount && dataset.spec?.amountCap == 95)
        let fit = try Calibration.fit(dataset: dataset)
        let expected = try Reference.expected("weighted")
        let weights = expected["weights"] as! [String: Double], errors = expected["std_errors"] as! [String: Double]
        #expect(fit.statistics.rows == expected["rows"] as! Int)
        #expect(fit.standardErrors == .sandwich)
        #expect(fit.warnings.contains { $0.hasPrefix("weighted by deal value: amounts capped at their percentile 95") })
        #expect(Reference.close(fit.intercept, expected["intercept"] as! Double, relative: 1e-6))
        for f in fit.features {
            let e = weights[f.name]!, se = errors[f.name]!
            #expect(abs(f.weight - e) <= 1e-6 * max(1, abs(e)), "\(f.name): \(f.weight) vs \(e)")
            #expect(abs(f.stdError! / se - 1) <= 1e-6, "\(f.name): SE \(f.stdError!) vs \(se)")
        }
    }

    @Test("weight_by: amount without an amount column is a clear error")
    func needsAmounts() throws {
        var dataset = try Dataset.load(directory: Reference.url("ridge"))
        dataset.spec!.weightBy = .amount
        dataset.spec!.amountCap = 99
        #expect(throws: CalibrationError.self) { try Calibration.fit(dataset: dataset) }
    }
}

@Suite("Non-negativity is a constrained solve")
struct NonnegativityTests {
    /// The ridge reference data with the engagement and history weights constrained.
    func dataset(nonnegative: Bool) throws -> Dataset {
        var d = try Dataset.load(directory: Reference.url("ridge"))
        d.spec!.nonnegative = nonnegative ? ["context", "engagement", "history"] : []
        return d
    }

    @Test func constrainedOptimumSatisfiesKKT() throws {
        let free = try Calibration.fit(dataset: try dataset(nonnegative: false))
        let negative = free.features.filter { $0.kind == .signal && $0.weight < 0 }.map(\.name)
        #expect(!negative.isEmpty, "the reference data must have a negative unconstrained signal weight")

        let d = try dataset(nonnegative: true)
        let fit = try Calibration.fit(dataset: d)
        // The gradient of the contract's objective in original units, recomputed from the features:
        // ∂/∂w_j = Σ_i (p_i − y_i) x_ij + l2 sd_j² w_j.
        let builder = try FeatureBuilder(dataset: d)
        var signals: [Double] = []
        builder.decayedSignals(halfLives: fit.halfLives, values: &signals, derivatives: nil)
        let pa = builder.layout.firstSignalColumn, ps = builder.layout.signalCount
        let y = d.labels, p = fit.trainingProbabilities
        let n = Double(y.count)
        for (j, f) in fit.features.enumerated() where f.kind == .signal {
            let x = (0..<y.count).map { signals[$0 * ps + j - pa] }
            let mean = x.reduce(0, +) / n
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            var g = fit.statistics.l2 * variance * f.weight
            for i in 0..<y.count { g += (p[i] - y[i]) * x[i] }
            #expect(f.weight >= 0, "\(f.name) is negative")
            if f.status == .atBoundZero {
                #expect(f.weight == 0)
                #expect(g >= -1e-6, "\(f.name) at zero with gradient \(g) pushing it below zero")
            } else {
                #expect(abs(g) < 1e-5, "\(f.name) free with gradient \(g)")
            }
        }
        // Every weight that was negative unconstrained sits at zero now, and is reported so.
        for name in negative where !name.isEmpty {
            let f = fit.features.first { $0.name == name }!
            #expect(f.status == .atBoundZero || f.weight > 0)
        }
        #expect(fit.features.contains { $0.status == .atBoundZero })
        #expect(fit.objectiveIsAtLeast(free.statistics.objective))
    }
}

extension CalibrationResult {
    func objectiveIsAtLeast(_ unconstrained: Double) -> Bool { statistics.objective >= unconstrained - 1e-9 }
}
