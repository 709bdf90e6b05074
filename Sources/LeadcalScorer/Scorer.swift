import Foundation
import LeadcalModel

/// Scores leads with a weights file: probability of a win, a 0–100 score, a
/// tier, each axis's contribution in logit points, and the reasons.
///
/// This is the model's one prediction path: `fit`'s metrics, the backtest,
/// `evaluate`, `compare`, `score` and the scoring service all go through it.
/// It depends on Foundation and LeadcalModel only, so production can embed it
/// alone. Use ``Scorer/load(_:)`` to read and validate a file.
///
///     let scorer = try Scorer.load(url)
///     var totals = scorer.makeTotals(leads: 1)
///     totals.add(lead: 0, signal: scorer.signalIndex("pricing_visit")!, ageDays: 2, value: 3)
///     let attributes = scorer.attributes(["industry": "software", "employees": "120"])
///     let s = scorer.score(lead: 0, totals: totals, attributes: attributes)
///     print(s.probability, s.score, scorer.tier(s), scorer.reasons(lead: 0, totals: totals, attributes: attributes))
public struct Scorer: Sendable {
    public let weights: WeightsFile

    /// Attribute columns the model reads, in a fixed order (the order of ``LeadAttributes``).
    public let attributeColumns: [String]
    /// Signal types the model reads, in feature order.
    public let signalNames: [String]
    /// Axis names, in the order of ``Score/axisContributions``.
    public let axisNames: [String]

    private let intercept: Double
    private let signalIndexByName: [String: Int]
    private let signalWeight: [Double], signalMean: [Double], signalAxis: [Int], signalLog: [Bool]
    /// `−1/h` per signal: the exponent of 2 per day of age.
    let slope: [Double]
    /// Per signal: its axis's breadth window in days (−∞: none).
    let window: [Double]
    /// Breadth features (all, for reasons): name, weight, mean, member signals.
    private let breadth: [(name: String, weight: Double, mean: Double, members: [Int])]
    /// Per attribute column: kind, and for categories the weight, mean and axis per level.
    private let columns: [Column]
    /// The model flattened for the per-lead loop of ``score(lead:totals:attributes:into:)``.
    private let plan: Plan
    /// The saturation's table, held here so scoring needs no lazy-global check.
    private let log1p = Log1p.shared
    /// Names as bytes, for the text of reasons.
    private let names: Names

    /// The model laid out for ``score(lead:totals:attributes:into:)``: per
    /// axis, its attribute columns, signals and breadth features, so each
    /// axis is summed in a register and stored once. Within an axis the terms
    /// come in the model's order (columns, then signals, then breadth), the
    /// order in which they were added one by one into the axis before.
    struct Plan: Sendable {
        struct Term: Sendable { var weight: Double; var axis: Int }
        struct ColumnPlan: Sendable {
            /// The attribute column (index into ``LeadAttributes/x``).
            var column: Int
            var category: Bool
            /// Index of the column's first term (its level 0, or its one weight).
            var first: Int
        }
        struct SignalPlan: Sendable { var index: Int; var weight: Double; var log: Bool }
        /// Breadth features of non-zero weight; their member signals are `breadthMembers[first..<end]`.
        struct BreadthPlan: Sendable { var weight: Double; var first: Int; var end: Int }
        /// Per axis: its ranges of `columns`, `signals` and `breadth`.
        struct AxisPlan: Sendable { var columns: Range<Int>; var signals: Range<Int>; var breadth: Range<Int> }
        /// Attribute columns with a weight, grouped by axis (a categorical
        /// column under each axis one of its levels belongs to).
        var columns: [ColumnPlan] = []
        var terms: [Term] = []
        /// Signals of non-zero weight, grouped by axis.
        var signals: [SignalPlan] = []
        var breadth: [BreadthPlan] = []
        var breadthMembers: [Int] = []
        var axes: [AxisPlan] = []
        var tierFloors: [Double] = []
    }

    /// How an attribute column enters the logit.
    public enum ColumnKind: Sendable, Equatable {
        /// Level indicators against a reference level.
        case category
        /// The number as is.
        case number
        /// `log1p` of a number >= 0.
        case log
    }

    struct Column: Sendable {
        var name: String
        var kind: ColumnKind
        var levels: [String: Int]   // category level -> index into the per-level arrays
        var levelNames: [String]
        var weights: [Double]       // per level (category) or one (number, log)
        var means: [Double]
        var axis: [Int]
    }

    public init(weights: WeightsFile) {
        self.weights = weights
        intercept = weights.intercept.weight
        axisNames = weights.axes.map(\.name)
        var names: [String] = [], w: [Double] = [], mean: [Double] = [], axis: [Int] = [], log: [Bool] = [], slope: [Double] = []
        var columns: [String: Column] = [:]
        var order: [String] = []
        var window: [Double] = []
        var breadthFeatures: [(axis: Int, feature: WeightsFile.Feature)] = []
        for (a, ax) in weights.axes.enumerated() {
            for f in ax.features {
                switch f.kind {
                case .breadth:
                    breadthFeatures.append((a, f))
                case .signal:
                    names.append(f.source); w.append(f.weight); mean.append(f.mean); axis.append(a)
                    log.append(ax.saturation == .log1p); slope.append(-1 / (ax.halfLife?.days ?? .infinity))
                    window.append(ax.breadthDays ?? -.infinity)
                case .category, .numeric, .log:
                    let kind: ColumnKind = f.kind == .category ? .category : f.kind == .log ? .log : .number
                    if columns[f.source] == nil {
                        order.append(f.source)
                        columns[f.source] = Column(name: f.source, kind: kind, levels: [:], levelNames: [], weights: [], means: [], axis: [])
                    }
                    var c = columns[f.source]!
                    if kind == .category { c.levels[f.level ?? "", default: c.weights.count] = c.weights.count; c.levelNames.append(f.level ?? "") }
                    c.weights.append(f.weight); c.means.append(f.mean); c.axis.append(a)
                    columns[f.source] = c
                }
            }
            // A categorical column whose only level is the reference has no feature, but is still read.
            for (column, _) in ax.referenceLevels.sorted(by: { $0.key < $1.key }) where columns[column] == nil {
                order.append(column)
                columns[column] = Column(name: column, kind: .category, levels: [:], levelNames: [], weights: [], means: [], axis: [])
            }
        }
        signalNames = names
        signalIndexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        signalWeight = w; signalMean = mean; signalAxis = axis; signalLog = log; self.slope = slope; self.window = window
        // A breadth feature counts the axis's signal types (every signal feature of its axis).
        breadth = breadthFeatures.map { b in
            (b.feature.name, b.feature.weight, b.feature.mean, axis.indices.filter { axis[$0] == b.axis })
        }
        attributeColumns = order
        self.columns = order.map { columns[$0]! }
        self.names = Names(
            signals: names.map { Array($0.utf8) }, breadth: breadth.map { Array($0.name.utf8) },
            columns: self.columns.map { Array($0.name.utf8) }, levels: self.columns.map { $0.levelNames.map { Array($0.utf8) } })
        var plan = Plan()
        // Every column's terms, then per axis the columns, signals and breadth features that add to it.
        var firstTerm: [Int] = []
        for column in self.columns {
            firstTerm.append(plan.terms.count)
            for (k, weight) in column.weights.enumerated() { plan.terms.append(.init(weight: weight, axis: column.axis[k])) }
        }
        for a in axisNames.indices {
            let columnStart = plan.columns.count, signalStart = plan.signals.count, breadthStart = plan.breadth.count
            for (c, column) in self.columns.enumerated() {
                // A category adds its level's term (when that term is of this axis); a number its one weight.
                let inAxis = column.kind == .category ? column.axis.contains(a) : column.axis.first == a && column.weights[0] != 0
                if inAxis { plan.columns.append(.init(column: c, category: column.kind == .category, first: firstTerm[c])) }
            }
            for s in names.indices where w[s] != 0 && axis[s] == a {
                plan.signals.append(.init(index: s, weight: w[s], log: log[s]))
            }
            for (k, b) in breadth.enumerated() where b.weight != 0 && breadthFeatures[k].axis == a {
                let first = plan.breadthMembers.count
                plan.breadthMembers += b.members
                plan.breadth.append(.init(weight: b.weight, first: first, end: plan.breadthMembers.count))
            }
            plan.axes.append(.init(columns: columnStart..<plan.columns.count, signals: signalStart..<plan.signals.count,
                                   breadth: breadthStart..<plan.breadth.count))
        }
        plan.tierFloors = weights.tiers.map(\.minProbability)
        self.plan = plan
    }

    /// Reads and validates a weights file (format, major version, checksum, content).
    public static func load(_ url: URL) throws(WeightsError) -> Scorer { Scorer(weights: try WeightsStore.load(url)) }

    /// The model's index of a signal type; nil for a type the model does not use (ignore it, and count it).
    public func signalIndex(_ name: String) -> Int? { signalIndexByName[name] }

    /// Empty totals for `leads` leads.
    public func makeTotals(leads: Int) -> SignalTotals { SignalTotals(leads: leads, slope: slope, window: window) }

    /// How attribute column `c` (of ``attributeColumns``) enters the logit.
    public func columnKind(_ c: Int) -> ColumnKind { columns[c].kind }

    /// The level index of `level` in categorical column `c`, or −1 for its
    /// reference level or a level the model never saw (both contribute 0).
    public func levelIndex(column c: Int, level: String) -> Int32 { Int32(columns[c].levels[level] ?? -1) }

    /// Whether `level` is column `c`'s reference level.
    public func isReference(column c: Int, level: String) -> Bool { weights.referenceLevels[columns[c].name] == level }

    /// The training mean of number column `c`'s feature (log1p applied for log columns): what a missing number becomes.
    public func trainingMean(column c: Int) -> Double { columns[c].means.first ?? 0 }

    /// A lead's attributes resolved for scoring: per column of ``attributeColumns``,
    /// the matched level (category; −1 for the reference or an unseen level)
    /// or the feature value x (number; `log1p` applied for log columns), and
    /// the problems met while resolving them.
    public struct LeadAttributes: Sendable {
        public var x: [Double]
        /// The numbers as given (for reasons), per column; 0 for categories.
        public var given: [Double]
        /// `employees missing (training mean used)`, `employees: 'many' is not a valid number (training mean used)`.
        public var notes: [String]
        public init(x: [Double], given: [Double], notes: [String] = []) {
            self.x = x
            self.given = given
            self.notes = notes
        }
    }

    /// Resolves attribute texts aligned with ``attributeColumns`` (nil: missing).
    /// A missing category is the reference level; a missing or malformed
    /// number takes the training mean, with a note. Cost: one dictionary
    /// lookup per category, one number parse per number.
    public func attributes(values: [String?]) -> LeadAttributes {
        var x = [Double](repeating: 0, count: columns.count)
        var given = [Double](repeating: 0, count: columns.count)
        var notes: [String] = []
        for (c, column) in columns.enumerated() {
            let raw = c < values.count ? values[c] : nil
            switch column.kind {
            case .category:
                x[c] = column.levels[raw ?? ""].map(Double.init) ?? -1
            case .number, .log:
                if let text = raw?.trimmingCharacters(in: .whitespaces), let v = Double(text), v.isFinite, column.kind != .log || v >= 0 {
                    x[c] = column.kind == .log ? log1p(v) : v
                    given[c] = v
                } else {
                    x[c] = column.means[0]
                    given[c] = column.kind == .log ? expm1(x[c]) : x[c]
                    notes.append((raw?.isEmpty ?? true) ? "\(column.name) missing (training mean used)"
                        : "\(column.name): '\(raw!)' is not a valid number (training mean used)")
                }
            }
        }
        return LeadAttributes(x: x, given: given, notes: notes)
    }

    /// Resolves attribute texts keyed by column.
    public func attributes(_ byColumn: [String: String]) -> LeadAttributes {
        attributes(values: attributeColumns.map { byColumn[$0] })
    }

    /// The scorer's output for one lead.
    public struct Score: Sendable {
        public var probability: Double = 0
        /// `⌊100 · probability + 0.5⌋` (the same in every SQL dialect).
        public var score: Int = 0
        /// Index into `weights.tiers`.
        public var tierIndex: Int = 0
        /// `b0 + Σ axis contributions`.
        public var logit: Double = 0
        /// Logit points per axis (`Σ w_j x_j` over its features), in ``Scorer/axisNames`` order.
        public var axisContributions: [Double] = []
        public init() {}
    }

    /// The expected deal value of a lead with an estimated `amount`:
    /// `probability × amount`. Meaningful with a model fitted with
    /// `weight_by: amount`, whose score ranks revenue rather than wins alone.
    public static func expectedValue(_ score: Score, amount: Double) -> Double { score.probability * amount }

    /// The tier name of a score.
    public func tier(_ score: Score) -> String {
        weights.tiers.indices.contains(score.tierIndex) ? weights.tiers[score.tierIndex].name : ""
    }

    /// Scores lead `lead` of `totals`. Allocates nothing once `score` has been
    /// used for this model. Cost: O(features) over flat typed arrays (no
    /// dictionary, no string, no per-column copy).
    public func score(lead: Int, totals: SignalTotals, attributes: LeadAttributes, into score: inout Score) {
        let axisCount = axisNames.count
        if score.axisContributions.count != axisCount { score.axisContributions = [Double](repeating: 0, count: axisCount) }
        var logit = intercept
        let plan = self.plan, log1p = self.log1p
        score.axisContributions.withUnsafeMutableBufferPointer { axes in
            attributes.x.withUnsafeBufferPointer { x in
            plan.columns.withUnsafeBufferPointer { columns in
            plan.terms.withUnsafeBufferPointer { terms in
            plan.signals.withUnsafeBufferPointer { signals in
            plan.axes.withUnsafeBufferPointer { axisPlans in
            totals.withCells(lead: lead) { cells in
                for a in 0..<axisCount {
                    let axis = axisPlans[a]
                    var sum = 0.0
                    for column in columns[axis.columns] {
                        let v = x[column.column]
                        if column.category {
                            if v >= 0 { let t = terms[column.first + Int(v)]; if t.axis == a { sum += t.weight } }
                        } else {
                            sum += terms[column.first].weight * v
                        }
                    }
                    for s in signals[axis.signals] {
                        let total = cells[s.index].sum
                        sum += s.weight * (s.log ? log1p(total) : total)
                    }
                    for b in plan.breadth[axis.breadth] {
                        var n = 0
                        for k in b.first..<b.end where cells[plan.breadthMembers[k]].count & SignalTotals.recentBit != 0 { n += 1 }
                        sum += b.weight * Double(n)
                    }
                    axes[a] = sum
                    logit += sum
                }
            }
            }
            }
            }
            }
            }
        }
        let p = 1 / (1 + exp(-logit))
        score.logit = logit
        score.probability = p
        // 100·p + 0.5 is in [0.5, 100.5]: truncation is the floor (and needs no libm call).
        score.score = p.isFinite ? Int(100 * p + 0.5) : 0
        var tier = plan.tierFloors.count - 1
        for (t, floor) in plan.tierFloors.enumerated() where p >= floor { tier = t; break }
        score.tierIndex = max(tier, 0)
    }

    /// Scores lead `lead` of `totals`.
    public func score(lead: Int, totals: SignalTotals, attributes: LeadAttributes) -> Score {
        var s = Score()
        score(lead: lead, totals: totals, attributes: attributes, into: &s)
        return s
    }

    /// Why a lead scores as it does: one feature's effect against an average training lead.
    public struct Reason: Sendable, CustomStringConvertible {
        /// `w_j (x_j − mean_j)`, logit points.
        public var effect: Double
        /// The feature (`pricing_visit`, `industry=retail`, `employees`).
        public var feature: String
        public var kind: Kind
        public enum Kind: Sendable {
            /// A signal: its number of events before the reading time and the age of the last, in days.
            case signal(count: Double, lastAgeDays: Double)
            /// The lead's own category level.
            case category
            /// A number attribute, as given.
            case number(Double)
        }
        /// `pricing_visit ×3, last 2 days ago (+0.82)`, `no meeting (−0.35)`, `job_level=c_level (+0.60)`,
        /// `employees 1200 (+0.21)`: the feature first (a spreadsheet never reads it as a formula), its effect after.
        public var description: String {
            var bytes: [UInt8] = []
            write(into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Appends ``description``'s UTF-8 bytes to `out`.
        public func write(into out: inout [UInt8]) {
            switch kind {
            case let .signal(count, last): Self.writeSignal(feature.utf8, count: count, lastAgeDays: last, effect: effect, into: &out)
            case .category: Self.writeCategory(feature.utf8, level: EmptyCollection(), effect: effect, into: &out)
            case let .number(v): Self.writeNumber(feature.utf8, value: v, effect: effect, into: &out)
            }
        }

        /// The text of a signal's reason: `pricing_visit ×3, last 2 days ago (+0.82)`, `no meeting (−0.35)`.
        @inline(__always)
        static func writeSignal<Name: Collection<UInt8>>(_ name: Name, count: Double, lastAgeDays last: Double, effect: Double, into out: inout [UInt8]) {
            if count == 0 {
                out.append(contentsOf: "no ".utf8)
                out.append(contentsOf: name)
            } else {
                out.append(contentsOf: name)
                out.append(contentsOf: " ×".utf8)
                Self.whole(count, into: &out)
                out.append(contentsOf: ", last ".utf8)
                if last < 1 {
                    out.append(contentsOf: "today".utf8)
                } else if last < 2 {
                    out.append(contentsOf: "1 day ago".utf8)
                } else {
                    Self.whole(last, into: &out)
                    out.append(contentsOf: " days ago".utf8)
                }
            }
            Self.writeEffect(effect, into: &out)
        }

        /// The text of a category's reason: `job_level=c_level (+0.60)` (`level` empty: `name` holds it all).
        @inline(__always)
        static func writeCategory<Name: Collection<UInt8>, Level: Collection<UInt8>>(_ name: Name, level: Level, effect: Double, into out: inout [UInt8]) {
            out.append(contentsOf: name)
            if !level.isEmpty {
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: level)
            }
            Self.writeEffect(effect, into: &out)
        }

        /// The text of a number's reason: `employees 1200 (+0.21)` (two decimals at most).
        @inline(__always)
        static func writeNumber<Name: Collection<UInt8>>(_ name: Name, value v: Double, effect: Double, into out: inout [UInt8]) {
            out.append(contentsOf: name)
            out.append(UInt8(ascii: " "))
            let rounded = (v * 100).rounded() / 100
            if rounded == rounded.rounded() && abs(rounded) < 1e15 {
                Self.integer(Int(rounded), into: &out)
            } else {
                out.append(contentsOf: "\(rounded)".utf8)
            }
            Self.writeEffect(effect, into: &out)
        }

        /// ` (+0.82)`.
        @inline(__always)
        static func writeEffect(_ effect: Double, into out: inout [UInt8]) {
            out.append(contentsOf: " (".utf8)
            Self.signed(effect, into: &out)
            out.append(UInt8(ascii: ")"))
        }

        /// The decimal digits of `v`, a minus sign first if negative.
        static func integer(_ v: Int, into out: inout [UInt8]) {
            if v < 0 { out.append(UInt8(ascii: "-")) }
            var m = v.magnitude
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // up to 24 digits, last first
            var n = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[n] = UInt8(ascii: "0") + UInt8(m % 10)
                    m /= 10
                    n += 1
                } while m > 0
                for k in stride(from: n - 1, through: 0, by: -1) { out.append(d[k]) }
            }
        }

        /// `+0.82` / `−0.35` (two decimals, a minus sign).
        static func signed(_ effect: Double, into out: inout [UInt8]) {
            let sign = effect >= 0 ? "+" : "−"
            guard effect.isFinite else { return out.append(contentsOf: (effect > 0 ? "+∞" : effect < 0 ? "−∞" : "?").utf8) }
            let cents = (abs(effect) * 100).rounded()
            guard cents < 1e15 else { return out.append(contentsOf: (sign + String(format: "%.3g", abs(effect))).utf8) }
            let whole = Int(cents) / 100, fraction = Int(cents) % 100
            out.append(contentsOf: sign.utf8)
            Self.integer(whole, into: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        }

        /// A count or a number of days, whole, whatever its size.
        static func whole(_ v: Double, into out: inout [UInt8]) {
            if v.isFinite && abs(v) < 1e15 { Self.integer(Int(v.rounded(.down)), into: &out) } else { out.append(contentsOf: String(format: "%.3g", v).utf8) }
        }
    }

    /// A ranked effect: `source` indexes signals, breadth features or columns by `kind`.
    struct RankedEffect: Sendable {
        var effect: Double
        var kind: UInt8
        var source: Int32
    }

    /// Memory for ranking a lead's reasons, reused lead after lead (one per thread).
    public struct ReasonRanking: Sendable {
        var top: [RankedEffect] = []
        public init() {}
    }

    /// Ranks the `limit` features that move this lead's logit most (see
    /// ``reasons(lead:totals:attributes:limit:)``) into `ranking`, largest
    /// first: the one ranking behind both the reasons as values and their text.
    /// Cost: O(features); no allocation once `ranking` has grown.
    func rank(lead: Int, totals: SignalTotals, attributes: LeadAttributes, limit: Int, into ranking: inout ReasonRanking) {
        ranking.top.removeAll(keepingCapacity: true)
        guard limit > 0 else { return }
        // Insertion into the kept prefix: what a stable sort by |effect|, descending, would keep.
        func offer(_ effect: Double, _ kind: UInt8, _ source: Int, _ top: inout [RankedEffect]) {
            let size = abs(effect)
            if top.count == limit { guard size > abs(top[limit - 1].effect) else { return } }
            var i = top.count
            while i > 0 && size > abs(top[i - 1].effect) { i -= 1 }
            top.insert(RankedEffect(effect: effect, kind: kind, source: Int32(source)), at: i)
            if top.count > limit { top.removeLast() }
        }
        for s in 0..<signalNames.count where signalWeight[s] != 0 {
            let total = totals.sum(lead: lead, signal: s)
            let x = signalLog[s] ? log1p(total) : total
            let effect = signalWeight[s] * (x - signalMean[s])
            if !(abs(effect) < 0.005) { offer(effect, 0, s, &ranking.top) }
        }
        for (k, b) in breadth.enumerated() where b.weight != 0 {
            let effect = b.weight * (breadthCount(k, lead: lead, totals: totals) - b.mean)
            if abs(effect) >= 0.005 { offer(effect, 1, k, &ranking.top) }
        }
        for (c, column) in columns.enumerated() {
            let x = attributes.x[c]
            if column.kind == .category {
                guard x >= 0 else { continue }
                let k = Int(x)
                let effect = column.weights[k] * (1 - column.means[k])
                if abs(effect) >= 0.005 { offer(effect, 2, c, &ranking.top) }
            } else if column.weights[0] != 0 {
                let effect = column.weights[0] * (x - column.means[0])
                if !(abs(effect) < 0.005) { offer(effect, 3, c, &ranking.top) }
            }
        }
    }

    /// The `limit` features that move this lead's logit most against an
    /// average training lead (`w_j (x_j − mean_j)`), largest first (ties in
    /// feature order: signals, breadth, attributes); effects under 0.005 are
    /// not reasons.
    ///
    /// Cost: O(features) to rank, with no text; the text of the `limit`
    /// kept only.
    public func reasons(lead: Int, totals: SignalTotals, attributes: LeadAttributes, limit: Int = 3) -> [Reason] {
        var ranking = ReasonRanking()
        rank(lead: lead, totals: totals, attributes: attributes, limit: limit, into: &ranking)
        return ranking.top.map { t in
            let source = Int(t.source)
            switch t.kind {
            case 0:
                return Reason(effect: t.effect, feature: signalNames[source],
                              kind: .signal(count: totals.count(lead: lead, signal: source), lastAgeDays: totals.lastAge(lead: lead, signal: source)))
            case 1:
                return Reason(effect: t.effect, feature: breadth[source].name, kind: .number(breadthCount(source, lead: lead, totals: totals)))
            case 2:
                let column = columns[source]
                return Reason(effect: t.effect, feature: column.name + "=" + column.levelNames[Int(attributes.x[source])], kind: .category)
            default:
                return Reason(effect: t.effect, feature: columns[source].name, kind: .number(attributes.given[source]))
            }
        }
    }

    /// Appends the text of ``reasons(lead:totals:attributes:limit:)`` to
    /// `out`, joined by `; `: the same ranking and the same words as each
    /// ``Reason``'s ``Reason/description``, written straight from the
    /// model's names (bulk scoring does this for every lead). `ranking` is
    /// scratch memory the caller keeps from one lead to the next.
    /// Cost: O(features) to rank, then the bytes written; no allocation
    /// once `ranking` and `out` have grown.
    public func writeReasons(
        lead: Int, totals: SignalTotals, attributes: LeadAttributes, limit: Int = 3, ranking: inout ReasonRanking, into out: inout [UInt8]
    ) {
        rank(lead: lead, totals: totals, attributes: attributes, limit: limit, into: &ranking)
        for k in ranking.top.indices {
            let t = ranking.top[k]
            if k > 0 { out.append(contentsOf: "; ".utf8) }
            let source = Int(t.source)
            switch t.kind {
            case 0:
                Reason.writeSignal(names.signals[source], count: totals.count(lead: lead, signal: source),
                                   lastAgeDays: totals.lastAge(lead: lead, signal: source), effect: t.effect, into: &out)
            case 1:
                Reason.writeNumber(names.breadth[source], value: breadthCount(source, lead: lead, totals: totals), effect: t.effect, into: &out)
            case 2:
                Reason.writeCategory(names.columns[source], level: names.levels[source][Int(attributes.x[source])], effect: t.effect, into: &out)
            default:
                Reason.writeNumber(names.columns[source], value: attributes.given[source], effect: t.effect, into: &out)
            }
        }
    }

    /// The model's names as UTF-8 bytes, for ``writeReasons(lead:totals:attributes:limit:into:)``.
    struct Names: Sendable {
        var signals: [[UInt8]]
        var breadth: [[UInt8]]
        var columns: [[UInt8]]
        /// Per column, its levels (empty for a number column).
        var levels: [[[UInt8]]]
    }

    /// The number of breadth feature `k`'s member signals with an event inside its window.
    private func breadthCount(_ k: Int, lead: Int, totals: SignalTotals) -> Double {
        Double(breadth[k].members.reduce(0) { $0 + (totals.recent(lead: lead, signal: $1) ? 1 : 0) })
    }
}
