import Foundation
import Testing
import LeadcalData
import LeadcalScorer
import LeadcalModel

@Suite("The production scorer")
struct ScorerTests {
    @Test("scores equal the calibration's own predictions on the training rows to 1e-12 (with breadth features too)", arguments: [false, true])
    func matchesCalibration(breadth: Bool) throws {
        let (dataset, result, file) = breadth ? Fixture.fittedBreadth : Fixture.fitted
        if breadth {
            #expect(file.features.filter { $0.kind == .breadth }.map(\.name) == ["engagement_breadth", "history_breadth"])
            #expect(file.features.first { $0.name == "engagement_breadth" }!.status == .estimated)
        }
        let scorer = Scorer(weights: file)
        let events = dataset.events
        let signals = dataset.spec!.signals
        var totals = scorer.makeTotals(leads: dataset.decided.count)
        for row in 0..<dataset.decided.count {
            for e in events.rowStart[row]..<events.rowStart[row + 1] {
                totals.add(lead: row, signal: scorer.signalIndex(signals[Int(events.signal[e])])!, ageDays: events.age[e], value: events.value[e])
            }
        }
        var worst = 0.0
        for row in 0..<dataset.decided.count {
            let lead = Int(dataset.decided[row])
            var attributes: [String: String] = [:]
            for column in scorer.attributeColumns {
                if let c = dataset.leads.categories[column] { attributes[column] = c.levels[Int(c.codes[lead])] }
                if let values = dataset.leads.numbers[column] { attributes[column] = String(values[lead]) }
            }
            let s = scorer.score(lead: row, totals: totals, attributes: scorer.attributes(attributes))
            worst = max(worst, abs(s.probability - result.trainingProbabilities[row]))
        }
        #expect(worst < 1e-12, "largest difference \(worst)")
    }

    @Test("a lead's events folded as one batch give the bits of folding them one by one (breadth flags, late events, any batch length)",
          arguments: [false, true])
    func batchEqualsOneByOne(breadth: Bool) throws {
        let (dataset, _, file) = breadth ? Fixture.fittedBreadth : Fixture.fitted
        let scorer = Scorer(weights: file)
        let events = dataset.events
        let names = dataset.spec!.signals
        let rows = dataset.decided.count
        var single = scorer.makeTotals(leads: rows), batch = scorer.makeTotals(leads: rows)
        var kinds: [Int32] = [], ages: [Double] = [], values: [Double] = []
        for row in 0..<rows {
            kinds.removeAll(keepingCapacity: true); ages.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true)
            for e in events.rowStart[row]..<events.rowStart[row + 1] {
                let k = scorer.signalIndex(names[Int(events.signal[e])])!
                // Every seventh event moved to or past the reading time: counted as late, never folded.
                let age = e % 7 == 3 ? -events.age[e] : e % 7 == 5 ? 0 : events.age[e]
                kinds.append(Int32(k)); ages.append(age); values.append(events.value[e])
                single.add(lead: row, signal: k, ageDays: age, value: events.value[e])
            }
            kinds.withUnsafeBufferPointer { k in
                ages.withUnsafeBufferPointer { a in values.withUnsafeBufferPointer { v in batch.add(lead: row, signals: k, ageDays: a, values: v) } }
            }
        }
        #expect(single.future == batch.future && batch.future > 0)
        var lengths = Set<Int>(), recent = 0
        for row in 0..<rows {
            lengths.insert((events.rowStart[row + 1] - events.rowStart[row]) % 4)
            for s in 0..<scorer.signalNames.count {
                #expect(batch.sum(lead: row, signal: s).bitPattern == single.sum(lead: row, signal: s).bitPattern)
                #expect(batch.count(lead: row, signal: s) == single.count(lead: row, signal: s))
                #expect(batch.lastAge(lead: row, signal: s) == single.lastAge(lead: row, signal: s))
                #expect(batch.recent(lead: row, signal: s) == single.recent(lead: row, signal: s))
                if batch.recent(lead: row, signal: s) { recent += 1 }
            }
        }
        // Batches of every length modulo the four lanes, and breadth flags only where the model has a window.
        #expect(lengths == [0, 1, 2, 3])
        #expect(breadth ? recent > 0 : recent == 0)
    }

    /// A two-feature model written by hand, scored by hand.
    func handModel() -> WeightsFile {
        func feature(_ name: String, _ kind: FeatureKind, _ source: String, level: String? = nil, weight: Double, mean: Double) -> WeightsFile.Feature {
            .init(name: name, kind: kind, source: source, level: level, referenceLevel: level == nil ? nil : "software", weight: weight,
                  stdError: nil, interval: nil, status: .estimated, mean: mean)
        }
        return WeightsFile(
            model: "hand", version: "1", parent: nil, createdAt: "2026-11-01T00:00:00Z", tool: "test",
            spec: ModelSpec(name: "hand", axes: [], l2: 1),
            training: .init(rows: 0, won: 0, lost: 0, asOf: [], closedAt: [], window: .init(from: "2026-01-01", to: "2026-02-01", toInclusive: false),
                            dataFingerprint: "", anomalies: [:], inputs: [:]),
            intercept: .init(weight: -2),
            axes: [
                .init(name: "fit", saturation: .none, nonnegative: false, referenceLevels: ["industry": "software"], features: [
                    feature("industry=retail", .category, "industry", level: "retail", weight: -0.5, mean: 0.2),
                    feature("employees", .log, "employees", weight: 0.25, mean: 3),
                ]),
                .init(name: "engagement", halfLife: HalfLife(days: 10, status: .estimated), saturation: .log1p, nonnegative: true, features: [
                    feature("pricing_visit", .signal, "pricing_visit", weight: 0.8, mean: 0.3),
                ]),
            ],
            statistics: .init(objective: 0, logLikelihood: 0, nullLogLikelihood: 0, pseudoR2: 0, aic: 0, converged: true, iterations: 0, newtonIterations: 0, warnings: []),
            metrics: .init(training: .init(rows: 0, won: 0, auc: nil, logLoss: 0, brier: 0)),
            tiers: [.init(name: "act_now", minProbability: 0.5, rule: "p >= 0.5"), .init(name: "monitor", minProbability: 0, rule: "rest")])
    }

    @Test("a hand-computed lead pins the formula")
    func handComputed() {
        let scorer = Scorer(weights: handModel())
        var totals = scorer.makeTotals(leads: 1)
        let pricing = scorer.signalIndex("pricing_visit")!
        totals.add(lead: 0, signal: pricing, ageDays: 2, value: 3)     // 3 · 2^(−2/10)
        totals.add(lead: 0, signal: pricing, ageDays: 20)              // 1 · 2^(−20/10)
        totals.add(lead: 0, signal: pricing, ageDays: -1)              // after the reading time: ignored
        #expect(scorer.signalIndex("chat_open") == nil)
        let attributes = scorer.attributes(["industry": "retail", "employees": "99"])
        let s = scorer.score(lead: 0, totals: totals, attributes: attributes)
        let sum = 3 * pow(2, -0.2) + 0.25
        let logit = -2 - 0.5 + 0.25 * log(100) + 0.8 * log1p(sum)
        #expect(abs(s.logit - logit) < 1e-14)
        #expect(abs(s.probability - 1 / (1 + exp(-logit))) < 1e-15)
        #expect(s.score == Int((100 / (1 + exp(-logit)) + 0.5).rounded(.down)))
        #expect(scorer.tier(s) == (s.probability >= 0.5 ? "act_now" : "monitor"))
        #expect(abs(s.axisContributions[0] - (-0.5 + 0.25 * log(100))) < 1e-14)
        #expect(abs(s.axisContributions[1] - 0.8 * log1p(sum)) < 1e-14)
        #expect(totals.future == 1)
        let reasons = scorer.reasons(lead: 0, totals: totals, attributes: attributes, limit: 3)
        #expect(abs(reasons[0].effect - 0.8 * (log1p(sum) - 0.3)) < 1e-14)
        #expect(reasons.map(\.description) == [
            String(format: "pricing_visit ×2, last 2 days ago (+%.2f)", 0.8 * (log1p(sum) - 0.3)),
            String(format: "employees 99 (+%.2f)", 0.25 * (log(100) - 3)),
            "industry=retail (−0.40)",
        ])
    }

    @Test("a breadth feature counts the axis's signal types seen in its window, zero-weight ones included, by the exact age")
    func breadthHandComputed() {
        var model = handModel()
        model.axes[1].breadthDays = 7
        model.axes[1].features.append(.init(name: "email_open", kind: .signal, source: "email_open", weight: 0, status: .atBoundZero, mean: 0))
        model.axes[1].features.insert(.init(name: "engagement_breadth", kind: .breadth, source: "engagement", weight: 0.3, status: .estimated, mean: 0.5), at: 0)
        let scorer = Scorer(weights: model)
        let pricing = scorer.signalIndex("pricing_visit")!, open = scorer.signalIndex("email_open")!
        func logit(_ events: [(Int, Double)]) -> Double {
            var totals = scorer.makeTotals(leads: 1)
            for (s, age) in events { totals.add(lead: 0, signal: s, ageDays: age) }
            return scorer.score(lead: 0, totals: totals, attributes: scorer.attributes([:])).logit
        }
        // Missing attributes: industry at its reference (0), employees at its training mean (0.25 · 3).
        let c = -2 + 0.25 * 3.0
        #expect(abs(logit([(pricing, 30), (open, 30)]) - (c + 0.8 * log1p(pow(2, -3.0)))) < 1e-12)              // breadth 0
        #expect(abs(logit([(pricing, 7), (open, 7 + 1e-9)]) - (c + 0.8 * log1p(pow(2, -0.7)) + 0.3)) < 1e-12)    // 7 days is in, a hair beyond is out
        #expect(abs(logit([(pricing, 1), (open, 0.5)]) - (c + 0.8 * log1p(pow(2, -0.1)) + 0.6)) < 1e-12)         // a zero-weight type counts
        #expect(abs(logit([(pricing, 1), (pricing, 2)]) - (c + 0.8 * log1p(pow(2, -0.1) + pow(2, -0.2)) + 0.3)) < 1e-12)  // one type, twice
        var totals = scorer.makeTotals(leads: 1)
        totals.add(lead: 0, signal: pricing, ageDays: 1)
        totals.add(lead: 0, signal: pricing, ageDays: 2)
        #expect(totals.count(lead: 0, signal: pricing) == 2)   // the flag does not leak into the count
        let reasons = scorer.reasons(lead: 0, totals: totals, attributes: scorer.attributes([:]), limit: 5)
        #expect(reasons.contains { $0.description == "engagement_breadth 1 (+0.15)" })
    }

    @Test("reasons are ranked by |effect|, largest first; the top n are the first n of the whole ranking")
    func reasonRanking() throws {
        let (dataset, _, file) = Fixture.fitted
        let scorer = Scorer(weights: file)
        let events = dataset.events, signals = dataset.spec!.signals
        var totals = scorer.makeTotals(leads: dataset.decided.count)
        for row in 0..<dataset.decided.count {
            for e in events.rowStart[row]..<events.rowStart[row + 1] {
                totals.add(lead: row, signal: scorer.signalIndex(signals[Int(events.signal[e])])!, ageDays: events.age[e], value: events.value[e])
            }
        }
        let attributes = scorer.attributes(["industry": "software", "employees": "120", "job_level": "vp"])
        for row in stride(from: 0, to: dataset.decided.count, by: 7) {
            let all = scorer.reasons(lead: row, totals: totals, attributes: attributes, limit: 1_000)
            #expect(!all.isEmpty && all.allSatisfy { abs($0.effect) >= 0.005 })
            #expect(zip(all, all.dropFirst()).allSatisfy { abs($0.effect) >= abs($1.effect) })
            for n in 1...4 {
                #expect(scorer.reasons(lead: row, totals: totals, attributes: attributes, limit: n).map(\.description) == all.prefix(n).map(\.description))
            }
        }
        // The text bulk scoring writes is the reasons' descriptions, joined by "; ", for any limit and attributes
        // (decimals, negative numbers, levels, a level never seen, a missing number).
        var ranking = Scorer.ReasonRanking()
        let people = [
            ["industry": "software", "employees": "120", "job_level": "vp"], ["industry": "retail", "employees": "7.25", "job_level": "c_level"],
            ["industry": "never_seen", "employees": "-3.5"], ["employees": "1e6"], [:],
        ]
        for (k, person) in people.enumerated() {
            let attributes = scorer.attributes(person)
            for row in stride(from: k, to: dataset.decided.count, by: 11) {
                for n in [0, 1, 3, 1_000] {
                    var text: [UInt8] = Array("kept|".utf8)
                    scorer.writeReasons(lead: row, totals: totals, attributes: attributes, limit: n, ranking: &ranking, into: &text)
                    let joined = scorer.reasons(lead: row, totals: totals, attributes: attributes, limit: n).map(\.description).joined(separator: "; ")
                    #expect(String(decoding: text, as: UTF8.self) == "kept|" + joined, "row \(row), limit \(n)")
                }
            }
        }
        // A limit of 0 asks for none.
        let tie = Scorer(weights: handModel())
        var one = tie.makeTotals(leads: 1)
        one.add(lead: 0, signal: tie.signalIndex("pricing_visit")!, ageDays: 1)
        #expect(tie.reasons(lead: 0, totals: one, attributes: tie.attributes([:]), limit: 0).isEmpty)
    }

    @Test("a missing number is reported for the lead, not a crash")
    func missingAttribute() {
        let scorer = Scorer(weights: handModel())
        let totals = scorer.makeTotals(leads: 1)
        let attributes = scorer.attributes(["industry": "software"])
        #expect(attributes.notes == ["employees missing (training mean used)"])
        let s = scorer.score(lead: 0, totals: totals, attributes: attributes)
        #expect(abs(s.logit - (-2 + 0.25 * 3)) < 1e-15)
        #expect(scorer.attributes(["industry": "software", "employees": "many"]).notes == ["employees: 'many' is not a valid number (training mean used)"])
    }
}
