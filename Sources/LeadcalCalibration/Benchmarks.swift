import CLapack
import Foundation
import LeadcalData

/// Measurements of the solver's hot paths for the benchmark harness
/// (`leadcal-bench`); not used by the fit itself.
package enum SolverBenchmarks {
    /// Median seconds of `body` over `repeats` runs.
    static func median(_ repeats: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<repeats {
            let t = clock.now
            body()
            times.append((clock.now - t).seconds)
        }
        return times.sorted()[times.count / 2]
    }

    package struct HessianStep: Sendable {
        /// Seconds of one objective + gradient + Hessian pass.
        package var withHessian: Double
        /// Seconds of one objective + gradient pass.
        package var gradientOnly: Double
        /// Flop rate of the Hessian part alone: n·k(k+1) / (withHessian − gradientOnly).
        package var hessianFlopsPerSecond: Double
        /// Flop rate counting the whole pass as the dsyrk's n·k(k+1) flops.
        package var passFlopsPerSecond: Double
    }

    /// Times ``PenalizedLogit/evaluate(_:hessian:)`` on a random n × k problem.
    package static func hessianStep(rows n: Int, columns k: Int, repeats: Int = 7) -> HessianStep {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1.0p-53
        }
        let y = (0..<n).map { _ in uniform() < 0.3 ? 1.0 : 0.0 }
        let x = (0..<(n * (k - 1))).map { _ in uniform() }
        let problem = PenalizedLogit(y: y, l2: 1)
        problem.load(attributes: x, pa: k - 1, signals: [], ps: 0, active: Array(0..<(k - 1)))
        let theta = (0..<k).map { _ in 0.1 * (uniform() - 0.5) }
        let full = median(repeats) { _ = problem.evaluate(theta, hessian: true) }
        let gradient = median(repeats) { _ = problem.evaluate(theta, hessian: false) }
        let flops = Double(n) * Double(k) * Double(k + 1)
        return HessianStep(withHessian: full, gradientOnly: gradient, hessianFlopsPerSecond: flops / max(full - gradient, 1e-12),
                           passFlopsPerSecond: flops / full)
    }

    /// The machine's dsyrk rate: C = AᵀA for A of `rows × k` (row-major, upper), flops
    /// n·k(k+1). `threads` independent calls run at once, one per core, each with
    /// OpenBLAS single-threaded (as the solver runs it); returns the aggregate rate.
    package static func dsyrkThroughput(rows: Int, columns k: Int, threads: Int, repeats: Int = 7) -> Double {
        BLAS.singleThreaded
        let a = (0..<(rows * k)).map { Double($0 % 97) / 97 }
        let c = SendableSlots<[Double]>(count: threads)
        for t in 0..<threads { c[t] = [Double](repeating: 0, count: k * k) }
        let seconds = median(repeats) {
            a.withUnsafeBufferPointer { ab in
                let ap = SendablePointer(ab.baseAddress!)
                parallelFor(threads) { t in
                    var out = c[t]
                    out.withUnsafeMutableBufferPointer { cb in
                        BLAS.syrkUpper(rows: rows, k: k, alpha: 1, a: ap.value, lda: k, beta: 0, c: cb.baseAddress!)
                    }
                    c[t] = out
                }
            }
        }
        return Double(threads) * Double(rows) * Double(k) * Double(k + 1) / seconds
    }
}
