import ArgumentParser
import Foundation
import LeadcalExport
import LeadcalModel

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a weights file for production outside Swift: one SQL query per engine, or a flat JSON model.",
        discussion: """
            --format sql-postgres|sql-sqlite|sql-duckdb|sql-spark writes one self-contained query (no \
            user-defined function) that scores every lead exactly as `leadcal score` does. It reads \
            three tables: leads (lead_id and the attribute columns, as text), \
            signals(lead_id, signal, occurred_at, value) with occurred_at a timestamp (ISO 8601 text \
            in SQLite) and value NULL meaning 1, and a one-row scoring_params(as_of). It returns \
            lead_id, probability, score, tier, model_version and one <axis>_logit column per axis. \
            --table-prefix names the tables (crm.lc_ reads "crm"."lc_leads", …).

            --format json writes the model in a flat production form for scorers in other \
            languages (schema/production-model.schema.json; the formula is in the document).

            The weights file is validated first (format, checksum, content).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json
        case sqlPostgres = "sql-postgres"
        case sqlSqlite = "sql-sqlite"
        case sqlDuckdb = "sql-duckdb"
        case sqlSpark = "sql-spark"

        var dialect: SQLDialect? {
            switch self {
            case .json: return nil
            case .sqlPostgres: return .postgres
            case .sqlSqlite: return .sqlite
            case .sqlDuckdb: return .duckdb
            case .sqlSpark: return .spark
            }
        }
    }

    @Option(help: "The weights file to export.", completion: .file(extensions: ["json"]))
    var weights: String

    @Option(help: "json, sql-postgres, sql-sqlite, sql-duckdb or sql-spark.")
    var format: Format

    @Option(help: "Prefix of the input tables (a schema may be part of it: crm.lc_).")
    var tablePrefix: String = ""

    @Option(help: "Write to this file (atomically) instead of stdout.", completion: .file())
    var out: String?

    @Flag(help: "Replace --out if it is an export written before (never a weights file).")
    var force = false

    func run() throws {
        if let out {
            try runReportingDataErrors {
                try OutputPath.checkFile(out, option: "--out", inputs: [weights], force: force) { path in
                    let head = OutputPath.head(path, bytes: 4096)
                    return head.hasPrefix("-- leadcal model") || head.contains("\"leadcal.production-model\"")
                }
            }
        }
        let text: Data = try runReportingDataErrors {
            let file = try loadWeights(weights)
            if let dialect = format.dialect {
                return Data(SQLExport.query(model: file, dialect: dialect, tablePrefix: tablePrefix).utf8)
            }
            return try ProductionModel(file).json()
        }
        if let out {
            try runReportingDataErrors { try writeAtomically(text, to: URL(fileURLWithPath: out)) }
        } else {
            FileHandle.standardOutput.write(text)
        }
    }
}
