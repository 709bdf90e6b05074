import Foundation
import LeadcalModel
import Testing
import LeadcalData

/// Every input error stops the load with one line naming file:line:column and
/// what was expected.
@Suite("Input errors name file, line and column")
struct LoaderErrorTests {
    @Test func malformedDate() throws {
        let e = try TestDataset(signals: "lead_id,signal,occurred_at\nA,email_open,2026-03-01\nB,email_open,2026-13-01\n").error()
        #expect(e == "signals.csv:3:14: occurred_at: expected an ISO 8601 date or date-time, found '2026-13-01'")
    }

    @Test func impossibleDayIsMalformed() throws {
        let e = try TestDataset(outcomes: "lead_id,outcome,as_of\nA,won,2026-02-30\n").error()
        #expect(e == "outcomes.csv:2:7: as_of: expected an ISO 8601 date or date-time, found '2026-02-30'")
    }

    @Test func malformedNumber() throws {
        let e = try TestDataset(signals: "lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,2x\n").error()
        #expect(e == "signals.csv:2:25: value: expected a finite number >= 0, found '2x'")
    }

    @Test func nonFiniteNumber() throws {
        let e = try TestDataset(leads: "lead_id,industry,employees\nA,software,10\nB,retail,inf\n").error()
        #expect(e == "leads.csv:3:10: employees: expected a finite number, found 'inf'")
        let nan = try TestDataset(signals: "lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,NaN\n").error()
        #expect(nan == "signals.csv:2:25: value: expected a finite number >= 0, found 'NaN'")
    }

    @Test func missingNumericAttribute() throws {
        let e = try TestDataset(leads: "lead_id,industry,employees\nA,software,\n").error()
        #expect(e == "leads.csv:2:12: employees: expected a finite number, found an empty cell")
    }

    @Test("the optional amount column: a deal value >= 0, empty for none, anything else an error at its cell")
    func dealAmounts() throws {
        let d = try TestDataset(outcomes: "lead_id,outcome,as_of,amount\nA,won,2026-04-01,12500.5\nB,lost,2026-04-01,\n").load()
        #expect(d.outcomes.hasAmount)
        #expect(d.amount[0] == 12500.5 && d.amount[1].isNaN)
        #expect(d.report.ignoredColumns["outcomes.csv"] == nil)
        #expect(try TestDataset().load().outcomes.hasAmount == false)
        let e = try TestDataset(outcomes: "lead_id,outcome,as_of,amount\nA,won,2026-04-01,-3\n").error()
        #expect(e == "outcomes.csv:2:18: amount: expected a deal value >= 0, found '-3'")
    }
    @Test func unknownOutcomeSpelling() throws {
        let e = try TestDataset(outcomes: "lead_id,outcome,as_of\nA,won,2026-04-01\nB,maybe,2026-04-01\n").error()
        #expect(e?.hasPrefix("outcomes.csv:3:3: outcome: expected won or lost") == true)
        #expect(e?.hasSuffix("found 'maybe'") == true)
    }

    @Test("with errors in several files, the first file in reading order is named: leads.csv, outcomes.csv, then signals.csv (read side by side, reported in order)")
    func errorsInSeveralFiles() throws {
        let badLeads = "lead_id,industry,employees\nA,software,x\nB,retail,2\n"
        let badOutcomes = "lead_id,outcome,as_of\nA,maybe,2026-04-01\n"
        let badSignals = "lead_id,signal,value\nA,email_open,1\n"
        let all = try TestDataset(leads: badLeads, signals: badSignals, outcomes: badOutcomes).error()
        #expect(all == "leads.csv:2:12: employees: expected a finite number, found 'x'")
        let two = try TestDataset(signals: badSignals, outcomes: badOutcomes).error()
        #expect(two?.hasPrefix("outcomes.csv:2:3: outcome: expected won or lost") == true)
        let last = try TestDataset(signals: badSignals).error()
        #expect(last?.hasPrefix("signals.csv:1:1: missing required column 'occurred_at'") == true)
    }

    @Test func missingRequiredColumn() throws {
        let e = try TestDataset(signals: "lead_id,signal,value\nA,email_open,1\n").error()
        #expect(e == "signals.csv:1:1: missing required column 'occurred_at' (header has: lead_id, signal, value)")
    }

    @Test func duplicateLeadID() throws {
        let e = try TestDataset(leads: "lead_id,industry,employees\nA,software,10\nB,retail,2\nA,retail,3\n").error()
        #expect(e == "leads.csv:4:1: duplicate lead_id 'A'")
    }

    @Test("among many leads, the first error in file order is the one reported, whatever comes after it")
    func firstErrorAmongManyLeads() throws {
        // Keys are inserted in batches: a duplicate early in a batch beats a bad number, a
        // broken quote or a doubled-quote key later in it, and a bad number beats a later duplicate.
        func leads(_ edit: (inout [String]) -> Void) -> String {
            var rows = (0..<300).map { "L\($0),software,\($0)" }
            edit(&rows)
            return "lead_id,industry,employees\n" + rows.joined(separator: "\n") + "\n"
        }
        let duplicateFirst = try TestDataset(leads: leads { r in r[100] = "L7,retail,1"; r[110] = "L110,retail,many"; r[120] = "\"L\"\"q\",retail,1" }).error()
        #expect(duplicateFirst == "leads.csv:102:1: duplicate lead_id 'L7'")
        let brokenQuoteLater = try TestDataset(leads: leads { r in r[100] = "L7,retail,1"; r[101] = "L101,\"retail,1" }).error()
        #expect(brokenQuoteLater == "leads.csv:102:1: duplicate lead_id 'L7'")
        let numberFirst = try TestDataset(leads: leads { r in r[100] = "L100,retail,many"; r[110] = "L7,retail,1" }).error()
        #expect(numberFirst == "leads.csv:102:13: employees: expected a finite number, found 'many'")
        let quotedDuplicate = try TestDataset(leads: leads { r in r[5] = "\"a\"\"b\",retail,1"; r[200] = "\"a\"\"b\",retail,2" }).error()
        #expect(quotedDuplicate == "leads.csv:202:1: duplicate lead_id 'a\"b'")
    }

    @Test func unterminatedQuote() throws {
        let e = try TestDataset(leads: "lead_id,industry,employees\nA,software,10\nB,\"retail,2\nC,x,3\n").error()
        #expect(e == "leads.csv:3:3: unterminated quoted field (no closing \")")
    }

    @Test func bytesThatAreNotUTF8() throws {
        var bytes = Array("lead_id,industry,employees\nA,software,10\nB,r".utf8)
        bytes += [0xC3, 0x28]  // an invalid two-byte sequence
        bytes += Array("tail,2\n".utf8)
        let e = try TestDataset(raw: ["leads.csv": bytes]).error()
        #expect(e == "leads.csv:3:4: bytes that are not valid UTF-8 (save the file as UTF-8)")
    }

    @Test func specNamesUnknownAttributeColumn() throws {
        let spec = TestDataset.spec.replacingOccurrences(of: "employees: log", with: "headcount: log")
        let e = try TestDataset(spec: spec).error()
        #expect(e == "model.yaml:6:7: attribute 'headcount' is not a column of leads.csv (columns: lead_id, industry, employees)")
    }

    @Test func specValueNamesMissingColumn() throws {
        let data = try TestDataset()
        defer { try? FileManager.default.removeItem(at: data.url) }
        let spec = ModelSpec(name: "m", axes: [.init(name: "fit", attributes: [.init(column: "country", kind: .categorical)])], l2: 1)
        #expect {
            try Dataset.load(directory: data.url, spec: spec)
        } throws: { e in
            (e as! DataError).description == "leads.csv:1:1: no column 'country', which model.yaml reads (header has: lead_id, industry, employees); pass --allow-missing-columns to score without it (reference level, or training mean for a number)"
        }
    }

    @Test func axisWithNeitherSignalsNorAttributes() throws {
        let spec = TestDataset.spec.replacingOccurrences(of: "l2: 1.0", with: "  history: {}\nl2: 1.0")
        let e = try TestDataset(spec: spec).error()
        #expect(e == "model.yaml:11:3: axis 'history' has neither signals nor attributes")
    }

    @Test func signalInTwoAxes() throws {
        let spec = TestDataset.spec.replacingOccurrences(
            of: "l2: 1.0", with: "  history:\n    signals: [meeting, pricing_visit]\n    half_life_days: 90\nl2: 1.0")
        let e = try TestDataset(spec: spec).error()
        #expect(e == "model.yaml:12:24: signal 'pricing_visit' is listed in two axes ('engagement' and 'history')")
    }

    @Test(arguments: ["0", "-3", "soon"])
    func halfLifeNotPositive(value: String) throws {
        let spec = TestDataset.spec.replacingOccurrences(of: "half_life_days: 14", with: "half_life_days: \(value)")
        let e = try TestDataset(spec: spec).error()
        #expect(e == "model.yaml:9:21: axis 'engagement': half_life_days must be a positive number of days, found '\(value)'")
    }
}
