// The weights-file loader: any bytes must end in a validated model or a
// WeightsError. A document that loads must then score a lead, give its
// reasons, and export to every SQL dialect and to JSON without a crash.
import Foundation
import FuzzDriver
import LeadcalExport
import LeadcalModel
import LeadcalScorer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard let file = try? WeightsStore.decode(Data(bytes: data, count: size), name: "fuzz") else { return 0 }
    let scorer = Scorer(weights: file)
    var totals = scorer.makeTotals(leads: 1)
    for s in 0..<scorer.signalNames.count { totals.add(lead: 0, signal: s, ageDays: Double(s + 1), value: 1e300) }
    let attributes = scorer.attributes(values: scorer.attributeColumns.map { _ in "1e308" })
    _ = scorer.score(lead: 0, totals: totals, attributes: attributes)
    _ = scorer.reasons(lead: 0, totals: totals, attributes: attributes, limit: 5).map(\.description)
    for dialect in SQLDialect.allCases { _ = SQLExport.query(model: file, dialect: dialect) }
    _ = try? ProductionModel(file).json()
    return 0
}

@_cdecl("FuzzWeights_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
