import Foundation
import LeadcalData
import LeadcalFeatures
import LeadcalModel

/// F(u): the penalized objective minimised over (b0, w) with the half-lives
/// of the fitted axes at `h = exp(u)`, and its exact gradient in u.
///
/// By the envelope theorem the gradient is the partial derivative of the
/// objective at the inner optimum (data contract, "Notes for implementers"):
///
///     dF/du_a = Σ_{j∈a} [ w_j Σ_i (p_i − y_i) D_ij  +  l2 w_j² Σ_i (x_ij − mean_j) D_ij / n ]
///
/// with `D_ij = dx_ij / d log h_a` from the feature pass and w in original
/// units. Each evaluation costs one feature pass (with derivatives), one
/// matrix rebuild, and a warm-started Newton solve (typically 2–4 passes).
final class ProfileObjective {
    let builder: FeatureBuilder
    let problem: PenalizedLogit
    let spec: ModelSpec
    /// Axes whose half-life is fitted, in spec order.
    let fittedAxes: [Int]
    /// Current half-life (days) per spec axis (0 for axes without signals).
    private(set) var halfLives: [Double]
    /// Active layout features (columns 1… of the problem).
    let active: [Int]
    /// Per problem column: constrained to be ≥ 0.
    let constrained: [Bool]
    let solver: NewtonSolver
    private(set) var signals: [Double] = []
    private(set) var derivatives: [Double] = []
    /// The half-lives ``derivatives`` were computed at (nil: none yet).
    private(set) var derivativesAt: [Double]?
    /// Original-unit coefficients of the last solve (intercept, active weights): the next warm start.
    private(set) var intercept = 0.0
    private(set) var weights: [Double]
    private(set) var last: NewtonSolver.Result?
    private(set) var evaluations = 0
    /// Feature passes for second derivatives (``secondDerivatives()``).
    private(set) var curvaturePasses = 0
    private(set) var newtonIterations = 0
    var featureSeconds = 0.0
    var solverSeconds = 0.0
    /// Whether the problem holds this builder's attributes (set once, at the first solve).
    private var attributesSet = false

    init(
        builder: FeatureBuilder, problem: PenalizedLogit, spec: ModelSpec, halfLives: [Double], fittedAxes: [Int], active: [Int],
        constrained: [Bool], solver: NewtonSolver
    ) {
        self.builder = builder
        self.problem = problem
        self.spec = spec
        self.active = active
        self.constrained = constrained
        self.solver = solver
        self.fittedAxes = fittedAxes
        self.halfLives = halfLives
        weights = [Double](repeating: 0, count: active.count)
    }

    /// Sets the warm start (original units).
    func warmStart(intercept: Double, weights: [Double]) {
        self.intercept = intercept
        self.weights = weights
    }

    /// Recomputes the features at `halfLives` (per spec axis) and solves the inner problem.
    @discardableResult
    func solve(halfLives h: [Double], wantDerivatives: Bool) -> NewtonSolver.Result {
        let clock = ContinuousClock()
        let t0 = clock.now
        halfLives = h
        let n = builder.rowCount, ps = builder.layout.signalCount
        if wantDerivatives && derivatives.count != n * ps { derivatives = [Double](repeating: 0, count: n * ps) }
        if wantDerivatives {
            derivatives.withUnsafeMutableBufferPointer { d in
                builder.decayedSignals(halfLives: h, values: &signals, derivatives: d.baseAddress!)
            }
            derivativesAt = h
        } else {
            builder.decayedSignals(halfLives: h, values: &signals, derivatives: nil)
        }
        if !attributesSet {
            problem.setAttributes(builder.attributeValues, pa: builder.layout.firstSignalColumn)
            attributesSet = true
        }
        problem.load(signals: signals, ps: ps, active: active)
        let t1 = clock.now
        let start = problem.standardized(intercept: intercept, weights: weights)
        let result = solver.solve(problem, start: start, constrained: constrained)
        (intercept, weights) = problem.originalCoefficients(result.theta)
        last = result
        evaluations += 1
        newtonIterations += result.iterations
        let t2 = clock.now
        featureSeconds += (t1 - t0).seconds
        solverSeconds += (t2 - t1).seconds
        return result
    }

    /// `∂²x/∂(log h)²` of the signal columns at the current half-lives (n × ps,
    /// row-major), for the joint information: one feature pass, which also
    /// rewrites ``signals`` and ``derivatives`` with the same bits, unless the
    /// last call was at the same half-lives (the intervals' profile Hessian and
    /// the standard errors read the same optimum).
    func secondDerivatives() -> [Double] {
        let n = builder.rowCount, ps = builder.layout.signalCount
        precondition(derivativesAt == halfLives && derivatives.count == n * ps, "the last solve has no derivatives at the current half-lives")
        if secondAt == halfLives { return second }
        let clock = ContinuousClock()
        let t0 = clock.now
        defer { featureSeconds += (clock.now - t0).seconds; curvaturePasses += 1 }
        if second.count != n * ps { second = [Double](repeating: 0, count: n * ps) }
        derivatives.withUnsafeMutableBufferPointer { d in
            second.withUnsafeMutableBufferPointer { d2 in
                builder.decayedSignals(halfLives: halfLives, values: &signals, derivatives: d.baseAddress!, secondDerivatives: d2.baseAddress!)
            }
        }
        secondAt = halfLives
        return second
    }
    private var second: [Double] = []
    /// The half-lives ``second`` was computed at (nil: none yet).
    private var secondAt: [Double]?

    /// Half-lives per spec axis with the fitted axes at exp(u).
    func halfLives(u: [Double]) -> [Double] {
        var h = halfLives
        for (a, axis) in fittedAxes.enumerated() { h[axis] = exp(u[a]) }
        return h
    }

    /// F at u, without the gradient (a cheaper feature pass).
    func valueOnly(u: [Double]) -> Double {
        solve(halfLives: halfLives(u: u), wantDerivatives: false).evaluation.objective
    }

    /// F and dF/du at u (log half-lives of the fitted axes).
    func value(u: [Double]) -> (f: Double, gradient: [Double]) {
        let result = solve(halfLives: halfLives(u: u), wantDerivatives: true)
        let pa = builder.layout.firstSignalColumn, ps = builder.layout.signalCount
        let sums = problem.halfLifeSums(signals: signals, derivatives: derivatives, ps: ps, pa: pa)
        var gradient = [Double](repeating: 0, count: fittedAxes.count)
        let n = Double(builder.rowCount)
        for (c, j) in active.enumerated() where j >= pa {
            let s = j - pa
            guard let a = fittedAxes.firstIndex(of: builder.layout.signalAxis[s]) else { continue }
            let w = weights[c]
            gradient[a] += w * sums.residual[s] + problem.penaltySDFactor(feature: j, weight: w) * sums.centred[s] / n
        }
        return (result.evaluation.objective, gradient)
    }
}
