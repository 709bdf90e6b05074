/// What a fit's standard errors (and the z, p and Wald intervals made from
/// them) hold fixed.
public enum StandardErrorKind: String, Sendable, Codable, Equatable, CaseIterable {
    /// From the joint observed information in (intercept, weights, log
    /// half-lives): they carry the uncertainty of the estimated half-lives.
    case joint
    /// With the half-lives held fixed at their estimates (narrower: a signal's
    /// weight moves with its axis's half-life, and these ignore it).
    case conditional
    /// Amount-weighted fits: the robust (sandwich) covariance `H⁻¹ M H⁻¹`,
    /// since deal values are not frequencies; half-lives held fixed.
    case sandwich

    /// The summary's line about it.
    public var explanation: String {
        switch self {
        case .sandwich: "SEs are sandwich (robust) ones, as the fit is weighted by deal value (weights are not frequencies); they hold the half-lives fixed."
        case .joint: "SEs are joint: they carry the uncertainty of the estimated half-lives (--conditional-se holds them fixed)."
        case .conditional: "SEs are conditional: they hold the half-lives fixed at their estimates (narrower than the joint ones)."
        }
    }
}
