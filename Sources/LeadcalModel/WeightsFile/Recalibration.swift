/// How a recalibrated version was made from its parent: the intercept and
/// slope of a logistic regression of recent outcomes on the parent's logit.
///
/// The child's logit is `offset + slope × (parent's logit)`: its weights are
/// the parent's times `slope`, its intercept `offset + slope × (parent's
/// intercept)`, its half-lives and reference levels the parent's. Only
/// `offset` and `slope` were estimated on the recent outcomes; the weights'
/// standard errors are not re-estimated (they are absent from the child).
public struct Recalibration: Sendable, Codable, Equatable {
    /// The parent's version.
    public var parent: String
    /// The recalibration outcomes: decided leads closed at or after `after`.
    public var after: String
    public var rows: Int
    public var won: Int
    /// Added to the slope-scaled logit; its 95% Wald interval.
    public var offset: WeightsFile.Estimate
    public var offsetInterval: [Double]
    /// Multiplies the parent's logit (1: the parent's spread was right).
    public var slope: WeightsFile.Estimate
    public var slopeInterval: [Double]
    public var logLikelihood: Double
    /// The parent's own log-likelihood on the same outcomes.
    public var parentLogLikelihood: Double

    public init(
        parent: String, after: String, rows: Int, won: Int, offset: WeightsFile.Estimate, offsetInterval: [Double],
        slope: WeightsFile.Estimate, slopeInterval: [Double], logLikelihood: Double, parentLogLikelihood: Double
    ) {
        self.parent = parent
        self.after = after
        self.rows = rows
        self.won = won
        self.offset = offset
        self.offsetInterval = offsetInterval
        self.slope = slope
        self.slopeInterval = slopeInterval
        self.logLikelihood = logLikelihood
        self.parentLogLikelihood = parentLogLikelihood
    }
}
