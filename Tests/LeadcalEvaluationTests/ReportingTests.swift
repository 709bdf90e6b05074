import Foundation
import LeadcalModel
import Testing
@testable import LeadcalEvaluation

@Suite("Numbers are printed so that none reads as what it is not")
struct ReportingTests {
    @Test("a tiny weight prints with significant digits, never as zero")
    func significantDigits() {
        #expect(NumberFormat.fixed(2.06e-05) == "2.06e-05")
        #expect(NumberFormat.fixed(-2.06e-05) == "-2.06e-05")
        #expect(NumberFormat.fixed(0.00005) == "0.0001")
        #expect(NumberFormat.fixed(0) == "0.0000")
        #expect(NumberFormat.fixed(0.1234567) == "0.1235")
        #expect(NumberFormat.fixed(31_234_567.8) == "3.123e+07")
        #expect(NumberFormat.fixed(nil) == "-")
        #expect(NumberFormat.fixed(.nan) == "nan")
        #expect(NumberFormat.signed(2.06e-05) == "+2.06e-05")
        #expect(NumberFormat.signed(-0.5, 2) == "-0.50")
        #expect(NumberFormat.days(8.254) == "8.25" && NumberFormat.days(186.46) == "186.5")
    }

    @Test("the win rate's 95% interval is Wilson's (as statsmodels' proportion_confint)")
    func wilsonInterval() {
        // statsmodels.stats.proportion.proportion_confint(k, n, method="wilson")
        for (won, n, lower, upper) in [(30.0, 100.0, 0.21894885294932756, 0.39584854633346667), (0.0, 20.0, 0.0, 0.1611251580528194),
                                       (748.0, 748.0, 0.9948905999055709, 0.9999999999999999)] {
            let (lo, hi) = BaseRate.wilson(won: won, n: n)
            #expect(abs(lo - lower) < 1e-12 && abs(hi - upper) < 1e-12, "\(won)/\(n): [\(lo), \(hi)]")
        }
        let ok = BaseRate([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0])!
        #expect(!ok.shifted && ok.warning == nil)
        let shifted = BaseRate([Double](repeating: 0.09, count: 1000), (0..<1000).map { $0 < 516 ? 1 : 0 })!
        #expect(shifted.shifted)
        #expect(shifted.warning!.hasPrefix("base rate shifted: the model predicts 9.0% on average, but 51.6% of these leads were won"))
    }

    @Test("half-life intervals print their unbounded ends and their status")
    func halfLifeText() {
        let open = HalfLife(days: 1.2, status: .notIdentified, interval: .init(lower: nil, upper: nil))
        #expect(open.intervalText == "[≤ 0.50, ≥ 3650]")
        #expect(open.statusText == "not identified by these data" && open.mark == "?")
        let half = HalfLife(days: 73.2, status: .estimated, interval: .init(lower: 58.5, upper: nil))
        #expect(half.intervalText == "[58.5, ≥ 3650]" && half.statusText == nil && half.mark == "")
        #expect(HalfLife(days: 30, status: .noSignal).mark == "∅")
    }
}
