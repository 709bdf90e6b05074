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

    /// The Hessian of F at `best.u` by central differences of the exact
    /// gradient (2d evaluations, step `h` in log-days; one-sided next to a
    /// bound), symmetrized. The fit takes the closed form
    /// (``JointCovariance/Information/profileHessian()``, no refit); this one
    /// seeds the interval search only when the inner Hessian is singular, and
    /// is the reference the closed form is tested against.
    func hessian(_ objective: Objective, at best: Result, step h: Double = 1e-3) -> [Double] {
        let d = best.u.count
        var m = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var up = best.u, down = best.u
            let room = (up: Self.upper - best.u[j], down: best.u[j] - Self.lower)
            if room.up >= h && room.down >= h {
                up[j] += h
                down[j] -= h
                let gu = objective(up).gradient, gd = objective(down).gradient
                for i in 0..<d { m[i * d + j] = (gu[i] - gd[i]) / (2 * h) }
            } else {
                up[j] += room.up >= h ? h : -h
                let step = up[j] - best.u[j]
                let gu = objective(up).gradient
                for i in 0..<d { m[i * d + j] = (gu[i] - best.gradient[i]) / step }
            }
        }
        for i in 0..<d { for j in 0..<i { let a = (m[i * d + j] + m[j * d + i]) / 2; m[i * d + j] = a; m[j * d + i] = a } }
        return m
    }

    /// The search grid for one coordinate: 14 points equally spaced in log h
    /// from 0.5 to 3650 days (a ratio of about 2 between neighbours).
    static let grid: [Double] = (0..<14).map { lower + (upper - lower) * Double($0) / 13 }

    /// A point of a coordinate scan that is a local minimum of its grid profile.
    struct Candidate {
        var axis: Int
        var u: [Double]
        var f: Double
    }

    /// Coordinate-wise scan: for each coordinate in turn, F on ``grid`` with
    /// the other coordinates at the best values found so far; the coordinate
    /// then takes its best grid value. Returns the best point and the other
    /// local minima of each coordinate's grid profile whose value lies within
    /// `margin` of that profile's minimum (the starting points a local search
    /// from the best point would never reach).
    ///
    /// Cost: 14 evaluations per coordinate, each a feature pass (no
    /// derivatives) and a warm-started inner solve.
    func scan(_ value: ([Double]) -> Double, start: [Double], margin: Double) -> (best: [Double], f: Double, candidates: [Candidate]) {
        var u = start.map { min(max($0, Self.lower), Self.upper) }
        var f = value(u)
        var candidates: [Candidate] = []
        for a in u.indices {
            var values: [Double] = []
            var trial = u
            for g in Self.grid {
                trial[a] = g
                values.append(value(trial))
            }
            let best = values.indices.min { values[$0] < values[$1] }!
            for k in values.indices where k != best {
                let left = k == 0 || values[k - 1] > values[k]
                let right = k == values.count - 1 || values[k + 1] > values[k]
                if left && right && values[k] - values[best] < margin {
                    var c = u
                    c[a] = Self.grid[k]
                    candidates.append(Candidate(axis: a, u: c, f: values[k]))
                }
            }
            if values[best] < f {
                u[a] = Self.grid[best]
                f = values[best]
            }
        }
        // Candidates found before a later coordinate moved take its new value.
        for k in candidates.indices {
            for b in u.indices where b != candidates[k].axis { candidates[k].u[b] = u[b] }
        }
        return (u, f, candidates)
    }

    /// The ends of a 95% profile-likelihood interval, in u; nil for an end the
    /// profile does not reach inside the search box (unbounded).
    struct Interval {
        var lower: Double?
        var upper: Double?
        /// A point whose F is below the optimum's: the optimum was not global.
        var better: (u: [Double], f: Double)?
        var evaluations: Int
    }

    /// The 95% profile-likelihood interval of coordinate `a`: the values of u_a
    /// where the profile `P(u_a) = min over the other coordinates of F` rises
    /// by `rise` (χ²₁(0.95)/2 = 1.92) above the minimum `best.f`.
    ///
    /// Each end is found on the profile itself. At every trial value of u_a
    /// the other coordinates are refitted: Newton steps `−H_bb⁻¹ g_b` on the
    /// exact gradient, halved when F does not decrease, until the predicted
    /// further decrease `½ g_bᵀ H_bb⁻¹ g_b` is below 10⁻³. The end is first
    /// bracketed, walking outwards from the quadratic model's prediction
    /// (`Δ = √(2·rise / S)`, S the Schur complement of H in its a-th entry)
    /// until the excess `P − best.f` reaches `rise`, or the search box is hit
    /// (then the end is unbounded); then solved by regula falsi on `√excess`,
    /// nearly linear in u_a, until the excess is within 0.02 of `rise`. The
    /// quadratic model only proposes trial points; no end is extrapolated.
    ///
    /// Cost: per end, about 3 to 6 trial values of 1 to 4 evaluations each.
    func profileInterval(
        _ objective: Objective, best: Result, hessian: [Double], coordinate a: Int, rise: Double = 1.920729410347062
    ) -> Interval {
        let d = best.u.count
        let others = (0..<d).filter { $0 != a }
        let m = others.count
        // H_bb⁻¹ (a positive diagonal if H_bb is not positive definite) and the conditional direction.
        let hbb = others.flatMap { i in others.map { j in hessian[i * d + j] } }
        var hbbInverse = m == 0 ? [] : Cholesky(upper: hbb, k: m)?.inverse() ?? []
        if m > 0 && hbbInverse.isEmpty {
            hbbInverse = [Double](repeating: 0, count: m * m)
            for p in 0..<m { hbbInverse[p * m + p] = 1 / max(abs(hbb[p * m + p]), 1) }
        }
        let hba = others.map { hessian[$0 * d + a] }
        var conditional = [Double](repeating: 0, count: m)   // du_b / du_a along the quadratic model's valley
        for p in 0..<m { for q in 0..<m { conditional[p] -= hbbInverse[p * m + q] * hba[q] } }
        var schur = hessian[a * d + a]
        for p in 0..<m { schur += hba[p] * conditional[p] }
        let guess = schur > 1e-8 ? (2 * rise / schur).squareRoot() : 0.5
        var evaluations = 0
        var lowest: (u: [Double], f: Double) = (best.u, best.f)

        func clamp(_ x: Double) -> Double { min(max(x, Self.lower), Self.upper) }

        /// Excess of the profile at u_a = best + sign·t, and the refitted other coordinates.
        func profile(_ t: Double, _ sign: Double, from start: [Double]) -> (excess: Double, nuisance: [Double]) {
            var u = best.u
            u[a] = clamp(best.u[a] + sign * t)
            var nuisance = start.map(clamp)
            var here: (f: Double, nuisance: [Double], g: [Double]) = (.infinity, nuisance, [])
            var scale = 1.0
            for _ in 0..<16 {
                for (p, b) in others.enumerated() { u[b] = nuisance[p] }
                let (f, g) = objective(u)
                evaluations += 1
                if f < lowest.f { lowest = (u, f) }
                if f < here.f {
                    here = (f, nuisance, g)
                    scale = 1
                } else {
                    scale *= 0.5
                    if scale < 1.0 / 64 { break }
                }
                if m == 0 { break }
                var step = [Double](repeating: 0, count: m)
                var predicted = 0.0
                for p in 0..<m {
                    for q in 0..<m { step[p] -= hbbInverse[p * m + q] * here.g[others[q]] }
                    // A coordinate at its bound that the step pushes outward stays there.
                    let at = here.nuisance[p]
                    if (at <= Self.lower && step[p] < 0) || (at >= Self.upper && step[p] > 0) { step[p] = 0 }
                }
                for p in 0..<m { predicted -= 0.5 * step[p] * here.g[others[p]] }
                if scale == 1 && predicted < 1e-3 { return (here.f - best.f - max(predicted, 0), here.nuisance) }
                nuisance = (0..<m).map { clamp(here.nuisance[$0] + scale * step[$0]) }
            }
            return (here.f - best.f, here.nuisance)
        }

        func end(_ sign: Double) -> Double? {
            let room = sign < 0 ? best.u[a] - Self.lower : Self.upper - best.u[a]
            if room < 1e-9 { return nil }
            let center = others.map { best.u[$0] }
            func start(_ from: (t: Double, nuisance: [Double]), to t: Double) -> [Double] {
                (0..<m).map { from.nuisance[$0] + conditional[$0] * sign * (t - from.t) }
            }
            var lo: (t: Double, e: Double, nuisance: [Double]) = (0, 0, center)
            var hi: (t: Double, e: Double, nuisance: [Double])? = nil
            var t = min(guess, room)
            // Bracket: walk outwards until the excess reaches `rise`, or the box ends. Each step
            // aims at the end a quadratic profile through the last trial would have (an end
            // within the tolerance is taken at once), then overshoots a little more each time.
            var overshoot = 1.0
            for _ in 0..<30 {
                let (e, nuisance) = profile(t, sign, from: start((lo.t, lo.nuisance), to: t))
                if abs(e - rise) < 0.02 { return best.u[a] + sign * t }
                if e >= rise { hi = (t, e, nuisance); break }
                lo = (t, e, nuisance)
                if t >= room { return nil }
                let grow = e > 1e-6 ? (rise / e).squareRoot() * overshoot : 3
                overshoot *= 1.1
                t = min(room, t * min(max(grow, 1.05), 4))
            }
            guard var upper = hi else { return nil }
            // Solve: regula falsi on √excess (Illinois), which is nearly linear in u_a.
            let target = rise.squareRoot()
            var retainedLow = 0, retainedHigh = 0
            for _ in 0..<30 {
                if abs(upper.e - rise) < 0.02 { return best.u[a] + sign * upper.t }
                if abs(lo.e - rise) < 0.02 { return best.u[a] + sign * lo.t }
                if upper.t - lo.t < 1e-5 { return best.u[a] + sign * (lo.t + upper.t) / 2 }
                var rl = max(lo.e, 0).squareRoot() - target, rh = upper.e.squareRoot() - target
                if retainedLow >= 2 { rh /= 2 }
                if retainedHigh >= 2 { rl /= 2 }
                let w = upper.t - lo.t
                let guessT = rh - rl > 1e-12 ? lo.t + w * (-rl) / (rh - rl) : lo.t + w / 2
                let next = min(max(guessT, lo.t + 0.02 * w), upper.t - 0.02 * w)
                let (e, nuisance) = profile(next, sign, from: start((lo.t, lo.nuisance), to: next))
                if e >= rise {
                    upper = (next, e, nuisance); retainedLow += 1; retainedHigh = 0
                } else {
                    lo = (next, e, nuisance); retainedHigh += 1; retainedLow = 0
                }
            }
            return best.u[a] + sign * upper.t
        }
        let lowerEnd = end(-1)
        let upperEnd = end(1)
        let better = lowest.f < best.f - 1e-3 ? lowest : nil
        return Interval(lower: lowerEnd, upper: upperEnd, better: better, evaluations: evaluations)
    }
}
