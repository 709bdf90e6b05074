/// How a feature's weight came out of the fit. Anything but ``estimated`` is
/// not a plain estimate, and every report says so next to the number.
public enum WeightStatus: String, Sendable, Codable, Equatable, CaseIterable {
    /// Estimated, with a standard error and an interval.
    case estimated
    /// Held at zero by a non-negativity constraint: the data push it below
    /// zero, so 0 is a bound, not an estimate (no standard error).
    case atBoundZero = "at_bound_zero"
    /// Not estimated at all (weight 0): see ``NotEstimatedReason``.
    case notEstimated = "not_estimated"

    /// Whether the weight was fitted (at a bound or not).
    public var isFitted: Bool { self != .notEstimated }
}

/// Why a weight was not estimated.
public enum NotEstimatedReason: String, Sendable, Codable, Equatable, CaseIterable {
    /// The feature takes one value on every training row (for a signal: no
    /// training lead has such an event before its `as_of`).
    case constant
    /// An exact linear combination of other features (only at `l2 = 0`).
    case collinear
}
