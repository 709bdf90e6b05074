import Foundation
import LeadcalModel
import Testing
import LeadcalCalibration
import LeadcalData

@Suite("Tiers")
struct TierTests {
    @Test func specRulesParse() throws {
        let yaml = """
            name: t
            axes:
              fit: {attributes: {x: numeric}}
            tiers:
              call_today: top 2%
              call_this_week: p >= 0.3
              nurture: top 40%
              monitor: rest
            """
        let (spec, _) = try ModelSpec.parse(yaml: yaml)
        #expect(spec.tiers == [
            .init(name: "call_today", topShare: 0.02), .init(name: "call_this_week", minProbability: 0.3),
            .init(name: "nurture", topShare: 0.4), .init(name: "monitor", minProbability: 0),
        ])
        #expect(throws: DataError(file: "model.yaml", line: 5, column: 9, message: "tier 'soon': expected 'top N%', 'p >= X' or 'rest', found 'tomorrow'")) {
            try ModelSpec.parse(yaml: "name: t\naxes:\n  fit: {attributes: {x: numeric}}\ntiers:\n  soon: tomorrow\n")
        }
    }

    @Test func thresholdsFromTrainingScores() {
        let result = Fixture.fitted.result
        let p = result.trainingProbabilities
        let tiers = WeightsFile.Tier.thresholds([.init(name: "a", topShare: 0.05), .init(name: "b", minProbability: 0.3), .init(name: "c", topShare: 0.25), .init(name: "d", minProbability: 0)], trainingProbabilities: p)
        #expect(tiers.map(\.name) == ["a", "b", "c", "d"])
        // `top 5%`: the probability that the top 5% of training leads reach.
        let reach = p.filter { $0 >= tiers[0].minProbability }.count
        #expect(reach >= Int((0.05 * Double(p.count)).rounded(.up)))
        #expect(p.filter { $0 > tiers[0].minProbability }.count < Int((0.05 * Double(p.count)).rounded(.up)))
        // Thresholds never increase down the list; `rest` is 0.
        #expect(tiers[1].minProbability == min(0.3, tiers[0].minProbability))
        #expect(tiers[2].minProbability <= tiers[1].minProbability && tiers[3].minProbability == 0)
        // The defaults: act_now top 5%, nurture next 20%, monitor the rest.
        let defaults = WeightsFile.Tier.thresholds(nil, trainingProbabilities: p)
        #expect(defaults.map(\.name) == ["act_now", "nurture", "monitor"])
        let shareNurtureOrAbove = Double(p.filter { $0 >= defaults[1].minProbability }.count) / Double(p.count)
        #expect(shareNurtureOrAbove >= 0.25 && shareNurtureOrAbove < 0.26)
    }
}
