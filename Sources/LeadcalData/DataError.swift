/// An input problem, located at `file:line:column`.
///
/// Every error the loader raises names the file, the 1-based physical line and
/// the 1-based character column where the problem starts, and says what was
/// expected. Its `description` is the one-line message the CLI prints.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file name as shown to the user (for example `signals.csv`).
    public var file: String
    /// 1-based physical line (a quoted field spanning lines counts each line); 0 for the file as a whole.
    public var line: Int
    /// 1-based character column.
    public var column: Int
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, or `file: message` for a problem of the
    /// file or folder as a whole (line 0).
    public var description: String { line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)" }
}

/// An error found while scanning one part of a file, located relative to the
/// part's first line; ``CSVSource`` turns it into a ``DataError``.
struct FieldError: Error {
    var line: Int
    var column: Int
    var message: String
}
