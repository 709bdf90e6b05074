// The scoring service's request reader and scoring: any body must end in an
// answer or a RequestError (a 400), never a crash. The model is the weights
// file named by LEADCAL_FUZZ_WEIGHTS (make fuzz passes the corpus's).
import Foundation
import FuzzDriver
import LeadcalScorer
import LeadcalService

let scorer: Scorer = {
    guard let path = ProcessInfo.processInfo.environment["LEADCAL_FUZZ_WEIGHTS"] else {
        fatalError("set LEADCAL_FUZZ_WEIGHTS to a weights file")
    }
    return try! Scorer.load(URL(fileURLWithPath: path))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ScoringService.answer(score: body, with: scorer, now: 1_793_491_200)
    _ = try? ScoringService.answer(batch: body, with: scorer, now: 1_793_491_200)
    return 0
}

@_cdecl("FuzzRequest_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
