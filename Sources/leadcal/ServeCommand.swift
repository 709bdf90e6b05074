import ArgumentParser
import Foundation
import LeadcalModel
import LeadcalService

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the production scorer over HTTP.",
        discussion: """
            POST /score with one lead as JSON:
              {"lead_id": "L1", "as_of": "2026-11-01T00:00:00Z",
               "attributes": {"industry": "software", "employees": 120},
               "signals": [{"signal": "pricing_visit", "occurred_at": "2026-10-30T09:12:00Z", "value": 3}]}
            returns probability, score, tier, axis contributions, reasons and the model version \
            (as_of defaults to now; a signal's value to 1). POST /score/batch takes \
            {"as_of": ..., "leads": [...]}; GET /model describes the model served; GET /health \
            answers {"status": "ok"}.

            A malformed body, a wrong field type or a bad date is a 400 naming the field; a body \
            over --max-body a 413. Signal types the model does not read are ignored and listed in \
            the answer. SIGHUP reloads the weights file (a file that does not validate is refused \
            and logged, and the current model keeps serving); SIGTERM drains the requests in \
            flight and exits. Binds 127.0.0.1 unless --host says otherwise.
            """
    )

    @Option(help: "The weights file to serve.", completion: .file(extensions: ["json"]))
    var weights: String

    @Option(help: "Address to bind (default loopback only).")
    var host: String = "127.0.0.1"

    @Option(help: "Port (0: a free one, printed when listening).")
    var port: Int = 8080

    @Option(help: "Largest request body, bytes.")
    var maxBody: Int = 1 << 20

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
    }

    func run() async throws {
        let model: ServedModel
        do { model = try ServedModel(path: weights) } catch { throw reportError(error.message) }
        var configuration = ScoringService.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.maxBody = maxBody
        let version = model.current.weights.version, name = model.current.weights.model
        try await ScoringService.run(
            model: model, configuration: configuration,
            log: { FileHandle.standardError.write(Data("leadcal serve: \($0)\n".utf8)) },
            onListening: { host, port in
                FileHandle.standardOutput.write(Data("leadcal serve: \(name) \(version) on http://\(host):\(port)\n".utf8))
            })
        FileHandle.standardError.write(Data("leadcal serve: stopped\n".utf8))
    }
}
