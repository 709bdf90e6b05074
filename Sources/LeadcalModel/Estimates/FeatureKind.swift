/// What a feature of the model is computed from.
public enum FeatureKind: String, Sendable, Codable, Equatable, CaseIterable {
    /// `column=level`: 1 when the lead's attribute has this level, else 0.
    /// The column's reference level has no feature.
    case category
    /// A number attribute as is.
    case numeric
    /// `log1p` of a number attribute (>= 0).
    case log
    /// The axis saturation of a signal type's decayed sum.
    case signal
    /// The number of distinct signal types of the axis with an event in the
    /// axis's `breadth_days` before the reading time (0 < age <= N days).
    case breadth
}
