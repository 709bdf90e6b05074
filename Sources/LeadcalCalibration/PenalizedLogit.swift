import Foundation
import LeadcalData

/// The penalized logistic objective on a standardized design matrix.
///
/// Columns are the intercept and the active features, each centred and
/// scaled by its population standard deviation on the training rows:
/// `z_ij = (x_ij − mean_j) / sd_j`. In these units the penalty
/// `(l2/2) Σ (sd_j w_j)²` of the data contract is the plain ridge
/// `(l2/2) Σ θ_j²` (the intercept is not penalized), and the Hessian is well
/// conditioned whatever the features' units. Coefficients convert back by
/// `w_j = θ_j / sd_j`, `b0 = θ_0 − Σ θ_j mean_j / sd_j`.
///
/// ``evaluate(_:hessian:)`` makes one pass over the rows on every core, in
/// blocks that stay in cache: per block one `dgemv` for the linear
/// predictor, one `dgemv` for the gradient and one `dsyrk` for `ZᵀWZ`, then a
/// reduction of the per-core partial sums.
final class PenalizedLogit: @unchecked Sendable {
    let n: Int
    /// Columns: intercept + active features.
    private(set) var k: Int
    /// Row-major n × k standardized matrix (column 0 is 1).
    private(set) var z: [Double]
    let y: [Double]
    let l2: Double
    /// Layout feature index of column c ≥ 1.
    private(set) var columns: [Int]
    private(set) var mean: [Double]
    private(set) var sd: [Double]
    /// The scale of each standardized column: `sd`, or 1 for a constant one
    /// (a subsample can make an active feature constant; its column is then 0).
    private var unit: [Double] = []
    /// Per row, after the last evaluation: linear predictor and probability.
    private(set) var eta: [Double]
    private(set) var probability: [Double]

    private let blockRows = 512
    private let tasks: Int

    /// `prior: parent`: per layout feature, the parent's weight (the ridge's
    /// centre) and the precision of the prior in weight units, `strength / SE²`
    /// (0: the feature takes the plain ridge `l2` toward 0). In weight units
    /// the prior's penalty `(precision/2)(w − m)²` does not depend on the
    /// feature's sd, so it adds nothing to the half-lives' envelope gradient.
    private(set) var priorCenter: [Double] = []
    private(set) var priorPrecision: [Double] = []

    /// Centres the ridge of the layout features with `precision[j] > 0` on `center[j]`.
    func setPrior(center: [Double], precision: [Double]) {
        precondition(center.count == precision.count)
        priorCenter = center
        priorPrecision = precision
    }

    /// Whether layout feature `j` is penalized toward a parent's weight.
    @inline(__always) func hasPrior(_ j: Int) -> Bool { j < priorPrecision.count && priorPrecision[j] > 0 }

    /// The coefficient of `Σ_i (x_ij − mean_j) D_ij / n` in the half-life
    /// derivative of feature j's penalty: `l2 (w_j)²` for the plain ridge,
    /// 0 under a prior (sd-free in weight units).
    @inline(__always) func penaltySDFactor(feature j: Int, weight w: Double) -> Double { hasPrior(j) ? 0 : l2 * w * w }

    /// The same factor's derivative in `w_j` (the joint covariance's cross term).
    @inline(__always) func penaltySDFactorSlope(feature j: Int, weight w: Double) -> Double { hasPrior(j) ? 0 : 2 * l2 * w }

    /// Per-row weights of the log loss (`weight_by: amount`), mean 1; nil: every row 1.
    let sampleWeight: [Double]?

    init(y: [Double], l2: Double, sampleWeight: [Double]? = nil) {
        BLAS.singleThreaded
        n = y.count
        self.y = y
        self.l2 = l2
        precondition(sampleWeight == nil || sampleWeight!.count == y.count)
        self.sampleWeight = sampleWeight
        k = 1
        z = []
        columns = []
        mean = []
        sd = []
        eta = [Double](repeating: 0, count: y.count)
        probability = [Double](repeating: 0, count: y.count)
        tasks = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The attribute features (n × pa, row-major) and their column statistics,
    /// computed once: they do not move with the half-lives.
    private var attributes: [Double] = []
    private var pa = 0
    private var attributeMean: [Double] = [], attributeSD: [Double] = []
    /// The active set whose attribute columns `z` holds (nil: none yet).
    private var zActive: [Int]?

    /// Rebuilds the matrix from the raw features: `attributes` (n × pa) and
    /// `signals` (n × ps), both row-major, keeping the layout columns `active`
    /// (features with sd = 0 must not be active). Mean and sd are computed for
    /// every feature. Cost: three passes over n × (pa + ps), one write of n × k.
    func load(attributes: [Double], pa: Int, signals: [Double], ps: Int, active: [Int]) {
        setAttributes(attributes, pa: pa)
        load(signals: signals, ps: ps, active: active)
    }

    /// Sets the attribute features (n × pa, row-major) and computes their means and sds.
    func setAttributes(_ attributes: [Double], pa: Int) {
        self.attributes = attributes
        self.pa = pa
        (attributeMean, attributeSD) = Self.columnStatistics(attributes, columns: pa, rows: n, tasks: tasks)
        zActive = nil
    }

    /// Rebuilds the signal columns of the matrix from `signals` (n × ps,
    /// row-major) with the attributes of ``setAttributes(_:pa:)``: their means
    /// and sds, and the attribute columns of the matrix, are reused while the
    /// active set stays the same. Cost: three passes over n × ps, one write of
    /// the signal columns (n × k when the active set changed).
    func load(signals: [Double], ps: Int, active: [Int]) {
        let pa = self.pa, n = self.n, tasks = self.tasks
        let (signalMean, signalSD) = Self.columnStatistics(signals, columns: ps, rows: n, tasks: tasks)
        let mean = attributeMean + signalMean
        self.mean = mean
        sd = attributeSD + signalSD
        unit = sd.map { $0 > 0 && $0.isFinite ? $0 : 1 }
        let rewriteAll = zActive != active
        columns = active
        k = 1 + active.count
        if z.count != n * k {
            // A new shape is a new active set, so every cell is written below, on every
            // core (the pages are first touched there, not by a zeroing pass on this one).
            precondition(rewriteAll)
            let cells = n * self.k
            z = [Double](unsafeUninitializedCapacity: cells) { _, count in count = cells }
        }
        let k = self.k
        // Per active column: where it comes from, its shift and scale.
        let fromSignals = active.map { $0 >= pa }
        let source = active.map { $0 >= pa ? $0 - pa : $0 }
        let shift = active.map { mean[$0] }
        let scale = active.map { 1 / unit[$0] }
        let rewritten = (0..<(k - 1)).filter { rewriteAll || fromSignals[$0] }
        let at = SendablePointer(attributes.withUnsafeBufferPointer { $0.baseAddress })
        let sg = SendablePointer(signals.withUnsafeBufferPointer { $0.baseAddress })
        let zp = SendablePointer(z.withUnsafeMutableBufferPointer { $0.baseAddress! })
        parallelFor(tasks) { t in
            for i in (n * t / tasks)..<(n * (t + 1) / tasks) {
                let row = zp.value + i * k
                row[0] = 1
                for c in rewritten {
                    let x = fromSignals[c] ? sg.value![i * ps + source[c]] : at.value![i * pa + source[c]]
                    row[c + 1] = (x - shift[c]) * scale[c]
                }
            }
        }
        zActive = active
    }

    /// Column means and population sds of an n × p row-major matrix, on every
    /// core. Each value is divided by n before it is summed, and each centred
    /// value by the column's largest magnitude before it is squared, so that no
    /// sum overflows however large the values (1e300 and beyond). Cost: three passes.
    static func columnStatistics(_ x: [Double], columns p: Int, rows n: Int, tasks: Int) -> (mean: [Double], sd: [Double]) {
        guard p > 0 else { return ([], []) }
        let xp = SendablePointer(x.withUnsafeBufferPointer { $0.baseAddress! })
        let partial = SendableSlots<[Double]>(count: tasks)
        let nn = Double(n)
        parallelFor(tasks) { t in
            var s = [Double](repeating: 0, count: p)
            for i in (n * t / tasks)..<(n * (t + 1) / tasks) { for j in 0..<p { s[j] += xp.value[i * p + j] / nn } }
            partial[t] = s
        }
        var mean = [Double](repeating: 0, count: p)
        for t in 0..<tasks { for j in 0..<p { mean[j] += partial[t][j] } }
        let m = mean
        parallelFor(tasks) { t in
            var s = [Double](repeating: 0, count: p)
            for i in (n * t / tasks)..<(n * (t + 1) / tasks) { for j in 0..<p { s[j] = max(s[j], abs(xp.value[i * p + j] - m[j])) } }
            partial[t] = s
        }
        var largest = [Double](repeating: 0, count: p)
        for t in 0..<tasks { for j in 0..<p { largest[j] = max(largest[j], partial[t][j]) } }
        let unitScale = largest.map { $0 > 0 && $0.isFinite ? 1 / $0 : 1 }
        parallelFor(tasks) { t in
            var s = [Double](repeating: 0, count: p)
            for i in (n * t / tasks)..<(n * (t + 1) / tasks) {
                for j in 0..<p { let d = (xp.value[i * p + j] - m[j]) * unitScale[j]; s[j] += d * d }
            }
            partial[t] = s
        }
        var sumSq = [Double](repeating: 0, count: p)
        for t in 0..<tasks { for j in 0..<p { sumSq[j] += partial[t][j] } }
        return (mean, (0..<p).map { j in (sumSq[j] / nn).squareRoot() / unitScale[j] })
    }

    /// Objective value, gradient and (optionally) the upper triangle of the
    /// Hessian at θ (length k), including the ridge on θ_1… .
    struct Evaluation {
        var objective: Double
        var logLikelihood: Double
        var gradient: [Double]
        var hessian: [Double]
    }

    /// One pass: sets `eta` and `probability`, and returns the objective,
    /// gradient and, with `hessian`, `ZᵀWZ + l2·I₋₀`. Cost: n·k² flops
    /// (n·k without the Hessian), on every core.
    private(set) var evaluations = 0
    func evaluate(_ theta: [Double], hessian: Bool) -> Evaluation {
        evaluations += 1
        let k = self.k, n = self.n
        let tasks = self.tasks
        let partLoss = SendableSlots<Double>(count: tasks)
        let partGrad = SendableSlots<[Double]>(count: tasks)
        let partHess = SendableSlots<[Double]>(count: tasks)
        let blockRows = self.blockRows
        let zp = SendablePointer(z.withUnsafeBufferPointer { $0.baseAddress! })
        let yp = SendablePointer(y.withUnsafeBufferPointer { $0.baseAddress! })
        let etaP = SendablePointer(eta.withUnsafeMutableBufferPointer { $0.baseAddress! })
        let probP = SendablePointer(probability.withUnsafeMutableBufferPointer { $0.baseAddress! })
        let sw = SendablePointer(sampleWeight?.withUnsafeBufferPointer { $0.baseAddress! })
        let thetaCopy = theta
        parallelFor(tasks) { t in
            let lo = n * t / tasks, hi = n * (t + 1) / tasks
            var loss = 0.0
            var g = [Double](repeating: 0, count: k)
            var h = [Double](repeating: 0, count: hessian ? k * k : 0)
            var scratch = [Double](repeating: 0, count: hessian ? blockRows * k : 0)
            var r = [Double](repeating: 0, count: blockRows)
            thetaCopy.withUnsafeBufferPointer { th in
                var start = lo
                while start < hi {
                    let rows = min(blockRows, hi - start)
                    let zb = zp.value + start * k
                    let e = etaP.value + start
                    let pr = probP.value + start
                    BLAS.gemv(rows: rows, cols: k, alpha: 1, a: zb, x: th.baseAddress!, beta: 0, y: e)
                    for i in 0..<rows {
                        let eta = e[i]
                        let yi = yp.value[start + i]
                        let wi = sw.value?[start + i] ?? 1
                        // log(1 + e^η) − yη and σ(η) from one exp, stable for any η.
                        let t = exp(-abs(eta))
                        loss += wi * (max(eta, 0) + log1p(t) - yi * eta)
                        let p = eta >= 0 ? 1 / (1 + t) : t / (1 + t)
                        pr[i] = p
                        r[i] = wi * (p - yi)
                    }
                    r.withUnsafeBufferPointer { rb in
                        g.withUnsafeMutableBufferPointer { gb in
                            BLAS.gemvT(rows: rows, cols: k, alpha: 1, a: zb, x: rb.baseAddress!, beta: 1, y: gb.baseAddress!)
                        }
                    }
                    if hessian {
                        scratch.withUnsafeMutableBufferPointer { sb in
                            for i in 0..<rows {
                                let p = pr[i]
                                let w = ((sw.value?[start + i] ?? 1) * p * (1 - p)).squareRoot()
                                let src = zb + i * k, dst = sb.baseAddress! + i * k
                                for c in 0..<k { dst[c] = w * src[c] }
                            }
                            h.withUnsafeMutableBufferPointer { hb in
                                BLAS.syrkUpper(rows: rows, k: k, alpha: 1, a: sb.baseAddress!, lda: k, beta: 1, c: hb.baseAddress!)
                            }
                        }
                    }
                    start += rows
                }
            }
            partLoss[t] = loss
            partGrad[t] = g
            partHess[t] = h
        }
        var loss = 0.0
        var g = [Double](repeating: 0, count: k)
        var h = [Double](repeating: 0, count: hessian ? k * k : 0)
        for t in 0..<tasks {
            loss += partLoss[t]
            let pg = partGrad[t]
            for c in 0..<k { g[c] += pg[c] }
            if hessian {
                let ph = partHess[t]
                for c in 0..<(k * k) { h[c] += ph[c] }
            }
        }
        // The ridge: l2 θ² toward 0, or the prior's precision toward the parent's weight (θ = unit · w).
        var penalty = 0.0
        for c in 1..<k {
            let j = columns[c - 1]
            var strength = l2, d = theta[c]
            if hasPrior(j) {
                strength = priorPrecision[j] / (unit[j] * unit[j])
                d -= unit[j] * priorCenter[j]
            }
            penalty += strength * d * d
            g[c] += strength * d
            if hessian { h[c * k + c] += strength }
        }
        return Evaluation(objective: loss + 0.5 * penalty, logLikelihood: -loss, gradient: g, hessian: h)
    }

    /// `ZᵀZ / n` (upper triangle, k × k): the correlation matrix of the active
    /// columns bordered by the intercept. One `dsyrk`, n·k² flops.
    func gram() -> [Double] {
        var c = [Double](repeating: 0, count: k * k)
        z.withUnsafeBufferPointer { zb in
            c.withUnsafeMutableBufferPointer { cb in
                BLAS.syrkUpper(rows: n, k: k, alpha: 1 / Double(n), a: zb.baseAddress!, lda: k, beta: 0, c: cb.baseAddress!)
            }
        }
        return c
    }

    /// The scale of problem column `c` ≥ 1: its feature's sd (1 for a constant feature).
    func scale(ofColumn c: Int) -> Double { unit[columns[c - 1]] }

    /// Original-unit coefficients (b0, w for active columns) of standardized θ.
    func originalCoefficients(_ theta: [Double]) -> (intercept: Double, weights: [Double]) {
        var b0 = theta[0]
        var w = [Double](repeating: 0, count: k - 1)
        for c in 1..<k {
            let j = columns[c - 1]
            w[c - 1] = theta[c] / unit[j]
            b0 -= theta[c] * mean[j] / unit[j]
        }
        return (b0, w)
    }

    /// Standardized θ of original-unit coefficients (for warm starts after the features move).
    func standardized(intercept: Double, weights: [Double]) -> [Double] {
        var theta = [Double](repeating: 0, count: k)
        theta[0] = intercept
        for c in 1..<k {
            let j = columns[c - 1]
            theta[c] = weights[c - 1] * unit[j]
            theta[0] += weights[c - 1] * mean[j]
        }
        return theta
    }

    /// Covariance of the original-unit (b0, w) from the inverse of the
    /// standardized penalized Hessian: `T H⁻¹ Tᵀ` with T the linear map θ → (b0, w).
    func originalCovariance(_ inverse: [Double]) -> [Double] {
        // T: row 0 = (1, −mean_j/sd_j …); row c = e_c / sd_j.
        var t = [Double](repeating: 0, count: k * k)
        t[0] = 1
        for c in 1..<k {
            let j = columns[c - 1]
            t[c] = -mean[j] / unit[j]
            t[c * k + c] = 1 / unit[j]
        }
        var tmp = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k {
            var s = 0.0
            for m in 0..<k { s += t[i * k + m] * inverse[m * k + j] }
            tmp[i * k + j] = s
        } }
        var out = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k {
            var s = 0.0
            for m in 0..<k { s += tmp[i * k + m] * t[j * k + m] }
            out[i * k + j] = s
        } }
        return out
    }

    /// The sandwich's meat over the columns `free`: `Σ_i (w_i (p_i − y_i))² z_i z_iᵀ`
    /// (upper triangle, free × free), at the last evaluation. With the
    /// penalized Hessian H it gives the robust covariance `H⁻¹ M H⁻¹` of
    /// sample-weighted fits, whose weights are not frequencies (White 1982).
    /// Cost: n·f² flops, one `dsyrk` per block of rows, on every core.
    func scoreOuterProduct(free: [Int]) -> [Double] {
        let f = free.count, k = self.k, n = self.n, tasks = self.tasks, blockRows = self.blockRows
        let parts = SendableSlots<[Double]>(count: tasks)
        let zp = SendablePointer(z.withUnsafeBufferPointer { $0.baseAddress! })
        let pr = SendablePointer(probability.withUnsafeBufferPointer { $0.baseAddress! })
        let yp = SendablePointer(y.withUnsafeBufferPointer { $0.baseAddress! })
        let sw = SendablePointer(sampleWeight?.withUnsafeBufferPointer { $0.baseAddress! })
        parallelFor(tasks) { t in
            var m = [Double](repeating: 0, count: f * f)
            var scratch = [Double](repeating: 0, count: blockRows * f)
            var start = n * t / tasks
            let end = n * (t + 1) / tasks
            while start < end {
                let rows = min(blockRows, end - start)
                for i in 0..<rows {
                    let g = (sw.value?[start + i] ?? 1) * (pr.value[start + i] - yp.value[start + i])
                    for (a, c) in free.enumerated() { scratch[i * f + a] = g * zp.value[(start + i) * k + c] }
                }
                scratch.withUnsafeBufferPointer { s in
                    m.withUnsafeMutableBufferPointer { mb in
                        BLAS.syrkUpper(rows: rows, k: f, alpha: 1, a: s.baseAddress!, lda: f, beta: 1, c: mb.baseAddress!)
                    }
                }
                start += rows
            }
            parts[t] = m
        }
        var m = [Double](repeating: 0, count: f * f)
        for t in 0..<tasks { for c in 0..<(f * f) { m[c] += parts[t][c] } }
        return m
    }

    /// Per active signal column: `Σ_i r_i D_ij` and `Σ_i (x_ij − mean_j) D_ij`
    /// for derivatives D (n × ps, row-major) and raw signal values x, with
    /// r = p − y from the last evaluation: the two sums the half-life gradient
    /// needs. Cost: one pass over n × ps, on every core.
    func halfLifeSums(signals: [Double], derivatives: [Double], ps: Int, pa: Int) -> (residual: [Double], centred: [Double]) {
        let tasks = self.tasks, n = self.n
        let a = SendableSlots<[Double]>(count: tasks), b = SendableSlots<[Double]>(count: tasks)
        let xs = SendablePointer(signals.withUnsafeBufferPointer { $0.baseAddress! })
        let ds = SendablePointer(derivatives.withUnsafeBufferPointer { $0.baseAddress! })
        let pr = SendablePointer(probability.withUnsafeBufferPointer { $0.baseAddress! })
        let yp = SendablePointer(y.withUnsafeBufferPointer { $0.baseAddress! })
        let sw = SendablePointer(sampleWeight?.withUnsafeBufferPointer { $0.baseAddress! })
        let means = Array(mean[pa...])
        parallelFor(tasks) { t in
            var ra = [Double](repeating: 0, count: ps), rb = [Double](repeating: 0, count: ps)
            for i in (n * t / tasks)..<(n * (t + 1) / tasks) {
                let r = (sw.value?[i] ?? 1) * (pr.value[i] - yp.value[i])
                let x = xs.value + i * ps, d = ds.value + i * ps
                for j in 0..<ps {
                    ra[j] += r * d[j]
                    rb[j] += (x[j] - means[j]) * d[j]
                }
            }
            a[t] = ra
            b[t] = rb
        }
        var ra = [Double](repeating: 0, count: ps), rb = [Double](repeating: 0, count: ps)
        for t in 0..<tasks { for j in 0..<ps { ra[j] += a[t][j]; rb[j] += b[t][j] } }
        return (ra, rb)
    }
}
