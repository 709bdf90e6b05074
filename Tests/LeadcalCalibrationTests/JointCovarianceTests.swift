import Foundation
import LeadcalModel
import Testing
@testable import LeadcalCalibration
import LeadcalData
import LeadcalFeatures

/// The weights' intervals must carry the half-lives' uncertainty: a signal's
/// weight moves with its axis's half-life.
@Suite("Joint standard errors")
struct JointCovarianceTests {
    /// The full penalized objective of the data contract in (b0, w, log h):
    /// features recomputed at h, the ridge on sd_j(h)·w_j. No standardization,
    /// no profile, no envelope: an independent statement of what is minimised.
    struct FullObjective {
        let builder: FeatureBuilder
        let y: [Double]
        let l2: Double
        /// Layout features with a weight, in the fit's order.
        let features: [Int]
        /// Spec axes whose log half-life is a parameter.
        let axes: [Int]
        let halfLives: [Double]
        /// `prior: parent`: per entry of `features`, the parent's weight and the prior's precision (0: the plain ridge).
        var priorCenter: [Double] = []
        var priorPrecision: [Double] = []

        /// F at θ = (b0, w over `features`, u over `axes`).
        func value(_ theta: [Double]) -> Double {
            var h = halfLives
            for (q, a) in axes.enumerated() { h[a] = exp(theta[1 + features.count + q]) }
            var signals: [Double] = []
            builder.decayedSignals(halfLives: h, values: &signals, derivatives: nil)
            let pa = builder.layout.firstSignalColumn, ps = builder.layout.signalCount, n = builder.rowCount
            func x(_ i: Int, _ j: Int) -> Double { j < pa ? builder.attributeValues[i * pa + j] : signals[i * ps + j - pa] }
            var loss = 0.0
            for i in 0..<n {
                var eta = theta[0]
                for (c, j) in features.enumerated() { eta += theta[1 + c] * x(i, j) }
                loss += max(eta, 0) + log1p(exp(-abs(eta))) - y[i] * eta
            }
            var penalty = 0.0
            for (c, j) in features.enumerated() {
                if !priorPrecision.isEmpty && priorPrecision[c] > 0 {
                    // In weight units: no dependence on the feature's sd, hence on h.
                    let d = theta[1 + c] - priorCenter[c]
                    penalty += priorPrecision[c] / l2 * d * d
                    continue
                }
                let mean = (0..<n).reduce(0.0) { $0 + x($1, j) } / Double(n)
                let variance = (0..<n).reduce(0.0) { $0 + (x($1, j) - mean) * (x($1, j) - mean) } / Double(n)
                penalty += variance * theta[1 + c] * theta[1 + c]
            }
            return loss + 0.5 * l2 * penalty
        }

        /// Central second differences: ∂²F/∂θ_a∂θ_b with steps proportional to each coordinate's scale.
        func hessian(at theta: [Double], steps: [Double]) -> [Double] {
            let m = theta.count
            var out = [Double](repeating: 0, count: m * m)
            let f0 = value(theta)
            for a in 0..<m {
                for b in a..<m {
                    var v: Double
                    if a == b {
                        var up = theta, down = theta
                        up[a] += steps[a]; down[a] -= steps[a]
                        v = (value(up) - 2 * f0 + value(down)) / (steps[a] * steps[a])
                    } else {
                        var pp = theta, pm = theta, mp = theta, mm = theta
                        pp[a] += steps[a]; pp[b] += steps[b]
                        pm[a] += steps[a]; pm[b] -= steps[b]
                        mp[a] -= steps[a]; mp[b] += steps[b]
                        mm[a] -= steps[a]; mm[b] -= steps[b]
                        v = (value(pp) - value(pm) - value(mp) + value(mm)) / (4 * steps[a] * steps[b])
                    }
                    out[a * m + b] = v
                    out[b * m + a] = v
                }
            }
            return out
        }
    }

    /// A synthetic dataset whose spec has no sign constraints (so no weight sits at its bound).
    func unconstrained(leads: Int, seed: UInt64, l2: Double) throws -> Dataset {
        let (dataset, _) = try synthetic(leads: leads, seed: seed, l2: l2)
        var spec = dataset.spec!
        spec.nonnegative = []
        var d = dataset
        d.spec = spec
        return d
    }

    @Test("equal the inverse of a finite-difference Hessian of the full penalized objective in (b0, w, log h), with or without intervals",
          arguments: [(0.0, true), (1.0, true), (1.0, false)])
    func matchesFiniteDifferences(l2: Double, intervals: Bool) throws {
        let dataset = try unconstrained(leads: 1_500, seed: 23, l2: l2)
        var options = Calibration.Options()
        options.tolerance = 1e-12
        options.intervals = intervals
        let fit = try Calibration.fit(dataset: dataset, options: options)
        #expect(fit.standardErrors == .joint)
        let estimated = fit.features.indices.filter { fit.features[$0].status == .estimated }
        let axes = fit.spec.axes.indices.filter { fit.axes[$0].halfLife?.status == .estimated }
        #expect(axes.count == 3 && estimated.count == fit.features.count)
        let builder = FeatureBuilder(dataset: dataset, layout: fit.layout)
        let objective = FullObjective(builder: builder, y: dataset.labels, l2: l2, features: estimated, axes: axes, halfLives: fit.halfLives)
        let theta = [fit.intercept] + estimated.map { fit.features[$0].weight } + axes.map { log(fit.axes[$0].halfLife!.days) }
        // Steps of about 1e-3 standard errors' worth: 1e-3 of the conditional SE scale.
        let steps = [1e-3] + estimated.map { max(1e-4, 1e-3 * fit.features[$0].stdError!) } + axes.map { _ in 1e-3 }
        let m = theta.count
        let h = objective.hessian(at: theta, steps: steps)
        let inverse = try #require(Cholesky(upper: h, k: m)).inverse()
        #expect(abs(inverse[0].squareRoot() / fit.interceptStdError! - 1) < 1e-4, "intercept")
        for (c, j) in estimated.enumerated() {
            let reference = inverse[(1 + c) * m + 1 + c].squareRoot()
            let se = fit.features[j].stdError!
            #expect(abs(se / reference - 1) < 1e-4, "\(fit.features[j].name): joint \(se), finite differences \(reference)")
        }
    }

    @Test("the closed-form Hessian of the profile objective equals central differences of its exact gradient (which refit the weights)",
          arguments: [(0.0, false), (1.0, false), (1.0, true)])
    func profileHessianMatchesFiniteDifferences(l2: Double, constrained: Bool) throws {
        // Constrained: the synthetic spec's non-negative axes, with whatever weights the fit holds at zero.
        let dataset = constrained ? try synthetic(leads: 1_500, seed: 31, l2: l2).0 : try unconstrained(leads: 1_500, seed: 23, l2: l2)
        var options = Calibration.Options()
        options.tolerance = 1e-12
        options.intervals = false
        let run = try FitRun(dataset: dataset, rows: nil, options: options)
        try run.screen()
        run.searchHalfLives()
        let best = try #require(run.search)
        let d = run.fittedAxes.count
        #expect(d == 3)
        let closed = try #require(run.information(at: best, axes: run.fittedAxes).profileHessian())
        let differences = HalfLifeSearch().hessian({ run.objective.value(u: $0) }, at: best, step: 1e-4)
        for r in 0..<d {
            for q in 0..<d {
                let scale = (closed[r * d + r] * closed[q * d + q]).squareRoot()
                #expect(abs(closed[r * d + q] - differences[r * d + q]) < 1e-5 * scale,
                        "H[\(r),\(q)]: closed form \(closed[r * d + q]), differences \(differences[r * d + q])")
            }
        }
    }

    /// A fit of `dataset` with its ridge centred on a fit of another sample (`prior: parent`).
    func fitWithPrior(_ dataset: Dataset, strength: Double) throws -> (fit: CalibrationResult, prior: Calibration.Prior) {
        let parentData = try unconstrained(leads: 1_500, seed: 24, l2: 1)
        let parentFit = try Calibration.fit(dataset: parentData, options: { var o = Calibration.Options(); o.intervals = false; return o }())
        let parent = parentFit.weightsFile(version: "parent", parent: nil, createdAt: Date(), tool: "test", dataset: parentData, trainBefore: nil)
        var options = Calibration.Options()
        options.tolerance = 1e-12
        options.prior = Calibration.Prior(parent: parent, strength: strength)
        return (try Calibration.fit(dataset: dataset, options: options), options.prior!)
    }

    @Test("with prior: parent, minimise the full objective with the prior's penalty, and equal the inverse of its finite-difference Hessian")
    func priorMatchesFiniteDifferences() throws {
        let dataset = try unconstrained(leads: 1_500, seed: 23, l2: 1)
        let (fit, prior) = try fitWithPrior(dataset, strength: 0.5)
        #expect(fit.warnings.contains { $0.hasPrefix("prior: parent parent: 23 of 23 weights") })
        let estimated = fit.features.indices.filter { fit.features[$0].status == .estimated }
        let axes = fit.spec.axes.indices.filter { fit.axes[$0].halfLife?.status == .estimated }
        #expect(axes.count == 3 && estimated.count == fit.features.count)
        var objective = FullObjective(builder: FeatureBuilder(dataset: dataset, layout: fit.layout), y: dataset.labels, l2: 1,
                                      features: estimated, axes: axes, halfLives: fit.halfLives)
        objective.priorCenter = estimated.map { prior.weights[fit.features[$0].name]!.weight }
        objective.priorPrecision = estimated.map { j in 0.5 / pow(prior.weights[fit.features[j].name]!.stdError, 2) }
        let theta = [fit.intercept] + estimated.map { fit.features[$0].weight } + axes.map { log(fit.axes[$0].halfLife!.days) }
        let steps = [1e-3] + estimated.map { max(1e-4, 1e-3 * fit.features[$0].stdError!) } + axes.map { _ in 1e-3 }
        // The fit is the minimum: every central-difference slope of the full objective is ~0 (against the curvature's scale).
        let m = theta.count
        let h = objective.hessian(at: theta, steps: steps)
        for a in 0..<m {
            var up = theta, down = theta
            up[a] += steps[a]; down[a] -= steps[a]
            let slope = (objective.value(up) - objective.value(down)) / (2 * steps[a])
            #expect(abs(slope) / h[a * m + a].squareRoot() < 1e-3, "coordinate \(a): slope \(slope)")
        }
        let inverse = try #require(Cholesky(upper: h, k: m)).inverse()
        for (c, j) in estimated.enumerated() {
            let reference = inverse[(1 + c) * m + 1 + c].squareRoot()
            #expect(abs(fit.features[j].stdError! / reference - 1) < 1e-4, "\(fit.features[j].name)")
        }
    }

    @Test("a stronger prior keeps the weights nearer the parent's, and narrows their intervals")
    func priorStrength() throws {
        let dataset = try unconstrained(leads: 1_500, seed: 23, l2: 1)
        let (weak, prior) = try fitWithPrior(dataset, strength: 0.1)
        let (strong, _) = try fitWithPrior(dataset, strength: 1)
        func distance(_ f: CalibrationResult) -> Double {
            f.features.reduce(0.0) { d, x in
                let p = prior.weights[x.name]!
                return d + pow((x.weight - p.weight) / p.stdError, 2)
            }
        }
        #expect(distance(strong) < distance(weak))
        for (a, b) in zip(strong.features, weak.features) { #expect(a.stdError! < b.stdError!, "\(a.name)") }
    }

    @Test("at fixed half-lives equal the conditional standard errors exactly")
    func fixedHalfLives() throws {
        let (dataset, _) = try synthetic(leads: 1_500, seed: 23)
        var spec = dataset.spec!
        for a in spec.axes.indices { spec.axes[a].fitHalfLife = false }
        var d = dataset
        d.spec = spec
        var joint = Calibration.Options()
        joint.intervals = false
        var conditional = joint
        conditional.conditionalStandardErrors = true
        let a = try Calibration.fit(dataset: d, options: joint), b = try Calibration.fit(dataset: d, options: conditional)
        #expect(a.standardErrors == .joint && b.standardErrors == .conditional)
        #expect(a.features.map(\.stdError) == b.features.map(\.stdError))
        #expect(a.interceptStdError == b.interceptStdError)
    }

    @Test("are wider than the conditional ones for signal weights, and leave attributes nearly unchanged")
    func widerForSignals() throws {
        let (dataset, _) = try synthetic(leads: 3_000, seed: 29)
        var conditional = Calibration.Options()
        conditional.conditionalStandardErrors = true
        let joint = try Calibration.fit(dataset: dataset), fixed = try Calibration.fit(dataset: dataset, options: conditional)
        for (j, f) in joint.features.enumerated() where f.status == .estimated {
            let ratio = f.stdError! / fixed.features[j].stdError!
            #expect(ratio >= 1 - 1e-9, "\(f.name): joint SE narrower than conditional")
            if f.kind != .signal { #expect(ratio < 1.1, "\(f.name)") }
        }
        let widened = joint.features.indices.filter { j in
            joint.features[j].kind == .signal && joint.features[j].status == .estimated && joint.features[j].stdError! > 1.05 * fixed.features[j].stdError!
        }
        #expect(!widened.isEmpty)
    }
}
