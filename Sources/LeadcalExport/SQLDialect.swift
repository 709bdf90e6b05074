import Foundation

/// A SQL engine the model is exported to, and the one way each writes what
/// comes from data or from the model: identifiers, string literals, numbers,
/// and the few expressions where the engines differ (the age of a signal).
///
/// Every identifier and literal of an exported query goes through
/// ``identifier(_:)``, ``string(_:)`` or ``number(_:)``: a level named
/// `x'); DROP TABLE leads; --` is one string literal, nothing else.
public enum SQLDialect: String, Sendable, CaseIterable, Codable {
    case postgres
    case sqlite
    case duckdb
    case spark

    /// The engine's name, for comments.
    public var displayName: String {
        switch self {
        case .postgres: return "PostgreSQL"
        case .sqlite: return "SQLite"
        case .duckdb: return "DuckDB"
        case .spark: return "Spark SQL"
        }
    }

    /// A quoted identifier: `"name"` with `"` doubled (SQL standard:
    /// PostgreSQL, SQLite, DuckDB), or `` `name` `` with `` ` `` doubled (Spark).
    public func identifier(_ name: String) -> String {
        switch self {
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        default: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// A string literal. Standard SQL doubles `'`; Spark's parser also reads
    /// backslash escapes, so there `\` and `'` are escaped with a backslash.
    /// NUL, which no engine stores in text, becomes U+FFFD.
    public func string(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\0", with: "\u{FFFD}")
        switch self {
        case .spark:
            return "'" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        default:
            return "'" + clean.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    /// The type name of a double.
    public var doubleType: String {
        switch self {
        case .postgres: return "DOUBLE PRECISION"
        case .sqlite: return "REAL"
        case .duckdb, .spark: return "DOUBLE"
        }
    }

    /// A double constant, exactly: the shortest decimal that reads back as
    /// `v`, cast to the engine's double type (a bare decimal literal is a
    /// NUMERIC or DECIMAL in PostgreSQL and DuckDB, an integer in SQLite when it has no point).
    public func number(_ v: Double) -> String {
        precondition(v.isFinite, "a model holds finite numbers only")
        return "CAST('\(v)' AS \(doubleType))"
    }

    /// Seconds from `earlier` to `later`, two timestamps (ISO 8601 text in
    /// SQLite), as a double: microseconds exact in PostgreSQL, DuckDB and
    /// Spark, milliseconds in SQLite (its time resolution).
    func seconds(from earlier: String, to later: String) -> String {
        switch self {
        case .postgres:
            return "CAST(EXTRACT(EPOCH FROM (\(later) - \(earlier))) AS DOUBLE PRECISION)"
        case .duckdb:
            return "CAST(epoch_us(\(later)) - epoch_us(\(earlier)) AS DOUBLE) / 1000000.0"
        case .spark:
            return "CAST(unix_micros(\(later)) - unix_micros(\(earlier)) AS DOUBLE) / 1000000.0"
        case .sqlite:
            func epoch(_ t: String) -> String {
                "(CAST(strftime('%s', \(t)) AS REAL) - CAST(strftime('%S', \(t)) AS REAL) + CAST(strftime('%f', \(t)) AS REAL))"
            }
            return "(\(epoch(later)) - \(epoch(earlier)))"
        }
    }

    /// A signal's `value`: NULL means 1 (and, in SQLite, where an imported CSV
    /// leaves empty text rather than NULL, so does an empty cell).
    func signalValue(_ column: String) -> String {
        self == .sqlite ? "COALESCE(NULLIF(TRIM(\(column)), ''), 1)" : "COALESCE(\(column), 1)"
    }

    /// A text cell read as a double, or NULL when it is not a number. PostgreSQL
    /// and DuckDB stop the query with a cast error; SQLite, which would read
    /// `12abc` as 12, is guarded by a character check; Spark returns NULL.
    func parsedNumber(_ text: String) -> String {
        switch self {
        case .sqlite:
            return "CASE WHEN TRIM(\(text)) GLOB '*[^0-9eE.+-]*' THEN NULL ELSE CAST(TRIM(\(text)) AS REAL) END"
        default:
            return "CAST(TRIM(\(text)) AS \(doubleType))"
        }
    }

    /// A table name with the user's prefix: `crm.lc_` + `leads` is
    /// `"crm"."lc_leads"` (the parts before the last `.` are schema qualifiers).
    func table(_ name: String, prefix: String) -> String {
        var parts = prefix.components(separatedBy: ".")
        let last = parts.removeLast()
        return (parts + [last + name]).map(identifier).joined(separator: ".")
    }
}
