import Foundation
import LeadcalFeatures

/// The covariance of the intercept and weights that carries the uncertainty
/// of the fitted half-lives: the inverse observed information of the
/// penalized likelihood in (b0, w, u), u = log h of the estimated half-lives.
///
/// Let F(b0, w, u) be the penalized objective of the data contract and
/// ψ = A·(b0, w) the standardized coefficients at the optimum (A fixed:
/// ψ0 = b0 + Σ m_j w_j, ψ_j = sd_j w_j). At the optimum the Hessian of F in
/// (ψ, u) has three blocks:
///
/// - `H_ψψ`, the solver's standardized Hessian `ZᵀWZ + l2·I₋₀` (the IRLS
///   pass already made);
/// - `H_ψu`, column a: `Zᵀ(W·g_a) + e_a / sd`, where `g_ia = Σ_{k∈a} w_k D_ik`
///   (D = ∂x/∂log h from the feature pass) and, for a signal j of axis a,
///   `e_aj = Σ_i (p_i − y_i) D_ij + l2·w_j·(2/n)·Σ_i (x_ij − m_j) D_ij`
///   (the residual term, and the ridge's sd² moving with h); one `dgemv` per axis;
/// - `H_uu`, recovered from the Hessian of the profile objective
///   `H_P = H_uu − H_uψ H_ψψ⁻¹ H_ψu` (its Schur complement, by the implicit
///   function theorem), which the interval search already estimates by
///   finite differences of the exact envelope gradient.
///
/// The joint matrix is factored and inverted once (LAPACK `dpotrf`/`dpotri`);
/// its ψψ block, mapped back by A⁻¹, is the covariance of (b0, w). Weights
/// at their zero bound and half-lives that are not plain estimates (fixed,
/// at a bound, not identified) are held fixed, as in the conditional
/// covariance; with no half-life estimated the result is that covariance.
/// Reference: the observed-information covariance of a profiled model
/// (Pawitan, *In All Likelihood*, 2001, §9.7; Nocedal & Wright §A.2 for the
/// block inverse). Cost: one pass over the n × k matrix per estimated
/// half-life, one over n × ps for the residual sums, O((k + d)³) for the inverse.
enum JointCovariance {
    struct Inputs {
        let problem: PenalizedLogit
        /// Upper triangle of `ZᵀWZ + l2·I₋₀` at the optimum (k × k).
        let hessian: [Double]
        /// Problem columns held at zero.
        let atZero: [Bool]
        /// Original-unit weights of the active columns.
        let weights: [Double]
        let signals: [Double], derivatives: [Double]
        let layout: FeatureLayout
        /// Spec axes whose half-life joins the joint covariance.
        let axes: [Int]
        /// Hessian of the profile objective over these axes' log half-lives (d × d, full).
        let profileHessian: [Double]
    }

    /// The covariance of (b0, w) in original units (k × k, full; zero rows and
    /// columns for weights at zero), and of u = log h over `axes` (d × d);
    /// nil when the joint information is not positive definite.
    static func compute(_ input: Inputs) -> (weights: [Double], logHalfLives: [Double])? {
        let problem = input.problem, layout = input.layout
        let k = problem.k, n = problem.n, d = input.axes.count
        let pa = layout.firstSignalColumn, ps = layout.signalCount
        let free = (0..<k).filter { !input.atZero[$0] }
        let f = free.count
        // Problem column -> (signal index, spec axis) for signal columns.
        let signalOf: [Int?] = (0..<k).map { c in c == 0 || problem.columns[c - 1] < pa ? nil : problem.columns[c - 1] - pa }
        let sums = problem.halfLifeSums(signals: input.signals, derivatives: input.derivatives, ps: ps, pa: pa)

        // H_ψu, column by column.
        var cross = [Double](repeating: 0, count: k * d)   // k × d, row-major
        var weighted = [Double](repeating: 0, count: n)
        for (q, axis) in input.axes.enumerated() {
            let members = (1..<k).filter { c in !input.atZero[c] && signalOf[c].map { layout.signalAxis[$0] == axis } == true }
            input.derivatives.withUnsafeBufferPointer { dv in
                problem.probability.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        var g = 0.0
                        for c in members { g += input.weights[c - 1] * dv[i * ps + signalOf[c]!] }
                        weighted[i] = p[i] * (1 - p[i]) * g
                    }
                }
            }
            var column = [Double](repeating: 0, count: k)
            problem.z.withUnsafeBufferPointer { z in
                weighted.withUnsafeBufferPointer { v in
                    column.withUnsafeMutableBufferPointer { out in
                        BLAS.gemvT(rows: n, cols: k, alpha: 1, a: z.baseAddress!, x: v.baseAddress!, beta: 0, y: out.baseAddress!)
                    }
                }
            }
            for c in members {
                let s = signalOf[c]!, w = input.weights[c - 1]
                let extra = sums.residual[s] + problem.penaltySDFactorSlope(feature: problem.columns[c - 1], weight: w) / Double(n) * sums.centred[s]
                column[c] += extra / problem.scale(ofColumn: c)
            }
            for c in 0..<k { cross[c * d + q] = column[c] }
        }

        // H_ψψ on the free columns, and H_uu = H_P + H_uψ H_ψψ⁻¹ H_ψu.
        var hpp = [Double](repeating: 0, count: f * f)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { hpp[a * f + b] = input.hessian[min(i, j) * k + max(i, j)] } }
        guard let chol = Cholesky(upper: hpp, k: f) else { return nil }
        var huu = input.profileHessian
        for q in 0..<d {
            let solved = chol.solve(free.map { cross[$0 * d + q] })
            for r in 0..<d {
                var s = 0.0
                for (a, c) in free.enumerated() { s += cross[c * d + r] * solved[a] }
                huu[r * d + q] += s
            }
        }
        // The joint matrix, (f + d)², inverted once.
        let m = f + d
        var joint = [Double](repeating: 0, count: m * m)
        for a in 0..<f { for b in 0..<f { joint[a * m + b] = hpp[a * f + b] } }
        for (a, c) in free.enumerated() {
            for q in 0..<d {
                joint[a * m + f + q] = cross[c * d + q]
                joint[(f + q) * m + a] = cross[c * d + q]
            }
        }
        for r in 0..<d { for q in 0..<d { joint[(f + r) * m + f + q] = (huu[r * d + q] + huu[q * d + r]) / 2 } }
        guard let factor = Cholesky(upper: joint, k: m) else { return nil }
        let inverse = factor.inverse()
        var block = [Double](repeating: 0, count: k * k)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { block[i * k + j] = inverse[a * m + b] } }
        var logH = [Double](repeating: 0, count: d * d)
        for r in 0..<d { for q in 0..<d { logH[r * d + q] = inverse[(f + r) * m + f + q] } }
        return (problem.originalCovariance(block), logH)
    }
}
