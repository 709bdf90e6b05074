import Foundation
import LeadcalModel
import LeadcalScorer

/// One lead scored by the service: what the answer holds.
struct ScoredLead {
    var leadId: String?
    var asOf: Double
    var score: Scorer.Score
    var tier: String
    var reasons: [Scorer.Reason]
    var ignoredSignalTypes: [String]
    var signalsAfterAsOf: Int
    var ignoredAttributes: [String]
    var notes: [String]
    /// The request's estimated deal value, and probability × it (``Scorer/expectedValue(_:amount:)``).
    var amount: Double? = nil
    var expectedValue: Double? { amount.map { Scorer.expectedValue(score, amount: $0) } }
}

extension LeadRequest {
    /// Scores this lead with `scorer` (the production scorer, the model's one
    /// prediction path). `defaultAsOf` applies when the lead has no `as_of`;
    /// `at` prefixes messages (`leads[3]` in a batch). Cost: O(signals + features).
    func scored(by scorer: Scorer, defaultAsOf: Double, at prefix: String = "") throws(RequestError) -> ScoredLead {
        func field(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
        var readingTime = defaultAsOf
        if let text = asOf {
            guard let t = parseTimestamp(text) else {
                throw RequestError(400, "\(field("as_of")): expected an ISO 8601 date or date-time, found '\(text)'")
            }
            readingTime = t
        }
        let limit = reasons ?? 3
        guard (0...50).contains(limit) else { throw RequestError(400, "\(field("reasons")): expected 0 to 50, found \(limit)") }

        var totals = scorer.makeTotals(leads: 1)
        var ignored: [String] = []
        for (k, s) in signals.enumerated() {
            guard let t = parseTimestamp(s.occurredAt) else {
                throw RequestError(400, "\(field("signals[\(k)].occurred_at")): expected an ISO 8601 date or date-time, found '\(s.occurredAt)'")
            }
            let value = s.value ?? 1
            guard value.isFinite && value >= 0 else {
                throw RequestError(400, "\(field("signals[\(k)].value")): expected a finite number >= 0, found \(value)")
            }
            guard let index = scorer.signalIndex(s.signal) else {
                if !ignored.contains(s.signal) { ignored.append(s.signal) }
                continue
            }
            totals.add(lead: 0, signal: index, ageDays: (readingTime - t) / 86400, value: value)
        }

        var texts: [String?] = []
        var notes: [String] = []
        for (c, column) in scorer.attributeColumns.enumerated() {
            let text = attributes[column]?.text
            switch scorer.columnKind(c) {
            case .category:
                if text == nil { notes.append("\(column) missing (reference level used)") }
            case .number, .log:
                if let text, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                    guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        throw RequestError(400, "\(field("attributes.\(column)")): expected a number, found '\(text)'")
                    }
                    if scorer.columnKind(c) == .log && v < 0 {
                        throw RequestError(400, "\(field("attributes.\(column)")): expected a number >= 0, found \(text)")
                    }
                }
            }
            texts.append(text)
        }
        let resolved = scorer.attributes(values: texts)
        notes += resolved.notes
        let score = scorer.score(lead: 0, totals: totals, attributes: resolved)
        return ScoredLead(
            leadId: leadId, asOf: readingTime, score: score, tier: scorer.tier(score),
            reasons: limit > 0 ? scorer.reasons(lead: 0, totals: totals, attributes: resolved, limit: limit) : [],
            ignoredSignalTypes: ignored, signalsAfterAsOf: totals.future,
            ignoredAttributes: attributes.keys.filter { !scorer.attributeColumns.contains($0) }.sorted(), notes: notes, amount: amount)
    }
}

/// A JSON document written directly into bytes (the answers are small and many).
struct JSONWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A JSON string: `"`, `\\` and control characters escaped, U+2028 and
    /// U+2029 too (so that the answer is also valid JavaScript). Works on the
    /// UTF-8 bytes: no per-character allocation.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { u in
            var k = 0
            while k < u.count {
                let c = u[k]
                switch c {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case 0..<0x20: raw(String(format: "\\u%04x", c))
                case 0xE2 where k + 2 < u.count && u[k + 1] == 0x80 && (u[k + 2] == 0xA8 || u[k + 2] == 0xA9):
                    raw(u[k + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                    k += 2
                default: bytes.append(c)
                }
                k += 1
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func number(_ v: Double) { v.isFinite ? raw("\(v)") : raw("null") }

    mutating func key(_ k: String) { string(k); bytes.append(UInt8(ascii: ":")) }

    mutating func strings(_ list: [String]) {
        raw("[")
        for (i, s) in list.enumerated() { if i > 0 { raw(",") }; string(s) }
        raw("]")
    }

    /// `{"error": message}`.
    static func error(_ message: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{")
        w.key("error")
        w.string(message)
        w.raw("}\n")
        return w.bytes
    }
}

extension ScoredLead {
    /// The answer for one lead, as a JSON object.
    func write(to w: inout JSONWriter, scorer: Scorer) {
        w.raw("{")
        if let leadId { w.key("lead_id"); w.string(leadId); w.raw(",") }
        w.key("probability"); w.number(score.probability); w.raw(",")
        w.key("score"); w.raw("\(score.score)"); w.raw(",")
        w.key("tier"); w.string(tier); w.raw(",")
        w.key("logit"); w.number(score.logit); w.raw(",")
        if let expectedValue { w.key("expected_value"); w.number(expectedValue); w.raw(",") }
        w.key("axis_contributions"); w.raw("{")
        for (a, name) in scorer.axisNames.enumerated() {
            if a > 0 { w.raw(",") }
            w.key(name); w.number(score.axisContributions[a])
        }
        w.raw("},")
        w.key("reasons"); w.raw("[")
        for (i, r) in reasons.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{"); w.key("feature"); w.string(r.feature); w.raw(","); w.key("effect"); w.number(r.effect); w.raw(",")
            w.key("text"); w.string(r.description); w.raw("}")
        }
        w.raw("],")
        w.key("model"); w.string(scorer.weights.model); w.raw(",")
        w.key("model_version"); w.string(scorer.weights.version); w.raw(",")
        w.key("as_of"); w.string(formatTimestamp(asOf)); w.raw(",")
        w.key("ignored_signal_types"); w.strings(ignoredSignalTypes); w.raw(",")
        w.key("signals_after_as_of"); w.raw("\(signalsAfterAsOf)"); w.raw(",")
        w.key("ignored_attributes"); w.strings(ignoredAttributes); w.raw(",")
        w.key("notes"); w.strings(notes)
        w.raw("}")
    }
}
