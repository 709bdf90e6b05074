// Scores one lead with a weights file: `score-one WEIGHTS.json`.
import Foundation
import LeadcalScorer

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: score-one WEIGHTS.json\n".utf8))
    exit(64)
}
do {
    let scorer = try Scorer.load(URL(fileURLWithPath: CommandLine.arguments[1]))
    var totals = scorer.makeTotals(leads: 1)
    // A lead that visited the pricing page three times, two days ago, and had a meeting a month ago.
    for (type, ageDays, value) in [("pricing_visit", 2.0, 3.0), ("meeting", 30.0, 1.0), ("chat_open", 1.0, 1.0)] {
        guard let s = scorer.signalIndex(type) else { continue }   // types the model does not use are ignored
        totals.add(lead: 0, signal: s, ageDays: ageDays, value: value)
    }
    let attributes = scorer.attributes(["industry": "software", "employees": "120", "job_level": "vp"])
    let score = scorer.score(lead: 0, totals: totals, attributes: attributes)
    print("probability \(score.probability), score \(score.score), tier \(scorer.tier(score))")
    for reason in scorer.reasons(lead: 0, totals: totals, attributes: attributes) { print("  \(reason)") }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
