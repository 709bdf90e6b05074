import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalFeatures

#if canImport(Glibc)
import Glibc
#endif

/// leadcal-bench DATA_DIR: throughput of the hot paths on one dataset, each
/// the median of several runs, with baselines measured in the same run so the
/// numbers compare as ratios on a shared, noisy machine.
func median(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<repeats {
        let t = clock.now
        try body()
        times.append((clock.now - t).seconds)
    }
    return times.sorted()[times.count / 2]
}

/// Baseline: read the file with read(2) in 32 MiB blocks and count newlines with memchr.
func rawScan(_ path: String) -> Int {
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    let size = 32 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    defer { buffer.deallocate() }
    var lines = 0
    while true {
        let n = read(fd, buffer, size)
        if n <= 0 { break }
        var p = buffer
        let end = buffer + n
        while let q = memchr(p, 10, end - p) { lines += 1; p = UnsafeMutableRawPointer(mutating: q) + 1 }
    }
    return lines
}

let dir = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "datasets/demo"
let url = URL(fileURLWithPath: dir)
let bytes = ["leads.csv", "signals.csv", "outcomes.csv"].reduce(0) {
    $0 + ((try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent($1).path)[.size] as? Int) ?? 0)
}
var dataset: Dataset? = nil
let load = try median(3) { dataset = try Dataset.load(directory: url) }
let raw = median(3) { _ = ["leads.csv", "signals.csv", "outcomes.csv"].map { rawScan(url.appendingPathComponent($0).path) } }
let mb = Double(bytes) / 1e6
print(String(format: "CSV load: %.0f MB in %.3f s = %.0f MB/s; baseline read(2)+memchr %.0f MB/s; ratio %.2f",
             mb, load, mb / load, mb / raw, raw / load))

let allRows = (0..<Int32(dataset!.decided.count)).map { $0 }
let builder = FeatureBuilder(dataset: dataset!, rows: allRows, layout: try FeatureLayout(spec: dataset!.spec!, dataset: dataset!, rows: allRows))
var values: [Double] = []
var d = [Double](repeating: 0, count: builder.rowCount * builder.layout.signalCount)
let h = dataset!.spec!.axes.map { $0.halfLifeDays ?? 0 }
let events = Double(dataset!.events.count)
let plain = median(5) { builder.decayedSignals(halfLives: h, values: &values, derivatives: nil) }
let withD = median(5) { d.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &values, derivatives: $0.baseAddress!) } }
print(String(format: "feature pass: %.0f events in %.1f ms (%.2f ns/event); with half-life derivatives %.1f ms",
             events, plain * 1e3, plain * 1e9 / events, withD * 1e3))

let n = builder.rowCount, k = builder.layout.count + 1
let step = SolverBenchmarks.hessianStep(rows: n, columns: k)
let sameShape = SolverBenchmarks.dsyrkThroughput(rows: 100_000, columns: k, threads: ProcessInfo.processInfo.activeProcessorCount)
let square = SolverBenchmarks.dsyrkThroughput(rows: 2048, columns: 512, threads: ProcessInfo.processInfo.activeProcessorCount)
print(String(format: "Hessian step (n=%d, k=%d): %.1f ms with Hessian, %.1f ms gradient only; Hessian part %.1f GFLOP/s", n, k,
             step.withHessian * 1e3, step.gradientOnly * 1e3, step.hessianFlopsPerSecond / 1e9))
print(String(format: "machine dsyrk, all cores, one OpenBLAS thread each: %.1f GFLOP/s at 100000 x %d, %.1f GFLOP/s at 2048 x 512", sameShape / 1e9, k, square / 1e9))
print(String(format: "Hessian step / dsyrk: %.0f%% of the same-shape rate, %.0f%% of the large-matrix rate",
             100 * step.hessianFlopsPerSecond / sameShape, 100 * step.hessianFlopsPerSecond / square))

// The scorer alone, in memory, on one core: leads with 40 signals each.
import LeadcalScorer
import LeadcalModel
import LeadcalRoutine
do {
    var options = Calibration.Options()
    options.intervals = false
    let fit = try Calibration.fit(dataset: dataset!, options: options)
    let file = Version.make(fit, dataset: dataset!, training: allRows, version: "bench", parent: nil, tool: "bench").file
    let scorer = Scorer(weights: file)
    let leads = 200_000, perLead = 40
    var state: UInt64 = 7
    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
    let signalCount = scorer.signalNames.count
    let events = (0..<(leads * perLead)).map { _ in (Int(next() % UInt64(signalCount)), Double(next() % 400_000) / 1000 + 0.01, 1.0) }
    let attributes = scorer.attributes(["industry": "software", "employees": "120", "job_level": "vp"])
    var totals = scorer.makeTotals(leads: 1)
    var score = Scorer.Score()
    var checksum = 0.0
    let seconds = median(5) {
        for lead in 0..<leads {
            totals.reset(lead: 0)
            for e in (lead * perLead)..<((lead + 1) * perLead) {
                let (s, age, value) = events[e]
                totals.add(lead: 0, signal: s, ageDays: age, value: value)
            }
            scorer.score(lead: 0, totals: totals, attributes: attributes, into: &score)
            checksum += score.probability
        }
    }
    print(String(format: "scorer in memory, one core: %.2f M leads/s with %d signals each (%.0f ns/lead)%@",
                 Double(leads) / seconds / 1e6, perLead, seconds * 1e9 / Double(leads), checksum > 0 ? "" : " "))
} catch {
    print("scorer benchmark: \(error)")
}
