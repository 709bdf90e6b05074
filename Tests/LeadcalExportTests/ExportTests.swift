import Foundation
import LeadcalExport
import LeadcalModel
import Testing

/// A small model with hostile names everywhere a name can be.
func hostileModel() -> WeightsFile {
    let level = "x'); DROP TABLE leads; --"
    return WeightsFile(
        model: "m", version: "1", parent: nil, createdAt: "2026-11-01T00:00:00Z", tool: "test", spec: ModelSpec(name: "m", axes: [], l2: 1),
        training: .init(rows: 1, won: 0, lost: 1, asOf: [], closedAt: [], window: .init(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", toInclusive: true),
                        dataFingerprint: "", anomalies: [:], inputs: [:]),
        intercept: .init(weight: -1.5),
        axes: [
            .init(name: "fit \"a\"", saturation: .none, nonnegative: false, referenceLevels: ["in`dustry": "software"], features: [
                .init(name: "in`dustry=\(level)", kind: .category, source: "in`dustry", level: level, referenceLevel: "software", weight: 0.5, status: .estimated, mean: 0.1),
                .init(name: "emp\"loyees", kind: .log, source: "emp\"loyees", weight: 0.25, status: .estimated, mean: 3),
            ]),
            .init(name: "engagement", halfLife: HalfLife(days: 10, status: .estimated), saturation: .log1p, nonnegative: true, features: [
                .init(name: "<script>alert(1)</script>", kind: .signal, source: "<script>alert(1)</script>", weight: 0.8, status: .estimated, mean: 0.3),
                .init(name: "back\\slash'quote", kind: .signal, source: "back\\slash'quote", weight: 0, status: .atBoundZero, mean: 0),
            ]),
        ],
        statistics: .init(objective: 1, logLikelihood: -1, nullLogLikelihood: -2, pseudoR2: 0.5, aic: 4, converged: true, iterations: 1, newtonIterations: 1, warnings: []),
        metrics: .init(training: .init(rows: 1, won: 0, logLoss: 0.5, brier: 0.2)),
        tiers: [.init(name: "act'now", minProbability: 0.5, rule: "p >= 0.5"), .init(name: "rest", minProbability: 0, rule: "rest")])
}

@Suite("The model exported for other production targets")
struct ExportTests {
    @Test("one quoting function per dialect for identifiers and literals")
    func quoting() {
        #expect(SQLDialect.postgres.identifier("a\"b") == "\"a\"\"b\"")
        #expect(SQLDialect.sqlite.identifier("a\"b") == "\"a\"\"b\"")
        #expect(SQLDialect.duckdb.identifier("a\"b") == "\"a\"\"b\"")
        #expect(SQLDialect.spark.identifier("a`b") == "`a``b`")
        #expect(SQLDialect.postgres.string("it's \\ fine") == "'it''s \\ fine'")
        #expect(SQLDialect.spark.string("it's \\ fine") == "'it\\'s \\\\ fine'")
        #expect(SQLDialect.duckdb.string("nul\0") == "'nul\u{FFFD}'")
        #expect(SQLDialect.postgres.number(2.06e-05) == "CAST('2.06e-05' AS DOUBLE PRECISION)")
        #expect(SQLDialect.sqlite.number(-2) == "CAST('-2.0' AS REAL)")
    }

    @Test("every name from the data reaches the query quoted, never bare")
    func namesAreQuoted() {
        let model = hostileModel()
        for dialect in SQLDialect.allCases {
            let sql = SQLExport.query(model: model, dialect: dialect, tablePrefix: "crm.lc_")
            let lines = sql.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            #expect(lines.contains(dialect.string("x'); DROP TABLE leads; --")), "\(dialect)")
            #expect(lines.contains(dialect.identifier("in`dustry")) && lines.contains(dialect.identifier("emp\"loyees")), "\(dialect)")
            #expect(lines.contains(dialect.string("<script>alert(1)</script>")), "\(dialect)")
            #expect(lines.contains(dialect.identifier("fit \"a\"_logit")), "\(dialect)")
            #expect(lines.contains(dialect.string("act'now")), "\(dialect)")
            #expect(lines.contains(dialect.identifier("crm") + "." + dialect.identifier("lc_leads")), "\(dialect)")
            // A weight held at zero contributes nothing: its signal is not read at all.
            #expect(!lines.contains(dialect.string("back\\slash'quote")), "\(dialect)")
        }
    }

    @Test("the flat production model holds what scoring needs, and only that")
    func productionModel() throws {
        let m = ProductionModel(hostileModel())
        #expect(m.format == "leadcal.production-model")
        #expect(m.intercept == -1.5 && m.axes == ["fit \"a\"", "engagement"])
        #expect(m.categories.map(\.column) == ["in`dustry"])
        #expect(m.categories[0].weights == ["x'); DROP TABLE leads; --": 0.5] && m.categories[0].referenceLevel == "software")
        #expect(m.numbers.map { "\($0.column) \($0.transform) \($0.mean)" } == ["emp\"loyees log1p 3.0"])
        #expect(m.signals.map(\.halfLifeDays) == [10, 10] && m.signals[0].saturation == "log1p")
        #expect(m.tiers.map(\.name) == ["act'now", "rest"])
        let json = try JSONSerialization.jsonObject(with: try m.json()) as! [String: Any]
        #expect(json["format_version"] as? String == "1.0" && json["weights_checksum"] != nil)
    }
}
