/// A data problem that is not an error: rows are counted and skipped, never
/// silently dropped. The first few examples say where to look.
public struct Anomaly: Sendable, Codable, Equatable {
    /// A stable identifier (for `--json` consumers).
    public var kind: String
    /// What is counted, in words.
    public var what: String
    public var count: Int = 0
    /// Up to ``Anomaly/exampleLimit`` examples, `file:line: detail`.
    public var examples: [String] = []

    public static let exampleLimit = 3

    public init(kind: String, what: String) {
        self.kind = kind
        self.what = what
    }

    mutating func record(_ example: @autoclosure () -> String) {
        count += 1
        if examples.count < Self.exampleLimit { examples.append(example()) }
    }

    mutating func merge(_ other: Anomaly) {
        count += other.count
        for e in other.examples where examples.count < Self.exampleLimit { examples.append(e) }
    }
}
