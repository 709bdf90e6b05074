import Foundation
import Testing
@testable import LeadcalData
import LeadcalModel

@Suite("The loader reads every valid form of the data contract")
struct LoaderParsingTests {
    @Test func bomQuotesCRLFAndColumnOrder() throws {
        let leads = Array("\u{FEFF}employees,note,lead_id,industry\r\n10,\"a, b\",A,software\r\n200,\"line\nbreak \"\"quoted\"\"\",B,retail\r\n5,,C,software\r\n".utf8)
        let d = try TestDataset(raw: ["leads.csv": leads]).load()
        #expect(d.leads.count == 3)
        #expect(d.leads.ids.strings == ["A", "B", "C"])
        #expect(d.leads.numbers["employees"] == [10, 200, 5])
        #expect(d.report.ignoredColumns["leads.csv"] == ["note"])
    }

    @Test func quotedFieldText() throws {
        let bytes = Array("x,\"a,\"\"b\"\"\nc\",y\n".utf8)
        let text = bytes.withUnsafeBufferPointer { buffer -> [String] in
            var scanner = CSVRecordScanner(buffer)
            let fields = CSVFields()
            _ = try! scanner.next(into: fields)
            return fields.map { scanner.string($0) }
        }
        #expect(text == ["x", "a,\"b\"\nc", "y"])
    }

    @Test(arguments: [
        ("2026-03-14", 1_773_446_400.0),
        ("2026-03-14T09:30:00Z", 1_773_480_600.0),
        ("2026-03-14T09:30Z", 1_773_480_600.0),
        ("2026-03-14T11:30:00+02:00", 1_773_480_600.0),
        ("2026-03-14T04:30:00-0500", 1_773_480_600.0),
        ("2026-03-14 09:30:00", 1_773_480_600.0),
        ("2026-03-14T09:30:00.5Z", 1_773_480_600.5),
    ])
    func timestamps(text: String, seconds: Double) {
        #expect(parseTimestamp(text) == seconds)
    }

    @Test(arguments: ["2026-3-14", "2026-03-14T25:00:00Z", "2026-03-14T09:30:00+2", "14/03/2026", "2026-03-14Tnoon"])
    func rejectedTimestamps(text: String) {
        #expect(parseTimestamp(text) == nil)
    }

    @Test("a timestamp read after another with the same date parses as it does alone")
    func timestampsInSequence() {
        // Each value follows one whose first 10 bytes it shares, or nearly: the date the reader remembers.
        let column = [
            "2026-03-14", "2026-03-14", "2026-03-14T09:30:00Z", "2026-03-14T09:30:00Z  ", "2026-03-14   ",
            "2026-03-14T25:00:00Z", "2026-03-14x", "2026-03-14T09:30:00+2", "2026-03-14", " 2026-03-14", "2026-03-14 09:30",
            "2026-03-15T00:00:00-01:00", "2026-03-1", "2026-03-15", "2026-02-30", "2026-02-30", "2026-03-15T23:59:60Z",
            "2026-03-15t10:00:00.25z", "2026-03-15Tnoon", "2026-03-15,", "", "2026-03-15",
        ]
        var reader = TimestampReader()
        for text in column {
            let bytes = Array(text.utf8)
            let alone = bytes.withUnsafeBufferPointer { parseTimestamp($0) }
            let read = bytes.withUnsafeBufferPointer { reader.parse($0) }
            #expect(read == alone, "'\(text)'")
        }
        #expect(column.compactMap { parseTimestamp($0) }.count == 13)
    }

    @Test("quotes are counted as one by one, over any range, at any density")
    func quoteCounting() {
        var generator = SystemRandomNumberGenerator()
        for density in [0.0, 0.01, 0.3, 1.0] {
            // Over 255 × 16 bytes, so that the byte counters are widened more than once.
            let bytes = (0..<9_000).map { _ in Double.random(in: 0..<1, using: &generator) < density ? UInt8(ascii: "\"") : UInt8.random(in: 0...0x21, using: &generator) }
            bytes.withUnsafeBufferPointer { b in
                for (from, to) in [(0, 9_000), (3, 8_191), (17, 33), (5, 5), (100, 115), (1, 4_097)] {
                    let expected = b[from..<to].filter { $0 == UInt8(ascii: "\"") }.count
                    #expect(CSVSource.quoteCount(b.baseAddress!, from, to) == expected, "density \(density), \(from)..<\(to)")
                }
            }
        }
    }

    @Test func numbers() {
        func parse(_ s: String) -> Double? { Array(s.utf8).withUnsafeBufferPointer { parseNumber($0) } }
        #expect(parse("12") == 12)
        #expect(parse("-3.25") == -3.25)
        #expect(parse("0.1") == 0.1)
        #expect(parse("1e-3") == 0.001)
        #expect(parse(" 7 ") == 7)
        #expect(parse("1234567890.123456789") == 1234567890.123456789)
        for bad in ["", "-", ".", "1.2.3", "inf", "nan", "0x10", "1e400", "12abc"] { #expect(parse(bad) == nil, "\(bad)") }
    }

    @Test func everyOutcomeSpelling() throws {
        let won = ["won", "WON", "Closed Won", "closedwon", "Closed-Won", "1", "true", "Yes"]
        let lost = ["lost", "Closed Lost", "CLOSEDLOST", "closed-lost", "0", "False", "no"]
        let all = won + lost
        var leads = "lead_id,industry,employees\n"
        var outcomes = "lead_id,outcome,as_of\n"
        for (i, s) in all.enumerated() {
            leads += "L\(i),software,1\n"
            outcomes += "L\(i),\(s),2026-04-01\n"
        }
        let d = try TestDataset(leads: leads, signals: "lead_id,signal,occurred_at\n", outcomes: outcomes).load()
        #expect(d.labels == won.map { _ in 1.0 } + lost.map { _ in 0.0 })
    }

    @Test("quoted fields of hundreds of kilobytes, with newlines, across the points where the file is cut")
    func longQuotedFields() throws {
        // Six rows of 700 KB, nearly all inside quotes: wherever the reader cuts the file or splits
        // its quote count between cores, the cut falls inside a quoted field unless the count is right.
        let text = String(repeating: "note,\n\"\"line\"\"\n", count: 700_000 / 16)
        var signals = "lead_id,signal,occurred_at,value,campaign\n"
        for i in 0..<6 { signals += "\(i % 2 == 0 ? "A" : "B"),email_open,2026-03-0\(1 + i)T10:00:00Z,\(i + 1),\"\(text)\"\n" }
        let d = try TestDataset(signals: signals).load()
        #expect(d.report.counts.signals == 6)
        // A's rows carry values 1, 3, 5 and B's 2, 4, 6 (rows of a lead in canonical order: oldest first).
        #expect(d.events.rowStart == [0, 3, 6])
        #expect(d.events.value == [1, 3, 5, 2, 4, 6])
    }

    @Test func valueDefaultsToOneAndClosedAtToAsOf() throws {
        let d = try TestDataset(
            signals: "lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,\nA,email_open,2026-03-02,2.5\n",
            outcomes: "lead_id,outcome,as_of,closed_at\nA,won,2026-04-01,\nB,lost,2026-04-01,2026-05-01\n"
        ).load()
        #expect(d.events.value == [1, 2.5])
        #expect(d.closedAt == [parseTimestamp("2026-04-01")!, parseTimestamp("2026-05-01")!])
    }

    @Test func largeFileAcrossBlocksAndCores() throws {
        // Enough rows to be cut into several blocks and parts, with quoted newlines in between.
        var signals = "lead_id,signal,occurred_at,value,campaign\n"
        let n = 60_000
        for i in 0..<n {
            signals += "\(i % 2 == 0 ? "A" : "B"),email_open,2026-03-0\(1 + i % 9)T10:00:00Z,1,\"c\(i),\nx\"\n"
        }
        let tiny = try TestDataset(signals: signals)
        let d = try Dataset.load(directory: tiny.url)
        #expect(d.report.counts.signals == n)
        #expect(d.events.count == n)
        #expect(d.events.rowStart == [0, n / 2, n])

        // The same file read in 4 KiB blocks: records never split, lines stay exact.
        let source = try CSVSource(url: tiny.url.appendingPathComponent("signals.csv"), name: "signals.csv", blockSize: 4096)
        var records = 0
        var lastLine = 0
        try source.scan({ (scanner, _) throws(FieldError) -> (Int, Int) in
            let fields = CSVFields()
            var k = 0
            while try scanner.next(into: fields) {
                #expect(fields.count == 5)
                k += 1
            }
            return (k, scanner.recordLine)
        }) { (part, firstLine) in
            records += part.0
            lastLine = firstLine + part.1 + 1
        }
        #expect(records == n)
        #expect(lastLine == 2 * n)  // each record spans two lines after the header
    }

    @Test("while one block is scanned the next is read ahead: every record once, in order, byte for byte, whatever the block size",
          arguments: [4096, 5_000, 1 << 16])
    func readAheadKeepsEveryRecord(blockSize: Int) throws {
        // Quoted newlines and doubled quotes across block ends, and one record longer than a block.
        var signals = "lead_id,signal,occurred_at,value,campaign\n"
        let n = 30_000
        @Sendable func campaign(_ i: Int) -> String { i == 12_345 ? String(repeating: "long ", count: 3_000) + "\(i)" : "c\(i),\n\"\"x\"\"" }
        for i in 0..<n { signals += "L\(i % 7),email_open,2026-03-0\(1 + i % 9)T10:00:00Z,\(i),\"\(campaign(i))\"\n" }
        let data = try TestDataset(signals: signals)
        defer { try? FileManager.default.removeItem(at: data.url) }
        let source = try CSVSource(url: data.url.appendingPathComponent("signals.csv"), name: "signals.csv", blockSize: blockSize)
        var seen: [Int] = []
        var mismatches = 0
        try source.scan({ (scanner, _) throws(FieldError) -> (values: [Int], mismatches: Int) in
            let fields = CSVFields()
            var values: [Int] = [], bad = 0
            while try scanner.next(into: fields) {
                let i = Int(scanner.string(fields[3]))!
                values.append(i)
                if scanner.string(fields[4]) != campaign(i).replacingOccurrences(of: "\"\"", with: "\"") || scanner.string(fields[0]) != "L\(i % 7)" { bad += 1 }
            }
            return (values, bad)
        }) { (part, _) in
            seen += part.values
            mismatches += part.mismatches
        }
        #expect(seen == Array(0..<n))
        #expect(mismatches == 0)
    }
}

@Suite("Anomalies are counted, never silently dropped")
struct AnomalyTests {
    @Test("outcomes in no lead order, looked up by batches: each lead gets its first row, repeats and unknown keys are counted in file order")
    func outcomesOutOfLeadOrder() throws {
        // 300 leads; 400 outcome rows in a scrambled order (several batches of lookups):
        // every lead once, 60 repeats (the first row kept), 40 unknown keys, one key with a doubled quote.
        let n = 300
        func key(_ i: Int) -> String { i == 150 ? "\"L\"\"150\"" : "L\(i)" }
        var leads = "lead_id,industry,employees\n"
        for i in 0..<n { leads += key(i) + ",software,1\n" }
        var rows: [(key: String, won: Bool, day: Int)] = []
        for k in 0..<n {
            let i = (k * 7) % n   // a permutation of the leads
            rows.append((key(i), i % 3 == 0, 1 + i % 28))
            if k % 5 == 0 { rows.append((key(i), i % 3 != 0, 2)) }           // a repeat, later in the file: ignored
            if k % 7 == 3 { rows.append(("X\(k)", true, 3)) }               // not in leads.csv
        }
        var outcomes = "lead_id,outcome,as_of\n"
        for r in rows { outcomes += "\(r.key),\(r.won ? "won" : "lost"),2026-03-\(String(format: "%02d", r.day))\n" }
        let d = try TestDataset(leads: leads, signals: "lead_id,signal,occurred_at\n", outcomes: outcomes).load()
        for i in 0..<n {
            #expect(d.outcomes.outcome[i] == (i % 3 == 0 ? 1 : 0), "lead \(i)")
            #expect(d.outcomes.asOf[i] == parseTimestamp("2026-03-\(String(format: "%02d", 1 + i % 28))")!, "lead \(i)")
        }
        let repeats = rows.enumerated().filter { k, r in rows[..<k].contains { $0.key == r.key } }
        let unknown = rows.enumerated().filter { $0.element.key.hasPrefix("X") }
        #expect(d.report.anomaly("duplicate_outcomes")?.count == repeats.count)
        #expect(d.report.anomaly("outcomes_of_unknown_leads")?.count == unknown.count)
        // Examples name the first ones in file order (line = row + 2).
        #expect(repeats.contains { $0.element.key == key(150) })
        #expect(d.report.anomaly("duplicate_outcomes")?.examples.first == "outcomes.csv:\(repeats[0].offset + 2): lead_id '\(repeats[0].element.key)'")
        #expect(d.report.anomaly("outcomes_of_unknown_leads")?.examples.first == "outcomes.csv:\(unknown[0].offset + 2): lead_id '\(unknown[0].element.key)'")
    }

    @Test func everyAnomalyIsCounted() throws {
        let d = try TestDataset(
            leads: "lead_id,industry,employees\nA,software,10\nB,retail,200\nC,software,5\n",
            signals: """
                lead_id,signal,occurred_at
                A,email_open,2026-03-01
                Z,email_open,2026-03-01
                A,pricing_visit,2026-04-01
                A,pricing_visit,2026-04-02
                B,chat_open,2026-03-01

                """,
            outcomes: "lead_id,outcome,as_of\nA,won,2026-04-01\nQ,won,2026-04-01\nB,lost,2026-04-01\nA,lost,2026-04-01\n"
        ).load()
        let r = d.report
        #expect(r.anomaly("signals_of_unknown_leads")?.count == 1)
        #expect(r.anomaly("signals_of_unknown_leads")?.examples == ["signals.csv:3: lead_id 'Z'"])
        #expect(r.anomaly("signals_at_or_after_as_of")?.count == 2)
        #expect(r.anomaly("unused_signal_types")?.count == 1)
        #expect(r.anomaly("leads_without_outcome")?.count == 1)
        #expect(r.anomaly("leads_without_outcome")?.examples == ["lead_id 'C'"])
        #expect(r.anomaly("outcomes_of_unknown_leads")?.count == 1)
        #expect(r.anomaly("outcomes_of_unknown_leads")?.examples == ["outcomes.csv:3: lead_id 'Q'"])
        #expect(r.anomaly("duplicate_outcomes")?.count == 1)
        #expect(r.counts.trainingEvents == 1)
        #expect(d.labels == [1, 0])  // the first outcome row of A is kept
    }
}

@Suite("The data report's numbers")
struct DataReportTests {
    @Test func countsRangesAndSignalsPerLead() throws {
        // A: 3 signals, B: 1, C: 0; outcomes for A (won) and B (lost).
        let d = try TestDataset(
            signals: """
                lead_id,signal,occurred_at
                A,email_open,2026-03-01
                A,pricing_visit,2026-03-05T12:00:00+02:00
                B,email_open,2026-02-10
                A,email_open,2026-04-02

                """,
            outcomes: "lead_id,outcome,as_of,closed_at\nA,won,2026-04-01,2026-05-15\nB,lost,2026-03-20,\n"
        ).load()
        let r = d.report
        #expect(r.counts.leads == 3 && r.counts.signals == 4 && r.counts.outcomes == 2)
        #expect(r.counts.won == 1 && r.counts.lost == 1 && r.counts.winRate == 0.5)
        #expect(r.counts.trainingEvents == 3)          // A's 2026-04-02 event is after its as_of
        #expect(r.occurredAt == .init(first: "2026-02-10T00:00:00Z", last: "2026-04-02T00:00:00Z"))
        #expect(r.asOf == .init(first: "2026-03-20T00:00:00Z", last: "2026-04-01T00:00:00Z"))
        #expect(r.closedAt == .init(first: "2026-03-20T00:00:00Z", last: "2026-05-15T00:00:00Z"))
        #expect(r.eventsPerLead == .init(mean: 4.0 / 3, median: 1, p90: 2.6, max: 3, zero: 1))
        #expect(r.signalTypes.map(\.signal) == ["email_open", "pricing_visit"])
        #expect(r.signalTypes.map(\.rows) == [3, 1])
    }

    @Test("a leads.csv over 1 MB (several blocks of lookups, levels first met late): keys and levels in file order, errors in file order")
    func largeLeadsFile() throws {
        // 80,000 rows of about 22 bytes (1.8 MB).
        let n = 80_000
        // Three levels, then from a quarter of the file on a fourth among them in another order:
        // the later rows meet their levels in an order that is not the file's.
        let late = ["finance", "late level", "retail", "software"]
        func industry(_ i: Int) -> String { i < n / 4 ? ["software", "retail", "finance"][i % 3] : late[i % 4] }
        var rows: [String] = []
        for i in 0..<n {
            // A quoted key with doubled quotes late in the file.
            let id = i == n - 3 ? "\"Q\"\"\(i)\"" : "L\(i)"
            rows.append("\(id),\(industry(i)),\(i % 500 + 1)")
        }
        let text = "lead_id,industry,employees\n" + rows.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 1 << 20)
        let d = try TestDataset(leads: text, signals: "lead_id,signal,occurred_at\nL1,email_open,2026-03-01\n",
                                outcomes: "lead_id,outcome,as_of\nL0,won,2026-04-01\nL1,lost,2026-04-01\n").load()
        let expectedIDs = (0..<n).map { $0 == n - 3 ? "Q\"\($0)" : "L\($0)" }
        #expect(d.leads.ids.strings == expectedIDs)
        let column = d.leads.categories["industry"]!
        #expect(column.levels == ["software", "retail", "finance", "late level"])
        #expect((0..<n).allSatisfy { column.levels[Int(column.codes[$0])] == industry($0) })
        #expect(d.leads.numbers["employees"]! == (0..<n).map { Double($0 % 500 + 1) })

        func error(_ edit: (inout [String]) -> Void) -> String? {
            var r = rows
            edit(&r)
            return try? TestDataset(leads: "lead_id,industry,employees\n" + r.joined(separator: "\n") + "\n").error()
        }
        // A key near the start repeated near the end: the repeat's line.
        #expect(error { $0[n - 10] = "L7,retail,3" } == "leads.csv:\(n - 10 + 2):1: duplicate lead_id 'L7'")
        // Near the end, a repeated key before a bad number: the repeat first; and the other way round.
        #expect(error { $0[n - 10] = "L7,retail,3"; $0[n - 8] = "L9x,retail,x" } == "leads.csv:\(n - 10 + 2):1: duplicate lead_id 'L7'")
        #expect(error { $0[n - 10] = "L9x,retail,x"; $0[n - 8] = "L7,retail,3" } == "leads.csv:\(n - 10 + 2):12: employees: expected a finite number, found 'x'")
        // A bad number near the start before a repeated key near the end: the bad number.
        #expect(error { $0[10] = "L10,retail,-"; $0[n - 10] = "L7,retail,3" } == "leads.csv:12:12: employees: expected a finite number, found '-'")
        // A row that is both a repeat and malformed is reported as the repeat (its first field).
        #expect(error { $0[n - 10] = "L7,retail,x" } == "leads.csv:\(n - 10 + 2):1: duplicate lead_id 'L7'")
    }

    @Test("the events-per-lead distribution sorts its counts as a plain sort would: counting, or comparing when a count is far above the rest")
    func countsInOrder() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let small = (0..<5_000).map { _ in Int32(next() % 40) }                 // counting sort
        let skewed = small + [Int32(1_000_000)]                                 // largest count > 4 per element: comparison sort
        for counts in [small, skewed, [], [0], [7, 7, 7], [3, 0, 2]] {
            #expect(ascending(counts) == counts.map(Double.init).sorted(), "\(counts.count) counts")
        }
    }
}

@Suite("Input fingerprints")
struct FingerprintTests {
    @Test("the SHA-256 of every input file, whether signals.csv is hashed on demand or in the background",
          arguments: [FileDigest.Timing.onDemand, .background])
    func sha256OfEveryInputFile(timing: FileDigest.Timing) throws {
        var signals = "lead_id,signal,occurred_at,value\n"
        for i in 0..<40_000 { signals += "\(i % 2 == 0 ? "A" : "B"),email_open,2026-03-0\(1 + i % 9),\(i % 5)\n" }
        let data = try TestDataset(signals: signals)
        defer { try? FileManager.default.removeItem(at: data.url) }
        let d = try Dataset.load(directory: data.url, fingerprint: timing)
        let copy = d   // copies share the one digest
        for file in ["leads.csv", "signals.csv", "outcomes.csv"] {
            let bytes = try Data(contentsOf: data.url.appendingPathComponent(file))
            #expect(d.fingerprints[file] == LeadcalModel.SHA256.hex(bytes), "\(file)")
            #expect(copy.fingerprints[file] == d.fingerprints[file])
        }
    }
}
