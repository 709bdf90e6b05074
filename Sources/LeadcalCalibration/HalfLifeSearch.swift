import Foundation

/// Bounded quasi-Newton minimisation of the profile objective over log
/// half-lives, its Hessian at the optimum, and profile-likelihood intervals.
///
/// The search is a projected BFGS method (Bertsekas 1982; Nocedal & Wright,
/// *Numerical Optimization*, 2nd ed., §6.1) on u = log h within
/// [log 0.5, log 3650]: coordinates at a bound with the gradient pushing
/// outwards are held, the step is projected onto the box, and its length is
/// chosen by a backtracking line search with quadratic interpolation (N&W
/// §3.5) under the Armijo condition. Each evaluation costs one feature pass
/// and a warm-started inner solve.
struct HalfLifeSearch {
    static let lower = log(0.5)
    static let upper = log(3650.0)
    /// Stop when the projected gradient is below this (log-likelihood per log-day)…
    var gradientTolerance = 1e-4
    /// …or when the predicted further decrease ½ gᵀH⁻¹g is below this (log-likelihood units).
    var decrementTolerance = 1e-6
    var maxIterations = 60

    typealias Objective = (_ u: [Double]) -> (f: Double, gradient: [Double])

    struct Result {
        var u: [Double]
        var f: Double
        var gradient: [Double]
        var inverseHessian: [Double]
        var iterations: Int
        var evaluations: Int
        var converged: Bool
    }

    /// Minimises `objective` over u, within the box, from `start`.
    /// - Parameter inverseHessian: an estimate to start from (for example from a subsample), else a scaled identity.
    func minimise(_ objective: Objective, start: [Double], inverseHessian initial: [Double]? = nil) -> Result {
        let d = start.count
        var u = start.map { min(max($0, Self.lower), Self.upper) }
        var (f, g) = objective(u)
        var evaluations = 1
        var hinv = initial ?? {
            var m = [Double](repeating: 0, count: d * d)
            let gmax = g.map(abs).max() ?? 0
            for i in 0..<d { m[i * d + i] = gmax > 0 ? 0.5 / gmax : 1 }
            return m
        }()
        var scaled = initial != nil
        var iterations = 0
        var converged = false
        func projected(_ u: [Double], _ g: [Double]) -> [Double] {
            (0..<d).map { i in
                if u[i] <= Self.lower && g[i] > 0 { return 0 }
                if u[i] >= Self.upper && g[i] < 0 { return 0 }
                return g[i]
            }
        }
        while iterations < maxIterations {
            let pg = projected(u, g)
            if (pg.map(abs).max() ?? 0) < gradientTolerance { converged = true; break }
            if scaled {
                var decrement = 0.0
                for i in 0..<d { for j in 0..<d { decrement += 0.5 * pg[i] * hinv[i * d + j] * pg[j] } }
                if decrement >= 0 && decrement < decrementTolerance { converged = true; break }
            }
            iterations += 1
            let held = (0..<d).map { pg[$0] == 0 }
            var direction = [Double](repeating: 0, count: d)
            for i in 0..<d where !held[i] {
                for j in 0..<d where !held[j] { direction[i] -= hinv[i * d + j] * g[j] }
            }
            var slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
            if slope >= 0 {
                // Not a descent direction: reset to scaled steepest descent.
                let scale = 0.5 / max(pg.map(abs).max()!, 1e-300)
                direction = pg.map { -$0 * scale }
                hinv = [Double](repeating: 0, count: d * d)
                for i in 0..<d { hinv[i * d + i] = scale }
                slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
            }
            // At most a factor e^1.5 ≈ 4.5 on any half-life per step.
            let longest = direction.map(abs).max() ?? 0
            if longest > 1.5 { direction = direction.map { $0 * 1.5 / longest }; slope *= 1.5 / longest }
            var t = 1.0
            var accepted = false
            var next = u, fNext = f, gNext = g
            for _ in 0..<30 {
                next = (0..<d).map { min(max(u[$0] + t * direction[$0], Self.lower), Self.upper) }
                let decrease = (0..<d).reduce(0.0) { $0 + g[$1] * (next[$1] - u[$1]) }
                (fNext, gNext) = objective(next)
                evaluations += 1
                if fNext.isFinite && fNext <= f + 1e-4 * decrease { accepted = true; break }
                // Minimiser of the quadratic through f(0), f'(0) = slope and f(t), kept in [0.1t, 0.5t].
                let curvature = fNext.isFinite ? fNext - f - slope * t : .infinity
                let tq = curvature > 0 ? -slope * t * t / (2 * curvature) : 0.5 * t
                t = min(max(tq, 0.1 * t), 0.5 * t)
            }
            if !accepted { break }
            let s = (0..<d).map { next[$0] - u[$0] }
            let yv = (0..<d).map { gNext[$0] - g[$0] }
            let sy = zip(s, yv).reduce(0) { $0 + $1.0 * $1.1 }
            if sy > 1e-12 {
                if !scaled {
                    // Nocedal & Wright (6.20): scale the initial estimate before the first update.
                    let yy = yv.reduce(0) { $0 + $1 * $1 }
                    for i in 0..<d { for j in 0..<d { hinv[i * d + j] = i == j ? sy / yy : 0 } }
                    scaled = true
                }
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
            let stalled = abs(f - fNext) <= 1e-14 * max(1, abs(f)) && (s.map(abs).max() ?? 0) < 1e-10
            u = next; f = fNext; g = gNext
            if stalled { converged = (projected(u, g).map(abs).max() ?? 0) < 1e-2; break }
        }
        return Result(u: u, f: f, gradient: g, inverseHessian: hinv, iterations: iterations, evaluations: evaluations, converged: converged)
    }

    /// The Hessian of F at `best.u` by forward differences of the exact
    /// gradient (d evaluations, step `h` in log-days), symmetrized. It only
    /// seeds the interval search, which then evaluates the profile itself.
    func hessian(_ objective: Objective, at best: Result, step h: Double = 1e-3) -> [Double] {
        let d = best.u.count
        var m = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var up = best.u
            up[j] += up[j] + h <= Self.upper ? h : -h
            let step = up[j] - best.u[j]
            let gu = objective(up).gradient
            for i in 0..<d { m[i * d + j] = (gu[i] - best.gradient[i]) / step }
        }
        for i in 0..<d { for j in 0..<i { let a = (m[i * d + j] + m[j * d + i]) / 2; m[i * d + j] = a; m[j * d + i] = a } }
        return m
    }

    /// The 95% profile-likelihood interval of coordinate `a`: the values of
    /// u_a where `min over the other coordinates of F` rises by `rise`
    /// (χ²₁(0.95)/2 = 1.92) above the minimum `best.f`.
    ///
    /// With H the Hessian at the optimum, each end starts at the quadratic
    /// prediction `Δ_a = ±√(2·rise·(H⁻¹)_aa)`, the other coordinates at
    /// `−H_bb⁻¹ H_ba Δ_a`. At every trial point the other coordinates are
    /// refitted by Newton steps `−H_bb⁻¹ g_b` until the predicted further
    /// decrease `½ g_bᵀ H_bb⁻¹ g_b` is below 10⁻³; then `Δ_a` is rescaled by
    /// √(rise / excess), exact for a quadratic profile, until the excess is
    /// within 0.02 of `rise` (an end known to 0.5% of the half-width). An end at the search box is returned flagged.
    func profileInterval(
        _ objective: Objective, best: Result, hessian: [Double], coordinate a: Int, rise: Double = 1.920729410347062
    ) -> (lower: Double, upper: Double, lowerOpen: Bool, upperOpen: Bool) {
        let d = best.u.count
        let others = (0..<d).filter { $0 != a }
        // H_bb⁻¹ and the conditional direction.
        let hbb = others.flatMap { i in others.map { j in hessian[i * d + j] } }
        let hbbInverse: [Double]? = others.isEmpty ? [] : Cholesky(upper: hbb, k: others.count)?.inverse()
        let hba = others.map { hessian[$0 * d + a] }
        var conditional = [Double](repeating: 0, count: others.count)   // du_b / du_a
        if let inv = hbbInverse {
            for (p, _) in others.enumerated() { for (q, _) in others.enumerated() { conditional[p] -= inv[p * others.count + q] * hba[q] } }
        }
        var schur = hessian[a * d + a]
        for (p, _) in others.enumerated() { schur += hba[p] * conditional[p] }
        let guess = schur > 0 ? (2 * rise / schur).squareRoot() : 0.5

        func side(_ sign: Double) -> (Double, Bool) {
            let bound = sign < 0 ? Self.lower : Self.upper
            let room = abs(bound - best.u[a])
            var delta = min(guess, room)
            var nuisance = others.enumerated().map { best.u[$0.element] + conditional[$0.offset] * sign * delta }
            for _ in 0..<10 {
                var u = best.u
                u[a] = best.u[a] + sign * delta
                var excess = 0.0
                for _ in 0..<6 {
                    for (p, b) in others.enumerated() { u[b] = min(max(nuisance[p], Self.lower), Self.upper) }
                    let (f, g) = objective(u)
                    excess = f - best.f
                    guard let inv = hbbInverse, !others.isEmpty else { break }
                    var step = [Double](repeating: 0, count: others.count)
                    var predicted = 0.0
                    for p in others.indices {
                        for q in others.indices { step[p] -= inv[p * others.count + q] * g[others[q]] }
                        predicted -= 0.5 * step[p] * g[others[p]]
                    }
                    if predicted < 1e-3 { excess -= max(predicted, 0); break }
                    for p in others.indices { nuisance[p] += step[p] }
                }
                if abs(excess - rise) < 0.02 { break }
                if excess < rise && delta >= room { return (bound, true) }
                let previous = delta
                delta = excess > 0 ? min(delta * (rise / excess).squareRoot(), previous * 3, room) : min(previous * 2, room)
                for p in others.indices { nuisance[p] += conditional[p] * sign * (delta - previous) }
            }
            return (best.u[a] + sign * delta, false)
        }
        let (lo, loOpen) = side(-1)
        let (hi, hiOpen) = side(1)
        return (lo, hi, loOpen, hiOpen)
    }
}
