import Foundation

extension WeightsFile.Tier {
    /// Probability thresholds of tier rules, from the training leads'
    /// probabilities (as the scorer computes them): `top N%` becomes the
    /// probability that N% of the training leads reach (cumulative from the
    /// top), `p >= X` stays X, `rest` is 0. Thresholds never increase down the
    /// list, and a last tier (`other`) takes every remaining lead if the rules
    /// do not. Rules default to ``ModelSpec/TierRule/defaults``. Cost: one sort.
    public static func thresholds(_ rules: [ModelSpec.TierRule]?, trainingProbabilities: [Double]) -> [WeightsFile.Tier] {
        let sorted = trainingProbabilities.sorted(by: >)
        var previous = Double.infinity
        var out: [WeightsFile.Tier] = []
        for rule in rules ?? ModelSpec.TierRule.defaults {
            var threshold: Double
            var text: String
            if let share = rule.topShare {
                let index = max(0, min(sorted.count - 1, Int((share * Double(sorted.count)).rounded(.up)) - 1))
                threshold = sorted.isEmpty ? 1 : sorted[index]
                text = "top \(String(format: "%g", share * 100))%"
            } else {
                threshold = rule.minProbability ?? 0
                text = threshold == 0 ? "rest" : "p >= \(threshold)"
            }
            threshold = min(threshold, previous)
            previous = threshold
            out.append(.init(name: rule.name, minProbability: threshold, rule: text))
        }
        if let last = out.last, last.minProbability > 0 { out.append(.init(name: "other", minProbability: 0, rule: "rest")) }
        return out
    }
}
