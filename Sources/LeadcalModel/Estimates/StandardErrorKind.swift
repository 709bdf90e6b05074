/// What a fit's standard errors (and the z, p and Wald intervals made from
/// them) hold fixed.
public enum StandardErrorKind: String, Sendable, Codable, Equatable, CaseIterable {
    /// From the joint observed information in (intercept, weights, log
    /// half-lives): they carry the uncertainty of the estimated half-lives.
    case joint
    /// With the half-lives held fixed at their estimates (narrower: a signal's
    /// weight moves with its axis's half-life, and these ignore it).
    case conditional

    /// The summary's line about it.
    public var explanation: String {
        switch self {
        case .joint: "SEs are joint: they carry the uncertainty of the estimated half-lives (--conditional-se holds them fixed)."
        case .conditional: "SEs are conditional: they hold the half-lives fixed at their estimates (narrower than the joint ones)."
        }
    }
}
