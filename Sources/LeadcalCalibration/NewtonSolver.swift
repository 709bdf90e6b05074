import Foundation

/// Minimises the penalized logistic objective over θ at fixed features,
/// subject to θ_c ≥ 0 for the constrained columns.
///
/// Projected Newton with an active set (Bertsekas, "Projected Newton methods
/// for optimization problems with simple constraints", SIAM J. Control
/// Optim. 20(2), 1982): at each iteration the constrained columns sitting at
/// zero with a gradient pushing them below zero are held at zero; the Newton
/// step on the other columns comes from a Cholesky solve of their Hessian
/// block (`dpotrf`/`dpotrs`); the step is projected back onto θ ≥ 0 and
/// halved until the Armijo condition holds. Stops when the projected
/// gradient's norm relative to the objective falls below `tolerance`
/// (the KKT conditions: zero gradient on free columns, non-negative gradient
/// on bound ones) and the objective no longer moves.
/// Cost per iteration: one pass of ``PenalizedLogit/evaluate(_:hessian:)``
/// (n·k² flops) and a k³/3 factorization.
struct NewtonSolver {
    var tolerance = 1e-8
    var maxIterations = 100

    struct Result {
        var theta: [Double]
        var evaluation: PenalizedLogit.Evaluation
        var iterations: Int
        var converged: Bool
        /// Constrained columns held at zero at the solution.
        var atZero: [Bool]
        /// The free-block Hessian was singular somewhere (no unique optimum).
        var singular: Bool
        /// Largest |θ_c| (standardized units) seen: separation drives it up without bound.
        var largestStandardized: Double
    }

    /// Relative norm of the projected gradient: the KKT residual.
    static func kktResidual(theta: [Double], gradient g: [Double], constrained: [Bool], objective: Double) -> Double {
        var s = 0.0
        for c in g.indices {
            let bound = constrained[c] && theta[c] <= 0 && g[c] > 0
            if !bound { s += g[c] * g[c] }
        }
        return s.squareRoot() / max(1, abs(objective))
    }

    func solve(_ problem: PenalizedLogit, start: [Double], constrained: [Bool]) -> Result {
        let k = problem.k
        var theta = start
        for c in 0..<k where constrained[c] && theta[c] < 0 { theta[c] = 0 }
        var ev = problem.evaluate(theta, hessian: true)
        var singular = false
        var largest = theta.dropFirst().map(abs).max() ?? 0
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            let bound = (0..<k).map { constrained[$0] && theta[$0] <= 0 && ev.gradient[$0] > 0 }
            let residual = Self.kktResidual(theta: theta, gradient: ev.gradient, constrained: constrained, objective: ev.objective)
            if residual < tolerance { converged = true; break }
            iterations += 1

            // Newton direction on the free block.
            let free = (0..<k).filter { !bound[$0] }
            var block = [Double](repeating: 0, count: free.count * free.count)
            for (a, i) in free.enumerated() {
                for (b, j) in free.enumerated() where b >= a {
                    block[a * free.count + b] = ev.hessian[min(i, j) * k + max(i, j)]
                }
            }
            var factor = Cholesky(upper: block, k: free.count)
            if factor == nil {
                // Singular (exact collinearity at l2 = 0): a tiny Levenberg–Marquardt shift.
                singular = true
                var shift = 1e-10 * max(1, (0..<free.count).map { block[$0 * free.count + $0] }.max() ?? 1)
                while factor == nil && shift < 1e6 {
                    var shifted = block
                    for a in 0..<free.count { shifted[a * free.count + a] += shift }
                    factor = Cholesky(upper: shifted, k: free.count)
                    shift *= 100
                }
            }
            guard let cholesky = factor else { break }
            let step = cholesky.solve(free.map { -ev.gradient[$0] })
            var direction = [Double](repeating: 0, count: k)
            for (a, i) in free.enumerated() { direction[i] = step[a] }

            // Projected step-halving line search (Armijo).
            var t = 1.0
            var accepted = false
            for _ in 0..<40 {
                var trial = theta
                for c in 0..<k {
                    trial[c] += t * direction[c]
                    if constrained[c] && trial[c] < 0 { trial[c] = 0 }
                }
                var decrease = 0.0
                for c in 0..<k { decrease += ev.gradient[c] * (trial[c] - theta[c]) }
                let candidate = problem.evaluate(trial, hessian: true)
                // Near the optimum the predicted decrease falls below the rounding error of
                // a sum of n log-losses, and Armijo cannot be decided: there a step is
                // accepted when it reduces the KKT residual instead.
                let noise = 1e-13 * Double(problem.n).squareRoot() * max(1, abs(ev.objective))
                let armijo = candidate.objective <= ev.objective + 1e-4 * decrease
                let belowNoise = -decrease < noise
                    && Self.kktResidual(theta: trial, gradient: candidate.gradient, constrained: constrained, objective: candidate.objective) < residual
                if candidate.objective.isFinite && (armijo || belowNoise) {
                    let moved = abs(ev.objective - candidate.objective) <= 1e-15 * max(1, abs(ev.objective))
                    theta = trial
                    ev = candidate
                    accepted = true
                    largest = max(largest, theta.dropFirst().map(abs).max() ?? 0)
                    if moved && Self.kktResidual(theta: theta, gradient: ev.gradient, constrained: constrained, objective: ev.objective) < 1e-6 {
                        converged = true
                    }
                    break
                }
                t *= 0.5
            }
            if !accepted || converged {
                // No further decrease possible in floating point: converged if the KKT residual is small.
                converged = converged
                    || Self.kktResidual(theta: theta, gradient: ev.gradient, constrained: constrained, objective: ev.objective) < 1e-6
                if !accepted { break }
                if converged { break }
            }
        }
        let atZero = (0..<k).map { constrained[$0] && theta[$0] <= 0 && ev.gradient[$0] >= 0 }
        return Result(
            theta: theta, evaluation: ev, iterations: iterations, converged: converged, atZero: atZero,
            singular: singular, largestStandardized: largest)
    }
}
