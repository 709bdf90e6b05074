import Dispatch
import Foundation
import Hummingbird
import LeadcalModel
import LeadcalScorer
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The model a service scores with, swapped whole on reload: a request takes
/// the current scorer once, so requests in flight finish on the model they
/// started with.
public final class ServedModel: Sendable {
    private let state: Mutex<Scorer>
    /// The weights file served (reloaded from this path).
    public let path: String

    /// Loads and validates the weights file at `path`.
    public init(path: String) throws(WeightsError) {
        self.path = path
        state = Mutex(try Scorer.load(URL(fileURLWithPath: path)))
    }

    /// The scorer requests use now.
    public var current: Scorer { state.withLock { $0 } }

    /// Reads the file again; a file that does not validate is refused and the
    /// current model keeps serving. Returns the model now served, or the error.
    @discardableResult
    public func reload() -> Result<Scorer, WeightsError> {
        do {
            let scorer = try Scorer.load(URL(fileURLWithPath: path))
            state.withLock { $0 = scorer }
            return .success(scorer)
        } catch {
            return .failure(error)
        }
    }
}

/// `leadcal serve`: the production scorer over HTTP, on Hummingbird.
///
/// - `POST /score`: one lead (see ``LeadRequest``) → probability, score, tier,
///   logit, axis contributions, reasons, model and version, the signal types
///   it ignored and the attributes it stood in for.
/// - `POST /score/batch`: `{"as_of": …, "leads": [ … ]}` → `{"results": [ … ]}`.
/// - `GET /model`: version, checksum, creation time, features, half-lives, tiers.
/// - `GET /health`: `{"status": "ok", …}`.
///
/// Malformed JSON, a wrong field type or a bad date is a 400 with a message
/// naming the field; a body over the limit a 413. SIGHUP reloads the weights
/// file (a bad file is refused and logged; the old model keeps serving);
/// SIGTERM or SIGINT stops accepting connections, lets requests in flight
/// finish, and exits.
public enum ScoringService {
    public struct Configuration: Sendable {
        /// The address to bind: loopback by default, so nothing is exposed by accident.
        public var host = "127.0.0.1"
        /// 0 picks a free port (printed when listening).
        public var port = 8080
        /// Largest request body, bytes.
        public var maxBody = 1 << 20
        public init() {}
    }

    /// Makes Swift concurrency run its jobs on the event loops (NIO's
    /// singleton group), so that a request's handler runs on the thread that
    /// read it. Call first thing in the process; later it does nothing.
    @discardableResult
    public static func useEventLoopsAsGlobalExecutor() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Serves `model` until SIGTERM or SIGINT. `onListening` receives the bound host and port.
    public static func run(
        model: ServedModel, configuration: Configuration, log: @escaping @Sendable (String) -> Void,
        onListening: @escaping @Sendable (String, Int) -> Void
    ) async throws {
        let router = Router()
        let maxBody = configuration.maxBody
        router.post("score") { request, _ -> Response in
            await respond(request, maxBody: maxBody) { (body) throws(RequestError) -> [UInt8] in
                try answer(score: body, with: model.current, now: Date().timeIntervalSince1970)
            }
        }
        router.post("score/batch") { request, _ -> Response in
            await respond(request, maxBody: maxBody) { (body) throws(RequestError) -> [UInt8] in
                try answer(batch: body, with: model.current, now: Date().timeIntervalSince1970)
            }
        }
        router.get("model") { _, _ -> Response in
            json(.ok, modelDocument(model.current))
        }
        router.get("health") { _, _ -> Response in
            let scorer = model.current
            var w = JSONWriter()
            w.raw("{"); w.key("status"); w.string("ok"); w.raw(",")
            w.key("model"); w.string(scorer.weights.model); w.raw(",")
            w.key("model_version"); w.string(scorer.weights.version); w.raw("}\n")
            return json(.ok, w.bytes)
        }

        // SIGHUP reloads the weights file.
        signal(SIGHUP, SIG_IGN)
        let reloads = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "leadcal.reload"))
        reloads.setEventHandler {
            switch model.reload() {
            case let .success(scorer): log("reloaded \(model.path): \(scorer.weights.model) \(scorer.weights.version)")
            case let .failure(error): log("refused to reload: \(error.message); still serving \(model.current.weights.version)")
            }
        }
        reloads.resume()
        defer { reloads.cancel() }

        var logger = Logger(label: "leadcal.serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "leadcal"),
            onServerRunning: { channel in
                onListening(configuration.host, channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
        try await app.runService()
    }

    /// The answer to a `POST /score` body: the scored lead as JSON, or the
    /// request's error. A pure function of the bytes, the model and the
    /// clock: what the handler runs, and what the request fuzzer drives.
    public static func answer(score body: [UInt8], with scorer: Scorer, now: Double) throws(RequestError) -> [UInt8] {
        let lead = try LeadRequest.parse(body)
        let scored = try lead.scored(by: scorer, defaultAsOf: now)
        var w = JSONWriter()
        scored.write(to: &w, scorer: scorer)
        w.raw("\n")
        return w.bytes
    }

    /// The answer to a `POST /score/batch` body (see ``answer(score:with:now:)``).
    public static func answer(batch body: [UInt8], with scorer: Scorer, now: Double) throws(RequestError) -> [UInt8] {
        let batch = try BatchRequest.parse(body)
        var defaultAsOf = now
        if let text = batch.asOf {
            guard let t = parseTimestamp(text) else { throw RequestError(400, "as_of: expected an ISO 8601 date or date-time, found '\(text)'") }
            defaultAsOf = t
        }
        var w = JSONWriter()
        w.raw("{")
        w.key("model"); w.string(scorer.weights.model); w.raw(",")
        w.key("model_version"); w.string(scorer.weights.version); w.raw(",")
        w.key("results"); w.raw("[")
        for (i, lead) in batch.leads.enumerated() {
            if i > 0 { w.raw(",") }
            try lead.scored(by: scorer, defaultAsOf: defaultAsOf, at: "leads[\(i)]").write(to: &w, scorer: scorer)
        }
        w.raw("]}\n")
        return w.bytes
    }

    /// Collects the body (at most `maxBody` bytes) and answers with what `body` writes, or the error.
    static func respond(_ request: Request, maxBody: Int, _ body: ([UInt8]) throws(RequestError) -> [UInt8]) async -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBody)
        } catch is NIOTooManyBytesError {
            return json(.contentTooLarge, JSONWriter.error("request body over \(maxBody) bytes"))
        } catch {
            return json(.badRequest, JSONWriter.error("cannot read the request body"))
        }
        do {
            return json(.ok, try body(Array(buffer.readableBytesView)))
        } catch {
            return json(.init(code: error.status), JSONWriter.error(error.message))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `GET /model`: what is served, without the data lineage.
    static func modelDocument(_ scorer: Scorer) -> [UInt8] {
        let f = scorer.weights
        var w = JSONWriter()
        w.raw("{")
        w.key("model"); w.string(f.model); w.raw(",")
        w.key("version"); w.string(f.version); w.raw(",")
        w.key("parent"); if let p = f.parent { w.string(p) } else { w.raw("null") }; w.raw(",")
        w.key("checksum"); w.string(f.checksum); w.raw(",")
        w.key("created_at"); w.string(f.createdAt); w.raw(",")
        w.key("intercept"); w.number(f.intercept.weight); w.raw(",")
        w.key("axes"); w.raw("[")
        for (i, axis) in f.axes.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{"); w.key("name"); w.string(axis.name)
            if let h = axis.halfLife {
                w.raw(","); w.key("half_life_days"); w.number(h.days); w.raw(","); w.key("half_life_status"); w.string(h.status.rawValue)
            }
            w.raw("}")
        }
        w.raw("],")
        w.key("features"); w.raw("[")
        for (i, (axis, feature)) in f.axes.flatMap({ a in a.features.map { (a.name, $0) } }).enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{"); w.key("name"); w.string(feature.name); w.raw(","); w.key("axis"); w.string(axis); w.raw(",")
            w.key("kind"); w.string(feature.kind.rawValue); w.raw(","); w.key("weight"); w.number(feature.weight); w.raw(",")
            w.key("status"); w.string(feature.status.rawValue); w.raw("}")
        }
        w.raw("],")
        w.key("tiers"); w.raw("[")
        for (i, t) in f.tiers.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{"); w.key("name"); w.string(t.name); w.raw(","); w.key("min_probability"); w.number(t.minProbability); w.raw("}")
        }
        w.raw("]}\n")
        return w.bytes
    }
}
