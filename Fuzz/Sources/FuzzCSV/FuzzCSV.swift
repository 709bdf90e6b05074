// The CSV reader, through the dataset loader: the input's first byte picks the
// file it becomes (leads.csv, signals.csv or outcomes.csv), the other two stay
// valid. Any input must end in a dataset or a DataError, never a crash.
import Foundation
import FuzzDriver
import LeadcalData

let folder: URL = {
    let url = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("leadcal-fuzz-csv-\(getpid())")
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? url : FileManager.default.temporaryDirectory.appendingPathComponent(url.lastPathComponent)
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    try! """
        name: fuzz
        axes:
          fit: {attributes: {industry: categorical, employees: log}}
          engagement: {signals: [email_open, pricing_visit], half_life_days: 14, fit_half_life: true}
        l2: 1
        """.write(to: base.appendingPathComponent("model.yaml"), atomically: false, encoding: .utf8)
    return base
}()

let valid = [
    "leads.csv": "lead_id,industry,employees\nA,software,10\nB,retail,200\n",
    "signals.csv": "lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,\nB,pricing_visit,2026-03-02T10:00:00Z,3\n",
    "outcomes.csv": "lead_id,outcome,as_of\nA,won,2026-04-01\nB,lost,2026-04-01\n",
]
let files = ["leads.csv", "signals.csv", "outcomes.csv"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size > 0 else { return 0 }
    let target = files[Int(data[0]) % files.count]
    for name in files {
        let bytes = name == target ? Data(bytes: data + 1, count: size - 1) : Data(valid[name]!.utf8)
        try! bytes.write(to: folder.appendingPathComponent(name))
    }
    _ = try? Dataset.load(directory: folder)
    return 0
}

@_cdecl("FuzzCSV_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
