import Foundation
import LeadcalData
import LeadcalFeatures

/// Median of `repeats` timings of `body`, in seconds.
func median(_ repeats: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<repeats {
        let t = clock.now
        body()
        let d = clock.now - t
        times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    return times.sorted()[times.count / 2]
}

let arguments = CommandLine.arguments
let dir = arguments.count > 1 ? arguments[1] : "datasets/demo"
let t0 = ContinuousClock().now
let dataset = try Dataset.load(directory: URL(fileURLWithPath: dir))
print("load:", ContinuousClock().now - t0, "events", dataset.events.count)

let builder = FeatureBuilder(dataset: dataset)
var values: [Double] = []
var d = [Double](repeating: 0, count: builder.rowCount * builder.layout.signalCount)
let h = dataset.spec!.axes.map { $0.halfLifeDays ?? 0 }
let plain = median(5) { builder.decayedSignals(halfLives: h, values: &values, derivatives: nil) }
let withD = median(5) { d.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &values, derivatives: $0.baseAddress!) } }
print(String(format: "feature pass: %.1f ms (%.2f ns/event), with derivatives %.1f ms", plain * 1e3, plain * 1e9 / Double(dataset.events.count), withD * 1e3))

import LeadcalCalibration
let step = SolverBenchmarks.hessianStep(rows: 425_000, columns: 24)
print(String(format: "hessian step n=425000 k=24: with Hessian %.1f ms, gradient only %.1f ms, Hessian part %.2f GFLOP/s, pass %.2f GFLOP/s",
             step.withHessian * 1e3, step.gradientOnly * 1e3, step.hessianFlopsPerSecond / 1e9, step.passFlopsPerSecond / 1e9))
for (rows, k) in [(512, 24), (4096, 24), (100_000, 24), (2048, 512)] {
    let one = SolverBenchmarks.dsyrkThroughput(rows: rows, columns: k, threads: 1)
    let two = SolverBenchmarks.dsyrkThroughput(rows: rows, columns: k, threads: 2)
    print(String(format: "dsyrk %d x %d: 1 core %.2f GFLOP/s, 2 cores %.2f GFLOP/s", rows, k, one / 1e9, two / 1e9))
}
