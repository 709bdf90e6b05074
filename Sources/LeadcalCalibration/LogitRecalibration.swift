import Foundation

/// Logistic recalibration (Cox 1958): the maximum-likelihood fit of
///
///     P(won) = σ(a + b · ℓ)
///
/// on outcomes `y` given a model's logits `ℓ`. `a = 0, b = 1` means the model
/// is calibrated on these outcomes; `a` measures a shift of the base rate in
/// logit points, `b < 1` a spread of scores too wide (over-confidence).
///
/// Newton–Raphson on the two parameters (the 2 × 2 information inverted in
/// closed form), from `(logit of the base rate − mean ℓ, 1)`. Cost:
/// O(n) per iteration, typically 4 to 6 iterations. Standard errors from the
/// inverse observed information at the optimum.
public struct LogitRecalibration: Sendable, Equatable {
    public var offset: Double
    public var slope: Double
    /// Covariance of (offset, slope): [var a, cov, cov, var b].
    public var covariance: [Double]
    public var logLikelihood: Double
    public var iterations: Int
    public var converged: Bool

    public var offsetStdError: Double { covariance[0].squareRoot() }
    public var slopeStdError: Double { covariance[3].squareRoot() }

    /// Fits `a` and `b`. Throws when the outcomes are of one class, or when
    /// the logits do not vary (no slope can be fitted).
    public static func fit(logit: [Double], y: [Double], tolerance: Double = 1e-10, maxIterations: Int = 50) throws(CalibrationError) -> LogitRecalibration {
        precondition(logit.count == y.count)
        let n = Double(y.count)
        let won = y.reduce(0, +)
        guard won > 0, won < n else { throw CalibrationError("recalibration needs won and lost outcomes; found \(Int(won)) won of \(y.count)") }
        let mean = logit.reduce(0, +) / n
        guard logit.contains(where: { abs($0 - mean) > 1e-12 * max(1, abs(mean)) }) else {
            throw CalibrationError("the parent gives every recalibration lead the same logit: no slope can be fitted")
        }
        var a = log(won / (n - won)) - mean, b = 1.0
        var ll = -Double.infinity
        func evaluate(_ a: Double, _ b: Double) -> (ll: Double, g0: Double, g1: Double, h00: Double, h01: Double, h11: Double) {
            var ll = 0.0, g0 = 0.0, g1 = 0.0, h00 = 0.0, h01 = 0.0, h11 = 0.0
            for i in logit.indices {
                let x = logit[i], eta = a + b * x
                // log σ(η) and log(1 − σ(η)), stable for large |η|.
                let log1pExp = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
                ll += y[i] * eta - log1pExp
                let p = 1 / (1 + exp(-eta)), w = p * (1 - p), r = y[i] - p
                g0 += r; g1 += r * x
                h00 += w; h01 += w * x; h11 += w * x * x
            }
            return (ll, g0, g1, h00, h01, h11)
        }
        var iterations = 0, converged = false
        var e = evaluate(a, b)
        ll = e.ll
        while iterations < maxIterations {
            iterations += 1
            let det = e.h00 * e.h11 - e.h01 * e.h01
            guard det > 0 else { break }
            let da = (e.h11 * e.g0 - e.h01 * e.g1) / det, db = (e.h00 * e.g1 - e.h01 * e.g0) / det
            // Step halving keeps every step an ascent.
            var t = 1.0, next = evaluate(a + da, b + db)
            while next.ll < ll - 1e-12 * abs(ll) && t > 1e-8 {
                t /= 2
                next = evaluate(a + t * da, b + t * db)
            }
            a += t * da; b += t * db
            let gain = next.ll - ll
            e = next
            ll = next.ll
            if abs(gain) <= tolerance * max(1, abs(ll)) && abs(t * da) + abs(t * db) < 1e-9 { converged = true; break }
        }
        let det = e.h00 * e.h11 - e.h01 * e.h01
        let cov = det > 0 ? [e.h11 / det, -e.h01 / det, -e.h01 / det, e.h00 / det] : [Double.nan, .nan, .nan, .nan]
        return LogitRecalibration(offset: a, slope: b, covariance: cov, logLikelihood: ll, iterations: iterations, converged: converged)
    }
}
