import Foundation

/// Numbers as reports print them: fixed decimals where they show the value,
/// significant digits where fixed decimals would print a non-zero number as
/// zero (`2.06e-05`, not `0.0000`) or overflow the column (`3.1e+07`).
public enum NumberFormat {
    /// `v` with `decimals` decimals, or 3 significant digits when that would
    /// hide it; `-` for nil, `nan`/`inf` spelled out.
    public static func fixed(_ v: Double?, _ decimals: Int = 4) -> String {
        guard let v else { return "-" }
        guard v.isFinite else { return v.isNaN ? "nan" : v > 0 ? "inf" : "-inf" }
        let smallest = 0.5 * pow(10, -Double(decimals))
        if v != 0 && abs(v) < smallest { return String(format: "%.3g", v) }
        if abs(v) >= 1e7 { return String(format: "%.4g", v) }
        return String(format: "%.\(decimals)f", v)
    }

    /// Like ``fixed(_:_:)`` with a sign always shown (`+0.0123`, `-2.1e-05`).
    public static func signed(_ v: Double?, _ decimals: Int = 4) -> String {
        guard let v else { return "-" }
        let text = fixed(v, decimals)
        return v >= 0 && !text.hasPrefix("+") ? "+" + text : text
    }

    /// Days as reports print half-lives: one decimal from 10 days, two below.
    public static func days(_ v: Double?) -> String {
        guard let v else { return "-" }
        return String(format: v < 10 ? "%.2f" : "%.1f", v)
    }
}
