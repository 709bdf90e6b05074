import CSV
import Foundation
import LeadcalCalibration
import LeadcalData
import LeadcalFeatures
import LeadcalModel
import LeadcalRoutine
import LeadcalScorer
import LeadcalBenchBaseline

#if canImport(Glibc)
import Glibc
#endif

/// leadcal-bench DATA_DIR [--only SECTIONS] [--json]: throughput of the hot
/// paths on one dataset, each the median of several runs, with baselines
/// measured in the same run so the numbers compare as ratios on a shared,
/// noisy machine. Sections: csv, csv-package (yaslab/CSV.swift on the whole
/// file: about a minute), features, solver, scorer (default: all).
var dir = "datasets/demo"
var only: Set<String> = ["csv", "csv-package", "features", "solver", "scorer"]
var asJSON = false
var argumentList = CommandLine.arguments.dropFirst().makeIterator()
while let argument = argumentList.next() {
    switch argument {
    case "--only": only = Set((argumentList.next() ?? "").split(separator: ",").map(String.init))
    case "--json": asJSON = true
    default: dir = argument
    }
}
let url = URL(fileURLWithPath: dir)
var results: [String: Double] = [:]

@MainActor func say(_ line: String) { if !asJSON { print(line) } }

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

func size(_ name: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path)[.size] as? Int) ?? 0
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

let signalsPath = url.appendingPathComponent("signals.csv").path
let signalsMB = Double(size("signals.csv")) / 1e6

if only.contains("csv") {
    // Reading signals.csv: read(2) + memchr, and leadcal's reader (fields split on every core).
    let raw = median(3) { _ = rawScan(signalsPath) }
    let leadcal = try median(3) { _ = try CSVBenchmarks.tokenize(url: URL(fileURLWithPath: signalsPath)) }
    results["signals_mb"] = signalsMB
    results["read_memchr_s"] = raw
    results["csv_read_s"] = leadcal
    say(String(format: "reading signals.csv (%.0f MB): read(2)+memchr %.3f s (%.0f MB/s); leadcal's CSV reader %.3f s (%.0f MB/s, %.2f of read+memchr)",
               signalsMB, raw, signalsMB / raw, leadcal, signalsMB / leadcal, raw / leadcal))
    if only.contains("csv-package") {
        // A general-purpose package (yaslab/CSV.swift, one core) on the same bytes, once.
        let general = try median(1) {
            let csv = try CSVReader(stream: InputStream(fileAtPath: signalsPath)!, hasHeaderRow: true)
            var fields = 0
            while let row = csv.next() { fields &+= row.count }
            precondition(fields > 0)
        }
        results["csv_swift_s"] = general
        say(String(format: "yaslab/CSV.swift on the same file: %.1f s (%.0f MB/s, %.3f of read+memchr): leadcal's reader is %.0fx faster",
                   general, signalsMB / general, raw / general, general / leadcal))
    }
}

// The dataset, parsed and checked against its spec: what every command starts with
// (signals.csv's fingerprint is not computed: only `fit` asks for it, in the background).
var dataset: Dataset? = nil
let load = try median(3) { dataset = try Dataset.load(directory: url) }
let total = Double(size("leads.csv") + size("signals.csv") + size("outcomes.csv")) / 1e6
let rawAll = median(3) { _ = ["leads.csv", "signals.csv", "outcomes.csv"].map { rawScan(url.appendingPathComponent($0).path) } }
results["load_s"] = load
results["load_read_memchr_s"] = rawAll
say(String(format: "loading the dataset (%.0f MB: parse, check, group events by lead): %.3f s (%.0f MB/s, %.2f of read+memchr)",
           total, load, total / load, rawAll / load))
let data = dataset!
let allRows = (0..<Int32(data.decided.count)).map { $0 }

if only.contains("features") {
    let builder = FeatureBuilder(dataset: data, rows: allRows, layout: try FeatureLayout(spec: data.spec!, dataset: data, rows: allRows))
    var values: [Double] = []
    var d = [Double](repeating: 0, count: builder.rowCount * builder.layout.signalCount)
    let h = data.spec!.axes.map { $0.halfLifeDays ?? 0 }
    let events = Double(data.events.count)
    let plain = median(5) { builder.decayedSignals(halfLives: h, values: &values, derivatives: nil) }
    let withD = median(5) { d.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &values, derivatives: $0.baseAddress!) } }
    results["feature_pass_s"] = plain
    results["feature_pass_derivatives_s"] = withD
    say(String(format: "feature pass: %.0f events in %.1f ms (%.2f ns/event); with half-life derivatives %.1f ms",
               events, plain * 1e3, plain * 1e9 / events, withD * 1e3))
}

if only.contains("solver") {
    let layout = try FeatureLayout(spec: data.spec!, dataset: data, rows: allRows)
    let n = allRows.count, k = layout.count + 1
    let step = SolverBenchmarks.hessianStep(rows: n, columns: k)
    let sameShape = SolverBenchmarks.dsyrkThroughput(rows: 100_000, columns: k, threads: ProcessInfo.processInfo.activeProcessorCount)
    let square = SolverBenchmarks.dsyrkThroughput(rows: 2048, columns: 512, threads: ProcessInfo.processInfo.activeProcessorCount)
    results["hessian_step_s"] = step.withHessian
    say(String(format: "Hessian step (n=%d, k=%d): %.1f ms with Hessian, %.1f ms gradient only; Hessian part %.1f GFLOP/s", n, k,
               step.withHessian * 1e3, step.gradientOnly * 1e3, step.hessianFlopsPerSecond / 1e9))
    say(String(format: "machine dsyrk, all cores, one OpenBLAS thread each: %.1f GFLOP/s at 100000 x %d, %.1f GFLOP/s at 2048 x 512", sameShape / 1e9, k, square / 1e9))
    say(String(format: "Hessian step / dsyrk: %.0f%% of the same-shape rate, %.0f%% of the large-matrix rate",
               100 * step.hessianFlopsPerSecond / sameShape, 100 * step.hessianFlopsPerSecond / square))
}

if only.contains("scorer") {
    // The scorer alone, in memory, on one core: leads with 40 signals each, beside the previous implementation.
    var options = Calibration.Options()
    options.intervals = false
    let fit = try Calibration.fit(dataset: data, options: options)
    let file = Version.make(fit, dataset: data, training: allRows, version: "bench", parent: nil, tool: "bench").file
    let ((seconds, baselineSeconds), differ, leads, perLead) = benchmarkScorer(file)
    results["scorer_ns_per_lead"] = seconds * 1e9 / Double(leads)
    results["scorer_baseline_ns_per_lead"] = baselineSeconds * 1e9 / Double(leads)
    say(String(format: "scorer in memory, one core, %d signals a lead: %.2f M leads/s (%.0f ns/lead); previous implementation %.2f M leads/s (%.0f ns/lead): %.2fx; probabilities agree to %.1e",
               perLead, Double(leads) / seconds / 1e6, seconds * 1e9 / Double(leads), Double(leads) / baselineSeconds / 1e6,
               baselineSeconds * 1e9 / Double(leads), baselineSeconds / seconds, differ))
}

/// The in-memory scorer against the previous implementation, alternated 7
/// times: median seconds of each, and the largest difference of their
/// probabilities. A function, not top-level code, so that the loops use
/// locals rather than main-actor globals (whose accesses from closures are
/// checked at run time).
func benchmarkScorer(_ file: WeightsFile) -> ((Double, Double), Double, Int, Int) {
    let scorer = Scorer(weights: file)
    let leads = 200_000, perLead = 40
    var state: UInt64 = 7
    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
    let signalCount = scorer.signalNames.count
    let kinds = (0..<(leads * perLead)).map { _ in Int32(next() % UInt64(signalCount)) }
    let ages = (0..<(leads * perLead)).map { _ in Double(next() % 400_000) / 1000 + 0.01 }
    let values = [Double](repeating: 1, count: leads * perLead)
    let attributes = scorer.attributes(["industry": "software", "employees": "120", "job_level": "vp"])

    // Today's scorer: one batch of events per lead, the flattened per-lead loop.
    var totals = scorer.makeTotals(leads: 1)
    var score = Scorer.Score()
    var fast = [Double](repeating: 0, count: leads)
    // The baseline: the previous implementation, event by event, fed as that commit's harness fed it.
    let baseline = BaselineScorer(weights: file, columnOrder: scorer.attributeColumns)
    let events = (0..<(leads * perLead)).map { (Int(kinds[$0]), ages[$0], values[$0]) }
    var old = baseline.makeTotals()
    var axes = [Double](repeating: 0, count: baseline.axisCount)
    var slow = [Double](repeating: 0, count: leads)
    var times: [(Double, Double)] = []
    let clock = ContinuousClock()
    for _ in 0..<7 {
        // Alternate the two so that both see the same machine.
        var t = clock.now
        kinds.withUnsafeBufferPointer { k in
            ages.withUnsafeBufferPointer { a in
                values.withUnsafeBufferPointer { v in
                    for lead in 0..<leads {
                        let events = (lead * perLead)..<((lead + 1) * perLead)
                        totals.reset(lead: 0)
                        totals.add(lead: 0, signals: UnsafeBufferPointer(rebasing: k[events]), ageDays: UnsafeBufferPointer(rebasing: a[events]),
                                   values: UnsafeBufferPointer(rebasing: v[events]))
                        scorer.score(lead: 0, totals: totals, attributes: attributes, into: &score)
                        fast[lead] = score.probability
                    }
                }
            }
        }
        let now = (clock.now - t).seconds
        t = clock.now
        for lead in 0..<leads {
            old.reset(lead: 0)
            for e in (lead * perLead)..<((lead + 1) * perLead) {
                let (s, age, value) = events[e]
                old.add(lead: 0, signal: s, ageDays: age, value: value)
            }
            slow[lead] = baseline.score(lead: 0, totals: old, x: attributes.x, axes: &axes)
        }
        times.append((now, (clock.now - t).seconds))
    }
    let seconds = times.map(\.0).sorted()[times.count / 2], baselineSeconds = times.map(\.1).sorted()[times.count / 2]
    let differ = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
    return ((seconds, baselineSeconds), differ, leads, perLead)
}

if asJSON {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(results), as: UTF8.self))
}
