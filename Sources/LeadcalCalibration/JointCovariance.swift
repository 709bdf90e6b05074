import Foundation
import LeadcalFeatures

/// The observed information of the penalized likelihood in (b0, w, u),
/// u = log h of the fitted half-lives, at the optimum, in closed form; and
/// from it the covariance of the intercept and weights that carries the
/// uncertainty of the half-lives, and the Hessian of the profile objective.
///
/// Let F(b0, w, u) be the penalized objective of the data contract and
/// ψ = A·(b0, w) the standardized coefficients at the optimum (A fixed:
/// ψ0 = b0 + Σ m_j w_j, ψ_j = sd_j w_j). With p_i the fitted probabilities,
/// D = ∂x/∂u and D₂ = ∂²x/∂u² from the feature pass
/// (``FeatureBuilder/decayedSignals(halfLives:values:derivatives:secondDerivatives:)``),
/// `g_ia = Σ_{j∈a} w_j D_ij` and `h_ia = Σ_{j∈a} w_j D₂_ij`, the Hessian of F
/// in (ψ, u) has three blocks:
///
/// - `H_ψψ`, the solver's standardized Hessian `ZᵀWZ + l2·I₋₀` (the IRLS
///   pass already made);
/// - `H_ψu`, column a: `Zᵀ(W·g_a) + e_a / sd`, where for a signal j of axis a
///   `e_aj = Σ_i (p_i − y_i) D_ij + l2·w_j·(2/n)·Σ_i (x_ij − m_j) D_ij`
///   (the residual term, and the ridge's sd² moving with h); one `dgemv` per axis;
/// - `H_uu`: `Σ_i W_i g_ia g_ib`, plus on the diagonal
///   `Σ_i (p_i − y_i) h_ia + Σ_{j∈a} (l2 w_j² / n) Σ_i [(D_ij − D̄_j)² + (x_ij − m_j) D₂_ij]`
///   (the second derivative of the ridge's `(l2/2) sd_j² w_j²`; an axis's
///   features move with its own half-life only).
///
/// The Hessian of the profile objective `P(u) = min_{b0,w} F` is the Schur
/// complement `H_P = H_uu − H_uψ H_ψψ⁻¹ H_ψu` (implicit function theorem): it
/// seeds the interval search, with no refit. The joint matrix is factored
/// and inverted once (LAPACK `dpotrf`/`dpotri`); its ψψ block, mapped back
/// by A⁻¹, is the covariance of (b0, w). Weights at their zero bound and
/// half-lives that are not plain estimates (fixed, at a bound, not
/// identified) are held fixed, as in the conditional covariance; with no
/// half-life estimated the result is that covariance.
///
/// Reference: the observed-information covariance of a profiled model
/// (Pawitan, *In All Likelihood*, 2001, §9.7; Nocedal & Wright §A.2 for the
/// block inverse). Checked against the inverse of a finite-difference
/// Hessian of the full objective, and the profile Hessian against finite
/// differences of the profile's exact gradient (`JointCovarianceTests`).
/// Cost: one feature pass with second derivatives (by the caller), one pass
/// over the n × ps derivatives, one `dgemv` over the n × k matrix per axis,
/// O((k + d)³) for the inverse. Unweighted likelihood only: a deal-value
/// weighted fit reports sandwich errors and no profile intervals.
enum JointCovariance {
    struct Inputs {
        let problem: PenalizedLogit
        /// Upper triangle of `ZᵀWZ + l2·I₋₀` at the optimum (k × k).
        let hessian: [Double]
        /// Problem columns held at zero.
        let atZero: [Bool]
        /// Original-unit weights of the active columns.
        let weights: [Double]
        /// Signal values, their first and second derivatives in log h (n × ps each, row-major).
        let signals: [Double], derivatives: [Double], secondDerivatives: [Double]
        let layout: FeatureLayout
        /// Spec axes whose log half-life is a coordinate.
        let axes: [Int]
    }

    /// The three blocks at the optimum, over the free columns.
    struct Information {
        /// Problem columns not held at zero (column 0, the intercept, first).
        let free: [Int]
        /// `H_ψψ` on the free columns (f × f, full).
        let hpp: [Double]
        /// `H_ψu` on the free columns (f × d, row-major).
        let cross: [Double]
        /// `H_uu` (d × d, full).
        let huu: [Double]
        let d: Int

        /// The Hessian of the profile objective over the axes (d × d, full):
        /// `H_uu − H_uψ H_ψψ⁻¹ H_ψu`; nil when `H_ψψ` is not positive definite.
        func profileHessian() -> [Double]? {
            let f = free.count
            guard let chol = Cholesky(upper: hpp, k: f) else { return nil }
            var out = huu
            for q in 0..<d {
                let solved = chol.solve((0..<f).map { cross[$0 * d + q] })
                for r in 0..<d {
                    var s = 0.0
                    for a in 0..<f { s += cross[a * d + r] * solved[a] }
                    out[r * d + q] -= s
                }
            }
            for r in 0..<d { for q in 0..<r { let a = (out[r * d + q] + out[q * d + r]) / 2; out[r * d + q] = a; out[q * d + r] = a } }
            return out
        }
    }

    /// The information blocks at the optimum the problem's last evaluation holds.
    static func information(_ input: Inputs) -> Information {
        let problem = input.problem, layout = input.layout
        precondition(problem.sampleWeight == nil, "the joint information is that of the unweighted likelihood")
        let k = problem.k, n = problem.n, d = input.axes.count
        let pa = layout.firstSignalColumn, ps = layout.signalCount
        let free = (0..<k).filter { !input.atZero[$0] }
        let f = free.count
        // Problem column -> signal index, for signal columns.
        let signalOf: [Int?] = (0..<k).map { c in c == 0 || problem.columns[c - 1] < pa ? nil : problem.columns[c - 1] - pa }
        // Per axis, its free signal columns: (signal index, original-unit weight).
        let members: [[(s: Int, w: Double)]] = input.axes.map { axis in
            (1..<k).compactMap { c in
                guard !input.atZero[c], let s = signalOf[c], layout.signalAxis[s] == axis else { return nil }
                return (s, input.weights[c - 1])
            }
        }
        let sums = problem.halfLifeSums(signals: input.signals, derivatives: input.derivatives, ps: ps, pa: pa)

        // One pass over the rows: W_i g_ia per axis (the cross block's vectors), the
        // likelihood's part of H_uu, and the mean derivative of every signal.
        var weighted = [Double](repeating: 0, count: d * n)   // axis-major
        var huu = [Double](repeating: 0, count: d * d)
        var meanD = [Double](repeating: 0, count: ps)
        input.derivatives.withUnsafeBufferPointer { dv in
        input.secondDerivatives.withUnsafeBufferPointer { d2 in
        problem.probability.withUnsafeBufferPointer { p in
        problem.y.withUnsafeBufferPointer { y in
            var g = [Double](repeating: 0, count: d)
            for i in 0..<n {
                let pi = p[i], wi = pi * (1 - pi), ri = pi - y[i]
                let row = i * ps
                for q in 0..<d {
                    var gq = 0.0, hq = 0.0
                    for m in members[q] {
                        gq += m.w * dv[row + m.s]
                        hq += m.w * d2[row + m.s]
                    }
                    g[q] = gq
                    weighted[q * n + i] = wi * gq
                    huu[q * d + q] += ri * hq
                }
                for q in 0..<d { for r in 0..<d { huu[q * d + r] += wi * g[q] * g[r] } }
                for s in 0..<ps { meanD[s] += dv[row + s] }
            }
        }
        }
        }
        }
        // The ridge's part: (l2 w_j² / n) Σ_i [(D_ij − D̄_j)² + (x_ij − m_j) D₂_ij].
        for s in 0..<ps { meanD[s] /= Double(n) }
        var ridge = [Double](repeating: 0, count: ps)
        input.signals.withUnsafeBufferPointer { x in
        input.derivatives.withUnsafeBufferPointer { dv in
        input.secondDerivatives.withUnsafeBufferPointer { d2 in
            for i in 0..<n {
                let row = i * ps
                for s in 0..<ps {
                    let c = dv[row + s] - meanD[s]
                    ridge[s] += c * c + (x[row + s] - problem.mean[pa + s]) * d2[row + s]
                }
            }
        }
        }
        }
        for (q, list) in members.enumerated() {
            for m in list { huu[q * d + q] += problem.penaltySDFactor(feature: pa + m.s, weight: m.w) / Double(n) * ridge[m.s] }
        }

        // H_ψu, column by column, on the free columns.
        var cross = [Double](repeating: 0, count: f * d)
        for q in 0..<d {
            var column = [Double](repeating: 0, count: k)
            problem.z.withUnsafeBufferPointer { z in
                weighted.withUnsafeBufferPointer { v in
                    column.withUnsafeMutableBufferPointer { out in
                        BLAS.gemvT(rows: n, cols: k, alpha: 1, a: z.baseAddress!, x: v.baseAddress! + q * n, beta: 0, y: out.baseAddress!)
                    }
                }
            }
            for c in 1..<k where !input.atZero[c] {
                guard let s = signalOf[c], layout.signalAxis[s] == input.axes[q] else { continue }
                let w = input.weights[c - 1]
                let extra = sums.residual[s] + problem.penaltySDFactorSlope(feature: problem.columns[c - 1], weight: w) / Double(n) * sums.centred[s]
                column[c] += extra / problem.scale(ofColumn: c)
            }
            for (a, c) in free.enumerated() { cross[a * d + q] = column[c] }
        }

        var hpp = [Double](repeating: 0, count: f * f)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { hpp[a * f + b] = input.hessian[min(i, j) * k + max(i, j)] } }
        return Information(free: free, hpp: hpp, cross: cross, huu: huu, d: d)
    }

    /// The covariance of (b0, w) in original units (k × k, full; zero rows and
    /// columns for weights at zero), and of u = log h over `axes` (d × d);
    /// nil when the joint information is not positive definite.
    static func compute(_ input: Inputs) -> (weights: [Double], logHalfLives: [Double])? {
        let info = information(input)
        let k = input.problem.k, d = info.d, f = info.free.count
        // The joint matrix, (f + d)², inverted once.
        let m = f + d
        var joint = [Double](repeating: 0, count: m * m)
        for a in 0..<f { for b in 0..<f { joint[a * m + b] = info.hpp[a * f + b] } }
        for a in 0..<f {
            for q in 0..<d {
                joint[a * m + f + q] = info.cross[a * d + q]
                joint[(f + q) * m + a] = info.cross[a * d + q]
            }
        }
        for r in 0..<d { for q in 0..<d { joint[(f + r) * m + f + q] = (info.huu[r * d + q] + info.huu[q * d + r]) / 2 } }
        guard let factor = Cholesky(upper: joint, k: m) else { return nil }
        let inverse = factor.inverse()
        var block = [Double](repeating: 0, count: k * k)
        for (a, i) in info.free.enumerated() { for (b, j) in info.free.enumerated() { block[i * k + j] = inverse[a * m + b] } }
        var logH = [Double](repeating: 0, count: d * d)
        for r in 0..<d { for q in 0..<d { logH[r * d + q] = inverse[(f + r) * m + f + q] } }
        return (input.problem.originalCovariance(block), logH)
    }
}
