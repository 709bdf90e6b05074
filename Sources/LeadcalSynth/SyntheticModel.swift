import LeadcalData
import LeadcalModel

/// The true model `leadcal synth` draws outcomes from: the four axes of the
/// data contract's example spec, with known weights and half-lives.
public struct SyntheticTruth: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var leads: Int
    public var intercept: Double
    /// Weight per feature name, as the fitter names them (`industry=retail`, `pricing_visit`).
    public var weights: [String: Double]
    /// Half-life in days per signal axis.
    public var halfLives: [String: Double]
    public var l2: Double
    /// `synth --drift`: every weight moves by this much per month of `as_of`
    /// (from the first month of the window, where ``weights`` hold), up for the
    /// features in ``driftUp``, down for the others; signal weights stop at 0.
    public var driftPerMonth: Double?
    public var driftUp: [String]?

    enum CodingKeys: String, CodingKey {
        case seed, leads, intercept, weights, l2
        case halfLives = "half_lives", driftPerMonth = "drift_per_month", driftUp = "drift_up"
    }

    /// The true weight of `feature` at month `month` of the window (0 = the first).
    public func weight(_ feature: String, month: Int) -> Double? {
        guard let w = weights[feature] else { return nil }
        guard let rate = driftPerMonth, rate != 0 else { return w }
        let moved = w + Double(month) * rate * ((driftUp ?? []).contains(feature) ? 1 : -1)
        return SyntheticTruth.isSignal(feature) ? max(0, moved) : moved
    }

    static func isSignal(_ feature: String) -> Bool { Truth.signals.contains { $0.name == feature && $0.axis >= 0 } }
}

/// A categorical attribute: levels with their share and true weight (the most
/// frequent level is the reference, weight 0).
struct CategoricalTruth {
    let column: String
    let levels: [String]
    let cumulative: [Double]
    let weights: [Double]
    init(_ column: String, _ spec: [(String, Double, Double)]) {
        self.column = column
        levels = spec.map(\.0)
        var c = 0.0
        cumulative = spec.map { c += $0.1; return c }
        weights = spec.map(\.2)
    }
}

/// A signal type: its axis, its share of events, its true weight, and how its
/// `value` is drawn.
struct SignalTruth {
    let name: String
    let axis: Int              // 0 context, 1 engagement, 2 history, -1 unused by the spec
    let share: Double
    let weight: Double
    let pagesViewed: Bool      // value = pages viewed (else 1)
    let dateOnly: Bool         // news-like signals are exported as dates
}

enum Truth {
    static let intercept = -3.1
    static let industry = CategoricalTruth("industry", [
        ("software", 0.30, 0.0), ("finance", 0.18, -0.2), ("manufacturing", 0.16, -0.5),
        ("healthcare", 0.14, -0.3), ("retail", 0.12, -0.7), ("education", 0.10, -0.9),
    ])
    static let jobLevel = CategoricalTruth("job_level", [
        ("manager", 0.35, 0.0), ("director", 0.25, 0.3), ("individual", 0.17, -0.4),
        ("vp", 0.15, 0.5), ("c_level", 0.08, 0.6),
    ])
    static let employeesWeight = 0.15
    static let axes = ["context", "engagement", "history"]
    static let halfLives = [40.0, 9.0, 150.0]
    static let saturation = [false, true, false]   // engagement is log1p
    static let signals: [SignalTruth] = [
        SignalTruth(name: "hiring_sales", axis: 0, share: 0.030, weight: 0.6, pagesViewed: false, dateOnly: true),
        SignalTruth(name: "funding_round", axis: 0, share: 0.010, weight: 0.9, pagesViewed: false, dateOnly: true),
        SignalTruth(name: "new_executive", axis: 0, share: 0.015, weight: 0.5, pagesViewed: false, dateOnly: true),
        SignalTruth(name: "reorg", axis: 0, share: 0.010, weight: 0.3, pagesViewed: false, dateOnly: true),
        SignalTruth(name: "email_open", axis: 1, share: 0.340, weight: 0.10, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "email_click", axis: 1, share: 0.100, weight: 0.25, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "web_visit", axis: 1, share: 0.200, weight: 0.15, pagesViewed: true, dateOnly: false),
        SignalTruth(name: "pricing_visit", axis: 1, share: 0.050, weight: 0.80, pagesViewed: true, dateOnly: false),
        SignalTruth(name: "content_download", axis: 1, share: 0.060, weight: 0.30, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "webinar", axis: 1, share: 0.030, weight: 0.35, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "reply", axis: 2, share: 0.040, weight: 0.35, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "call", axis: 2, share: 0.030, weight: 0.25, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "meeting", axis: 2, share: 0.020, weight: 0.90, pagesViewed: false, dateOnly: false),
        SignalTruth(name: "chat_open", axis: -1, share: 0.065, weight: 0, pagesViewed: false, dateOnly: false),
    ]

    static func truth(seed: UInt64, leads: Int, l2: Double) -> SyntheticTruth {
        var w: [String: Double] = ["employees": employeesWeight]
        for c in [industry, jobLevel] {
            for (k, level) in c.levels.enumerated() where k > 0 { w["\(c.column)=\(level)"] = c.weights[k] }
        }
        for s in signals where s.axis >= 0 { w[s.name] = s.weight }
        var h: [String: Double] = [:]
        for (a, name) in axes.enumerated() { h[name] = halfLives[a] }
        return SyntheticTruth(seed: seed, leads: leads, intercept: intercept, weights: w, halfLives: h, l2: l2)
    }

    /// Features whose weight drifts upward: every other one in name order
    /// (the rest drift down), so the base rate stays roughly level.
    static func driftUp(_ weights: [String: Double]) -> [String] {
        weights.keys.sorted().enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    }

    /// ``model`` with the weights of month `month` under `truth`'s drift.
    static func model(month: Int, truth: SyntheticTruth) -> WeightsFile {
        var m = model
        for a in m.axes.indices {
            for j in m.axes[a].features.indices {
                let f = m.axes[a].features[j]
                m.axes[a].features[j].weight = truth.weight(f.name, month: month) ?? f.weight
            }
        }
        return m
    }

    /// The truth as a model the production scorer reads: outcomes are drawn
    /// from its probabilities (the model's one prediction path).
    static let model: WeightsFile = {
        let (spec, _) = try! ModelSpec.parse(yaml: Self.spec)
        func category(_ c: CategoricalTruth, axis: String) -> [WeightsFile.Feature] {
            (1..<c.levels.count).map { k in
                WeightsFile.Feature(
                    name: "\(c.column)=\(c.levels[k])", kind: .category, source: c.column, level: c.levels[k], referenceLevel: c.levels[0],
                    weight: c.weights[k], status: .estimated, mean: 0)
            }
        }
        var axes = [WeightsFile.Axis(
            name: "fit", saturation: .none, nonnegative: false,
            referenceLevels: [industry.column: industry.levels[0], jobLevel.column: jobLevel.levels[0]],
            features: category(industry, axis: "fit")
                + [.init(name: "employees", kind: .log, source: "employees", weight: employeesWeight, status: .estimated, mean: 0)]
                + category(jobLevel, axis: "fit"))]
        for (a, name) in Self.axes.enumerated() {
            axes.append(WeightsFile.Axis(
                name: name, halfLife: HalfLife(days: halfLives[a], status: .fixed), saturation: saturation[a] ? .log1p : .none,
                nonnegative: true,
                features: signals.filter { $0.axis == a }.map {
                    .init(name: $0.name, kind: .signal, source: $0.name, weight: $0.weight, status: .estimated, mean: 0)
                }))
        }
        return WeightsFile(
            model: "truth", version: "truth", parent: nil, createdAt: "1970-01-01T00:00:00Z", tool: "leadcal synth", spec: spec,
            training: .init(rows: 0, won: 0, lost: 0, asOf: [], closedAt: [], window: .init(from: "", to: "", toInclusive: true),
                            dataFingerprint: "", anomalies: [:], inputs: [:]),
            intercept: .init(weight: intercept), axes: axes,
            statistics: .init(objective: 0, logLikelihood: 0, nullLogLikelihood: 0, pseudoR2: 0, aic: 0, converged: true, iterations: 0,
                              newtonIterations: 0, warnings: []),
            metrics: .init(training: .init(rows: 0, won: 0, logLoss: 0, brier: 0)),
            tiers: [.init(name: "all", minProbability: 0, rule: "rest")])
    }()

    static let spec = """
        # Model spec written by `leadcal synth`: the data contract's example.
        # Half-lives are starting values; calibration fits them from the outcomes.
        name: b2b-default
        axes:
          fit:
            attributes:
              industry: categorical
              employees: log
              job_level: categorical
          context:
            signals: [hiring_sales, funding_round, new_executive, reorg]
            half_life_days: 60
            fit_half_life: true
          engagement:
            signals: [email_open, email_click, web_visit, pricing_visit, content_download, webinar]
            half_life_days: 14
            fit_half_life: true
            saturation: log1p
          history:
            signals: [reply, call, meeting]
            half_life_days: 90
            fit_half_life: true
        l2: 1.0
        nonnegative: [context, engagement, history]

        """
}
