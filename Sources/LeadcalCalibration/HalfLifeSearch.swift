import Foundation

/// Bounded quasi-Newton minimisation of the profile objective over log
/// half-lives, and profile-likelihood intervals.
///
/// The search is a projected BFGS method (Bertsekas 1982; Nocedal & Wright,
/// *Numerical Optimization*, 2nd ed., §6.1) on u = log h within
/// [log 0.5, log 3650]: coordinates at a bound with the gradient pushing
/// outwards are held, the step is projected onto the box and halved until the
/// Armijo condition holds, and the inverse-Hessian estimate is updated when
/// the curvature condition sᵀy > 0 holds. Each evaluation costs one feature
/// pass and a warm-started inner solve.
struct HalfLifeSearch {
    static let lower = log(0.5)
    static let upper = log(3650.0)
    var gradientTolerance = 1e-5
    var maxIterations = 60

    struct Result {
        var u: [Double]
        var f: Double
        var gradient: [Double]
        var inverseHessian: [Double]
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `objective` over the coordinates of u not in `fixed`, starting from `start`.
    func minimise(_ objective: (_ u: [Double]) -> (f: Double, gradient: [Double]), start: [Double], fixed: Set<Int> = []) -> Result {
        let d = start.count
        var u = start.map { min(max($0, Self.lower), Self.upper) }
        var (f, g) = objective(u)
        for i in fixed { g[i] = 0 }
        // Initial inverse Hessian: a scaled identity giving a first step of at most 0.5 in log h.
        let gmax = g.map(abs).max() ?? 0
        var hinv = [Double](repeating: 0, count: d * d)
        for i in 0..<d where !fixed.contains(i) { hinv[i * d + i] = gmax > 0 ? 0.5 / gmax : 1 }
        var iterations = 0
        var converged = false
        func projectedGradient(_ u: [Double], _ g: [Double]) -> [Double] {
            (0..<d).map { i in
                if fixed.contains(i) { return 0 }
                if u[i] <= Self.lower && g[i] > 0 { return 0 }
                if u[i] >= Self.upper && g[i] < 0 { return 0 }
                return g[i]
            }
        }
        while iterations < maxIterations {
            let pg = projectedGradient(u, g)
            if (pg.map(abs).max() ?? 0) < gradientTolerance { converged = true; break }
            iterations += 1
            let held = (0..<d).map { pg[$0] == 0 }
            var direction = [Double](repeating: 0, count: d)
            for i in 0..<d where !held[i] {
                for j in 0..<d where !held[j] { direction[i] -= hinv[i * d + j] * g[j] }
            }
            var slope = 0.0
            for i in 0..<d { slope += direction[i] * g[i] }
            if slope >= 0 {
                // Not a descent direction: reset to scaled steepest descent.
                let scale = 0.5 / max(pg.map(abs).max()!, 1e-300)
                direction = pg.map { -$0 * scale }
                for i in 0..<d { hinv[i * d + i] = held[i] ? 0 : scale; for j in 0..<d where j != i { hinv[i * d + j] = 0 } }
            }
            // At most a factor e^1.5 ≈ 4.5 on any half-life per step.
            let longest = direction.map(abs).max() ?? 0
            if longest > 1.5 { direction = direction.map { $0 * 1.5 / longest } }
            var t = 1.0
            var accepted = false
            var next = u, fNext = f, gNext = g
            for _ in 0..<30 {
                next = (0..<d).map { min(max(u[$0] + t * direction[$0], Self.lower), Self.upper) }
                var decrease = 0.0
                for i in 0..<d { decrease += g[i] * (next[i] - u[i]) }
                (fNext, gNext) = objective(next)
                for i in fixed { gNext[i] = 0 }
                if fNext.isFinite && fNext <= f + 1e-4 * decrease { accepted = true; break }
                t *= 0.5
            }
            if !accepted { break }
            let s = (0..<d).map { next[$0] - u[$0] }
            let yv = (0..<d).map { gNext[$0] - g[$0] }
            let sy = zip(s, yv).reduce(0) { $0 + $1.0 * $1.1 }
            if sy > 1e-12 {
                // BFGS inverse update: H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ.
                let rho = 1 / sy
                var hy = [Double](repeating: 0, count: d)
                for i in 0..<d { for j in 0..<d { hy[i] += hinv[i * d + j] * yv[j] } }
                let yhy = zip(yv, hy).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<d {
                    for j in 0..<d {
                        hinv[i * d + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
            }
            let small = abs(f - fNext) <= 1e-13 * max(1, abs(f)) && (s.map(abs).max() ?? 0) < 1e-9
            u = next; f = fNext; g = gNext
            if small { converged = (projectedGradient(u, g).map(abs).max() ?? 0) < 1e-3; break }
        }
        return Result(u: u, f: f, gradient: g, inverseHessian: hinv, iterations: iterations, converged: converged)
    }

    /// The 95% profile-likelihood interval of coordinate `a`: the values of
    /// u_a where `min over the other coordinates of F` rises by `rise`
    /// (χ²₁(0.95)/2 = 1.92) above the minimum `best.f`. Each side is found
    /// by a secant iteration on √(F − F_min) (linear in u_a for a quadratic
    /// profile), starting from the quadratic estimate of the BFGS inverse
    /// Hessian. Returns (lower, upper) in u; an end stuck at the search box is
    /// returned as the box bound and flagged.
    func profileInterval(
        _ objective: (_ u: [Double]) -> (f: Double, gradient: [Double]), best: Result, coordinate a: Int, rise: Double = 1.920729410347062
    ) -> (lower: Double, upper: Double, lowerOpen: Bool, upperOpen: Bool, evaluations: Int) {
        let d = best.u.count
        var evaluations = 0
        let target = rise.squareRoot()
        let curvature = best.inverseHessian[a * d + a]
        let guess = curvature > 0 ? (2 * rise * curvature).squareRoot() : 0.3
        func excess(_ v: Double, from start: [Double]) -> (Double, [Double]) {
            var u = start
            u[a] = v
            evaluations += 1
            if d == 1 { return (objective(u).f - best.f, u) }
            let r = minimise(objective, start: u, fixed: [a])
            return (r.f - best.f, r.u)
        }
        func side(_ sign: Double) -> (Double, Bool) {
            let bound = sign < 0 ? Self.lower : Self.upper
            var x0 = 0.0, s0 = -target                    // at the optimum √excess − target = −target
            var x1 = min(max(guess, 1e-3), 3.0)
            var nuisance = best.u
            var (e1, u1) = excess(best.u[a] + sign * x1, from: nuisance)
            nuisance = u1
            var s1 = max(e1, 0).squareRoot() - target
            for _ in 0..<12 {
                if abs(e1 - rise) < 0.01 { break }
                let atBound = (best.u[a] + sign * x1 - bound) * sign >= 0
                if atBound && s1 < 0 { return (bound, true) }
                var x2 = s1 != s0 ? x1 - s1 * (x1 - x0) / (s1 - s0) : x1 * 2
                if !(x2 > 0) || !x2.isFinite { x2 = x1 * 2 }
                x2 = min(x2, x1 * 4, abs(bound - best.u[a]))
                x0 = x1; s0 = s1
                x1 = x2
                (e1, u1) = excess(best.u[a] + sign * x1, from: nuisance)
                nuisance = u1
                s1 = max(e1, 0).squareRoot() - target
            }
            return (best.u[a] + sign * x1, false)
        }
        let (lo, loOpen) = side(-1)
        let (hi, hiOpen) = side(1)
        // Leave the objective at the optimum for the caller.
        _ = objective(best.u)
        return (lo, hi, loOpen, hiOpen, evaluations)
    }
}
