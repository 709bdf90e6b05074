import Foundation
import LeadcalModel
import LeadcalScorer

/// Why a request cannot be scored: the HTTP status and a one-line message.
public struct RequestError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    init(_ status: Int = 400, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// One lead to score, as a request body holds it:
///
///     {"lead_id": "L1", "as_of": "2026-11-01T00:00:00Z",
///      "attributes": {"industry": "software", "employees": 120},
///      "signals": [{"signal": "pricing_visit", "occurred_at": "2026-10-30T09:12:00Z", "value": 3}],
///      "reasons": 3, "amount": 25000}
///
/// Everything is optional: `as_of` defaults to now, a signal's `value` to 1,
/// `reasons` to 3, `amount` (an estimated deal value, >= 0) to none (with
/// one, the answer adds `expected_value`, probability × amount), a missing attribute takes the reference level (a category)
/// or the training mean (a number), and the answer says so. Attribute values
/// are strings, numbers or null. A field the request does not define is an
/// error (a misspelt `signal` must not score a lead without signals).
struct LeadRequest {
    var leadId: String?
    var asOf: String?
    var attributes: [String: AttributeValue] = [:]
    var signals: [SignalIn] = []
    var reasons: Int?
    /// An estimated deal value: the answer adds `expected_value`.
    var amount: Double?

    struct SignalIn {
        var signal: String
        var occurredAt: String
        var value: Double?
    }

    /// A string, a number, or null.
    enum AttributeValue {
        case text(String)
        case number(Double)
        case missing

        var text: String? {
            switch self {
            case let .text(s): return s
            case let .number(v): return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
            case .missing: return nil
            }
        }
    }

    static let fields = "lead_id, as_of, attributes, signals, reasons, amount"

    /// Reads one lead object at `path` (empty for a whole body).
    static func read(_ r: inout JSONReader, at path: String) throws(RequestError) -> LeadRequest {
        var lead = LeadRequest()
        func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        try r.object(at: path) { (r, key) throws(RequestError) in
            switch key {
            case "lead_id": lead.leadId = try r.string(at: at(key))
            case "as_of": lead.asOf = try r.string(at: at(key))
            case "amount":
                guard let v = try r.optionalNumber(at: at(key)) else { return }
                guard v.isFinite, v >= 0 else { throw RequestError(400, "\(at(key)): expected a deal value >= 0, found \(v)") }
                lead.amount = v
            case "reasons":
                guard let v = try r.optionalNumber(at: at(key)) else { return }
                guard v == v.rounded(), abs(v) < 1e6 else { throw RequestError(400, "\(at(key)): expected an integer, found \(v)") }
                lead.reasons = Int(v)
            case "attributes":
                try r.object(at: at(key)) { (r, column) throws(RequestError) in
                    switch try r.scalar(at: "\(at(key)).\(column)") {
                    case let .string(s): lead.attributes[column] = .text(s)
                    case let .number(v): lead.attributes[column] = .number(v)
                    case .null: lead.attributes[column] = .missing
                    case .bool: throw RequestError(400, "\(at(key)).\(column): expected a string or a number, found a boolean")
                    }
                }
            case "signals":
                try r.array(at: at(key)) { (r, k) throws(RequestError) in
                    let here = "\(at(key))[\(k)]"
                    var signal: String? = nil, occurred: String? = nil, value: Double? = nil
                    try r.object(at: here) { (r, field) throws(RequestError) in
                        switch field {
                        case "signal": signal = try r.string(at: "\(here).signal")
                        case "occurred_at": occurred = try r.string(at: "\(here).occurred_at")
                        case "value": value = try r.optionalNumber(at: "\(here).value")
                        default: throw RequestError(400, "\(here).\(field): unknown field (expected signal, occurred_at, value)")
                        }
                    }
                    guard let signal else { throw RequestError(400, "\(here).signal: missing") }
                    guard let occurred else { throw RequestError(400, "\(here).occurred_at: missing") }
                    lead.signals.append(SignalIn(signal: signal, occurredAt: occurred, value: value))
                }
            default:
                throw RequestError(400, "\(at(key)): unknown field (expected \(fields))")
            }
        }
        return lead
    }

    /// A whole request body holding one lead.
    static func parse(_ body: [UInt8]) throws(RequestError) -> LeadRequest {
        var r = JSONReader(body)
        let lead = try read(&r, at: "")
        guard r.atEnd else { throw RequestError(400, "malformed JSON (text after the object)") }
        return lead
    }
}

/// Several leads in one request: `{"as_of": "…", "leads": [ … ]}`; a lead's own `as_of` wins.
struct BatchRequest {
    var asOf: String?
    var leads: [LeadRequest] = []

    static func parse(_ body: [UInt8]) throws(RequestError) -> BatchRequest {
        var r = JSONReader(body)
        var batch = BatchRequest()
        var sawLeads = false
        try r.object(at: "") { (r, key) throws(RequestError) in
            switch key {
            case "as_of": batch.asOf = try r.string(at: "as_of")
            case "leads":
                sawLeads = true
                try r.array(at: "leads") { (r, k) throws(RequestError) in batch.leads.append(try LeadRequest.read(&r, at: "leads[\(k)]")) }
            default: throw RequestError(400, "\(key): unknown field (expected as_of, leads)")
            }
        }
        guard sawLeads else { throw RequestError(400, "leads: missing") }
        guard r.atEnd else { throw RequestError(400, "malformed JSON (text after the object)") }
        return batch
    }
}
