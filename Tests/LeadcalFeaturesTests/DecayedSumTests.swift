import Foundation
import LeadcalModel
import Testing
import LeadcalData
import LeadcalFeatures

@Suite("Point-in-time features follow the data contract's formula")
struct DecayedSumTests {
    /// Writes a dataset folder and loads it.
    func load(spec: String, leads: String, signals: String, outcomes: String) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("leadcal-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        for (name, text) in ["model.yaml": spec, "leads.csv": leads, "signals.csv": signals, "outcomes.csv": outcomes] {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try Dataset.load(directory: url)
    }

    static let spec = """
        name: t
        axes:
          fit:
            attributes: {industry: categorical, employees: log, score: numeric}
          engagement:
            signals: [email_open, pricing_visit]
            half_life_days: 10
            saturation: log1p
          history:
            signals: [meeting]
            half_life_days: 30
        """

    @Test func twoEventsAtKnownAges() throws {
        // Lead A read at 2026-04-01: meetings 4 days and 12.5 days before, values 2 and 1;
        // one at as_of exactly and one after (both excluded).
        let d = try load(
            spec: Self.spec,
            leads: "lead_id,industry,employees,score\nA,retail,9,0.5\nB,software,0,1\nC,software,3,2\n",
            signals: """
                lead_id,signal,occurred_at,value
                A,meeting,2026-03-28,2
                A,meeting,2026-03-19T12:00:00Z,
                A,meeting,2026-04-01,5
                A,meeting,2026-04-03,5
                A,pricing_visit,2026-03-31,3
                B,email_open,2026-03-01,1

                """,
            outcomes: "lead_id,outcome,as_of\nA,won,2026-04-01\nB,lost,2026-04-01\nC,lost,2026-04-01\n")
        let builder = try FeatureBuilder(dataset: d)
        #expect(builder.layout.names == ["industry=retail", "employees", "score", "email_open", "pricing_visit", "meeting"])
        #expect(builder.layout.referenceLevels == ["industry": "software"])
        #expect(builder.attributeValues == [1, log1p(9), 0.5, 0, log1p(0), 1, 0, log1p(3), 2])

        let h = [0, 10.0, 30.0]  // per axis; fit has no half-life
        var x: [Double] = []
        var dx = [Double](repeating: .nan, count: 9)
        dx.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &x, derivatives: $0.baseAddress!) }

        // Rows A, B, C × signals [email_open, pricing_visit, meeting].
        let meeting = 2 * pow(2, -4 / 30.0) + 1 * pow(2, -12.5 / 30.0)
        let pricing = log1p(3 * pow(2, -1 / 10.0))
        let open = log1p(pow(2, -31 / 10.0))
        #expect(x[0] == 0)
        #expect(abs(x[1] - pricing) < 1e-15)
        #expect(abs(x[2] - meeting) < 1e-15)
        #expect(abs(x[3] - open) < 1e-15)
        #expect(Array(x[4...]) == [0, 0, 0, 0, 0])

        // d/dlog h of 2^(-a/h) is 2^(-a/h) * ln2 * a / h; under log1p divided by 1 + S.
        let dMeeting = (2 * pow(2, -4 / 30.0) * 4 + pow(2, -12.5 / 30.0) * 12.5) * M_LN2 / 30
        #expect(abs(dx[2] - dMeeting) < 1e-14)
        let s = 3 * pow(2, -1 / 10.0)
        #expect(abs(dx[1] - s * M_LN2 * 1 / 10 / (1 + s)) < 1e-15)

        // d²/dlog h² of 2^(-a/h) is 2^(-a/h) * (c² − c), c = ln2 * a / h; under log1p,
        // S''/(1 + S) − (S'/(1 + S))².
        var first = [Double](repeating: .nan, count: 9), second = [Double](repeating: .nan, count: 9)
        first.withUnsafeMutableBufferPointer { d in
            second.withUnsafeMutableBufferPointer { d2 in
                builder.decayedSignals(halfLives: h, values: &x, derivatives: d.baseAddress!, secondDerivatives: d2.baseAddress!)
            }
        }
        #expect(first == dx, "the first derivatives do not depend on asking for the second")
        func curvature(_ v: Double, _ age: Double, _ h: Double) -> Double {
            let c = M_LN2 * age / h
            return v * pow(2, -age / h) * (c * c - c)
        }
        let ddMeeting = curvature(2, 4, 30) + curvature(1, 12.5, 30)
        #expect(abs(second[2] - ddMeeting) < 1e-14)
        let sPrime = s * M_LN2 / 10, sSecond = curvature(3, 1, 10)
        #expect(abs(second[1] - (sSecond / (1 + s) - pow(sPrime / (1 + s), 2))) < 1e-15)
        #expect(second[0] == 0 && Array(second[4...]) == [0, 0, 0, 0, 0])
    }

    @Test("first and second derivatives in log h match central differences") func derivativeMatchesFiniteDifference() throws {
        let d = try load(
            spec: Self.spec,
            leads: "lead_id,industry,employees,score\nA,retail,9,0.5\n",
            signals: "lead_id,signal,occurred_at,value\nA,meeting,2026-03-28,2\nA,email_open,2026-02-01T08:00:00Z,4\nA,email_open,2026-03-30,1\n",
            outcomes: "lead_id,outcome,as_of\nA,won,2026-04-01\n")
        let builder = try FeatureBuilder(dataset: d)
        for h in [[0, 3.0, 7.0], [0, 40.0, 400.0]] {
            var x: [Double] = [], up: [Double] = [], down: [Double] = []
            var dx = [Double](repeating: 0, count: 3)
            dx.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &x, derivatives: $0.baseAddress!) }
            let eps = 1e-6
            builder.decayedSignals(halfLives: h.map { $0 * exp(eps) }, values: &up, derivatives: nil)
            builder.decayedSignals(halfLives: h.map { $0 * exp(-eps) }, values: &down, derivatives: nil)
            for j in 0..<3 {
                let fd = (up[j] - down[j]) / (2 * eps)
                #expect(abs(fd - dx[j]) < 1e-8 * max(1, abs(dx[j])))
            }
            // The second derivative against central differences of the first.
            var dd = [Double](repeating: 0, count: 3), dUp = dd, dDown = dd
            dx.withUnsafeMutableBufferPointer { d in
                dd.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h, values: &x, derivatives: d.baseAddress!, secondDerivatives: $0.baseAddress!) }
            }
            dUp.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h.map { $0 * exp(eps) }, values: &up, derivatives: $0.baseAddress!) }
            dDown.withUnsafeMutableBufferPointer { builder.decayedSignals(halfLives: h.map { $0 * exp(-eps) }, values: &down, derivatives: $0.baseAddress!) }
            for j in 0..<3 {
                let fd = (dUp[j] - dDown[j]) / (2 * eps)
                #expect(abs(fd - dd[j]) < 1e-8 * max(1, abs(dd[j])), "signal \(j): \(dd[j]) against \(fd)")
            }
        }
    }
}

@Suite("Breadth of interaction")
struct BreadthFeatureTests {
    @Test("counts the distinct signal types of the axis with an event in the window (0 < age <= N days), a hand-computed example")
    func handComputed() throws {
        // engagement has breadth_days: 7. Read at 2026-04-01:
        //   A: email_open 2 days and 3 days before (one type), pricing_visit exactly 7 days before (in),
        //      webinar 7 days and 1 second before (out), meeting 1 day before (another axis): 2.
        //   B: email_open at as_of (not before it) and 30 days before: 0.
        //   C: three types within the week, two events of one of them: 3.
        let d = try DecayedSumTests().load(
            spec: """
                name: t
                axes:
                  engagement:
                    signals: [email_open, pricing_visit, webinar]
                    half_life_days: 10
                    breadth_days: 7
                  history:
                    signals: [meeting]
                    half_life_days: 30
                """,
            leads: "lead_id\nA\nB\nC\n",
            signals: """
                lead_id,signal,occurred_at,value
                A,email_open,2026-03-30,1
                A,email_open,2026-03-29,1
                A,pricing_visit,2026-03-25,1
                A,webinar,2026-03-24T23:59:59Z,1
                A,meeting,2026-03-31,1
                B,email_open,2026-04-01,1
                B,email_open,2026-03-02,1
                C,email_open,2026-03-31,1
                C,email_open,2026-03-30,1
                C,pricing_visit,2026-03-28,1
                C,webinar,2026-03-26T12:00:00Z,1

                """,
            outcomes: "lead_id,outcome,as_of\nA,won,2026-04-01\nB,lost,2026-04-01\nC,lost,2026-04-01\n")
        let builder = try FeatureBuilder(dataset: d)
        #expect(builder.layout.names == ["engagement_breadth", "email_open", "pricing_visit", "webinar", "meeting"])
        #expect(builder.layout.firstSignalColumn == 1)
        #expect(builder.attributeValues == [2, 0, 3])
    }

    @Test("the spec refuses breadth_days on an axis without signals, and a breadth name that is already a signal type")
    func specChecks() {
        #expect(throws: DataError.self) {
            try ModelSpec.parse(yaml: "name: t\naxes:\n  fit:\n    attributes: {industry: categorical}\n    breadth_days: 7\n")
        }
        #expect(throws: DataError.self) {
            try ModelSpec.parse(yaml: "name: t\naxes:\n  e:\n    signals: [e_breadth]\n    half_life_days: 5\n    breadth_days: 7\n")
        }
        #expect(throws: DataError.self) {
            try ModelSpec.parse(yaml: "name: t\naxes:\n  e:\n    signals: [x]\n    half_life_days: 5\n    breadth_days: 0\n")
        }
    }
}
