import LeadcalModel

extension HalfLife {
    /// `[19.3, 46.7]`, `[≤ 0.5, 95.2]`, `[12.0, ≥ 3650]`, `[≤ 0.5, ≥ 3650]`; nil without an interval.
    public var intervalText: String? {
        guard let interval else { return nil }
        let lo = interval.lower.map(NumberFormat.days) ?? "≤ \(NumberFormat.days(HalfLife.searchRange.lowerBound))"
        let hi = interval.upper.map(NumberFormat.days) ?? "≥ \(Int(HalfLife.searchRange.upperBound))"
        return "[\(lo), \(hi)]"
    }

    /// What to print beside a half-life that is not a plain estimate; nil for an estimate.
    public var statusText: String? {
        switch status {
        case .estimated: return nil
        case .atBound: return "at the search bound"
        case .notIdentified: return "not identified by these data"
        case .fixed: return "fixed"
        case .noSignal: return "no training signal: starting value, not fitted"
        }
    }

    /// A one-character mark for tables (see ``marksLegend``): empty for an estimate.
    public var mark: String {
        switch status {
        case .estimated: return ""
        case .atBound: return "†"
        case .notIdentified: return "?"
        case .fixed: return "="
        case .noSignal: return "∅"
        }
    }

    public static let marksLegend = "† at the search bound (0.5 or 3650 d), ? not identified by the data, = fixed by the spec, ∅ no training signal (starting value kept)"
}

extension WeightStatus {
    /// What to print in place of a standard error.
    public var text: String {
        switch self {
        case .estimated: return "estimated"
        case .atBoundZero: return "at bound 0"
        case .notEstimated: return "not estimated"
        }
    }
}
