/// An axis's half-life: the value scorers use, what kind of number it is,
/// and its 95% profile-likelihood interval.
public struct HalfLife: Sendable, Codable, Equatable {
    /// Days; the value every scorer uses, whatever the status.
    public var days: Double
    public var status: HalfLifeStatus
    /// 95% profile-likelihood interval (fitted half-lives whose interval was computed).
    public var interval: HalfLifeInterval?

    public init(days: Double, status: HalfLifeStatus, interval: HalfLifeInterval? = nil) {
        self.days = days
        self.status = status
        self.interval = interval
    }

    /// The range calibration searches, in days.
    public static let searchRange: ClosedRange<Double> = 0.5...3650
}

/// How a half-life came out of the fit.
public enum HalfLifeStatus: String, Sendable, Codable, Equatable, CaseIterable {
    /// The maximum of the profile likelihood, inside the search range.
    case estimated
    /// The profile is highest at an end of the search range (0.5 or 3650 days):
    /// the data only say "this short or shorter" / "this long or longer".
    case atBound = "at_bound"
    /// The profile never falls 1.92 below its maximum inside the search range:
    /// the data do not tell this half-life (the value is the profile's maximum, nothing more).
    case notIdentified = "not_identified"
    /// Held at the spec's value (`fit_half_life: false`).
    case fixed
    /// No training lead has an event of this axis before its `as_of`: the
    /// spec's starting value is kept, nothing was fitted.
    case noSignal = "no_signal"

    /// Whether the number is a plain estimate.
    public var isEstimate: Bool { self == .estimated }
}

/// The 95% profile-likelihood interval of a half-life, in days. An end the
/// profile does not reach inside the search range is nil (unbounded): the
/// data do not close the interval on that side.
public struct HalfLifeInterval: Sendable, Equatable, Codable {
    public var lower: Double?
    public var upper: Double?

    public init(lower: Double?, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }

    /// Neither end reached: the half-life is not identified.
    public var isUnbounded: Bool { lower == nil && upper == nil }

    /// Encoded as `[lower, upper]`, with `null` for an unbounded end.
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        lower = try c.decodeIfPresent(Double.self)
        upper = try c.decodeIfPresent(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        if let lower { try c.encode(lower) } else { try c.encodeNil() }
        if let upper { try c.encode(upper) } else { try c.encodeNil() }
    }
}
