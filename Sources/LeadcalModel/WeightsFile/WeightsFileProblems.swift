extension WeightsFile {
    /// Largest weight magnitude a weights file may hold: far beyond any
    /// fitted weight, small enough that no sum of contributions overflows.
    public static let weightLimit = 1e9

    /// What makes this document unusable, most basic first; empty when it is
    /// sound. The one check of a weights file's content: the writer refuses to
    /// write a document with a problem, every reader refuses to load one.
    public func problems() -> [String] {
        var out: [String] = []
        if !WeightsStore.isValidName(model) { out.append("model name '\(model)' is not 1 to \(WeightsStore.maxNameLength) letters, digits, '.', '_' or '-'") }
        if !WeightsStore.isValidName(version) { out.append("version '\(version)' is not 1 to \(WeightsStore.maxNameLength) letters, digits, '.', '_' or '-'") }
        func number(_ v: Double?, _ what: String, limit: Double = .greatestFiniteMagnitude) {
            guard let v else { return }
            if !v.isFinite { out.append("\(what) is \(v): not a finite number") }
            else if abs(v) > limit { out.append("\(what) is \(v): outside ±\(limit), not a fitted value") }
        }
        number(intercept.weight, "the intercept", limit: Self.weightLimit)
        number(intercept.stdError, "the intercept's standard error")
        if axes.isEmpty { out.append("no axes") }
        var names = Set<String>()
        for axis in axes {
            if let h = axis.halfLife {
                number(h.days, "the \(axis.name) half-life")
                if !(h.days > 0) { out.append("the \(axis.name) half-life is \(h.days) days: not positive") }
                number(h.interval?.lower, "the \(axis.name) half-life interval")
                number(h.interval?.upper, "the \(axis.name) half-life interval")
            } else if axis.features.contains(where: { $0.kind == .signal }) {
                out.append("axis \(axis.name) has signals but no half-life")
            }
            for f in axis.features {
                if !names.insert(f.name).inserted { out.append("feature '\(f.name)' appears twice") }
                number(f.weight, "the weight of \(f.name)", limit: Self.weightLimit)
                number(f.mean, "the mean of \(f.name)")
                number(f.stdError, "the standard error of \(f.name)")
                for e in f.interval ?? [] { number(e, "the interval of \(f.name)") }
                if f.kind == .category && f.level == nil { out.append("category feature \(f.name) has no level") }
                if f.status == .notEstimated && f.weight != 0 { out.append("\(f.name) is not estimated but has weight \(f.weight)") }
            }
        }
        if tiers.isEmpty { out.append("no tiers: every lead needs one") }
        if tiers == Self.pendingTiers { out.append("the tiers' thresholds were never computed") }
        if !metrics.training.logLoss.isFinite || !metrics.training.brier.isFinite { out.append("the training metrics were never computed") }
        var previous = Double.infinity
        for t in tiers {
            number(t.minProbability, "the threshold of tier \(t.name)")
            if t.name.isEmpty { out.append("a tier has no name") }
            if !(t.minProbability >= 0 && t.minProbability <= 1) { out.append("tier \(t.name): threshold \(t.minProbability) is not a probability") }
            if t.minProbability > previous { out.append("tier \(t.name): thresholds must not increase down the list") }
            previous = t.minProbability
        }
        if let last = tiers.last, last.minProbability != 0 { out.append("the last tier (\(last.name)) must take every remaining lead (threshold 0)") }
        number(statistics.objective, "the objective")
        number(statistics.logLikelihood, "the log-likelihood")
        return out
    }
}
