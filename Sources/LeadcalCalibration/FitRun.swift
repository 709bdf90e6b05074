import Foundation
import LeadcalData
import LeadcalFeatures
import LeadcalModel

/// One calibration, stage by stage (see ``Calibration/fit(dataset:rows:options:)``).
/// Each stage reads what the previous ones left and adds its own part.
final class FitRun {
    let dataset: Dataset
    let spec: ModelSpec
    let rows: [Int32]
    let options: Calibration.Options
    let y: [Double]
    let won: Int
    let layout: FeatureLayout
    let builder: FeatureBuilder
    let problem: PenalizedLogit
    let progress: (String) -> Void
    /// Starting half-life per spec axis (the spec's, or the warm start's).
    var h0: [Double]
    /// `prior: parent`: the prior's precision per layout feature (empty without a prior).
    var priorPrecision: [Double] = []
    /// `weight_by: amount`: each training row's weight (capped deal value over its mean); nil: unweighted.
    var sampleWeight: [Double]?
    var warnings: [String] = []

    // Screening.
    var constant: Set<Int> = []
    var collinear: Set<Int> = []
    var active: [Int] = []
    var constrained: [Bool] = []
    /// Axes with signals but no training event of any of them.
    var noSignalAxes: Set<Int> = []
    /// Spec axes whose half-life is fitted, in spec order.
    var fittedAxes: [Int] = []
    var objective: ProfileObjective!

    // Half-lives.
    var search: HalfLifeSearch.Result?
    /// A second optimum of the profile within 1.92 of the best, per spec axis: (days, log-likelihood gap).
    var secondOptima: [Int: (days: Double, gap: Double)] = [:]
    var intervals: [Int: HalfLifeInterval] = [:]
    /// Axes whose profile, scanned at the optimum, never rises 1.92 (without intervals).
    var flatProfiles: Set<Int> = []
    var intervalSeconds = 0.0

    // Standard errors.
    /// The covariance of (b0, w) the result reports (joint, or conditional when asked or when the joint one is not available).
    var covariance: [Double]?
    var standardErrorKind = StandardErrorKind.conditional

    private var evaluationCount = 0
    /// Inner solves on subsamples.
    private(set) var subsampleEvaluations = 0
    /// Wall time of each stage run so far.
    var stages: [CalibrationResult.Stage] = []

    /// Runs one stage and records its wall time.
    func stage<R, E: Error>(_ name: String, _ body: () throws(E) -> R) throws(E) -> R {
        let clock = ContinuousClock()
        let start = clock.now
        defer { stages.append(.init(name: name, seconds: (clock.now - start).seconds)) }
        return try body()
    }

    /// Stage 1: the training rows, the layout (reference levels) and the feature builder.
    init(dataset: Dataset, rows selected: [Int32]?, options: Calibration.Options) throws(CalibrationError) {
        guard var spec = dataset.spec else { throw CalibrationError("no model spec: put a model.yaml in the data folder or pass --spec") }
        if let l2 = options.l2 { spec.l2 = l2 }
        guard spec.l2.isFinite && spec.l2 >= 0 else { throw CalibrationError("l2 must be a finite number >= 0, found \(spec.l2)") }
        self.dataset = dataset
        self.spec = spec
        self.options = options
        let rows = selected ?? (0..<Int32(dataset.decided.count)).map { $0 }
        self.rows = rows
        let labels = dataset.labels
        y = rows.map { labels[Int($0)] }
        won = Int(y.reduce(0, +))
        guard !rows.isEmpty else { throw CalibrationError("no decided leads to train on (outcomes.csv has no row for a known lead)") }
        if won == 0 || won == rows.count {
            throw CalibrationError("all \(rows.count) training leads are \(won == 0 ? "lost" : "won"): a win probability cannot be fitted from one class")
        }
        progress = options.progress ?? { _ in }
        do { layout = try FeatureLayout(spec: spec, dataset: dataset, rows: rows, parentReferences: options.parentReferences) } catch {
            throw CalibrationError(error.message)
        }
        warnings += layout.notes
        builder = FeatureBuilder(dataset: dataset, rows: rows, layout: layout)
        if spec.weightBy == .amount {
            let amounts = try AmountWeights(dataset: dataset, rows: rows, percentile: spec.amountCap ?? ModelSpec.defaultAmountCap)
            let weights = amounts.weights(dataset: dataset, rows: rows)
            let mean = weights.reduce(0, +) / Double(weights.count)
            sampleWeight = weights.map { $0 / mean }
            warnings.append(amounts.note)
        }
        problem = PenalizedLogit(y: y, l2: spec.l2, sampleWeight: sampleWeight)
        if let prior = options.prior {
            var center = [Double](repeating: 0, count: layout.count), precision = center
            for (j, f) in layout.features.enumerated() {
                guard let p = prior.weights[f.name] else { continue }
                if case let .category(column, _) = f.kind, p.referenceLevel != layout.referenceLevels[column] { continue }
                center[j] = p.weight
                precision[j] = prior.strength / (p.stdError * p.stdError)
            }
            problem.setPrior(center: center, precision: precision)
            priorPrecision = precision
            let shared = precision.filter { $0 > 0 }.count
            warnings.append("prior: parent \(prior.parent): \(shared) of \(layout.count) weights are penalized toward the parent's "
                + "(precision \(prior.strength) / SE², prior_strength \(prior.strength))"
                + (shared < layout.count ? "; the others (not estimated by the parent) take l2 = \(spec.l2) toward 0" : "")
                + ". Standard errors and intervals are those of the posterior")
        }
        h0 = spec.axes.map { $0.halfLifeDays ?? 0 }
        if let previous = options.warmStart {
            for (a, axis) in spec.axes.enumerated() where axis.fitHalfLife {
                if let h = previous.axes.first(where: { $0.name == axis.name })?.halfLife?.days {
                    h0[a] = min(max(h, HalfLife.searchRange.lowerBound), HalfLife.searchRange.upperBound)
                }
            }
        }
    }

    /// Stage 2: features that cannot be estimated (constant, collinear,
    /// separating at `l2 = 0`), axes without any training event, the active
    /// set and its constraints.
    func screen() throws(CalibrationError) {
        var signals: [Double] = []
        builder.decayedSignals(halfLives: h0, values: &signals, derivatives: nil)
        problem.load(attributes: builder.attributeValues, pa: layout.firstSignalColumn, signals: signals, ps: layout.signalCount, active: [])
        constant = Set(Diagnostics.constantFeatures(sd: problem.sd))
        let candidates = (0..<layout.count).filter { !constant.contains($0) }
        problem.load(signals: signals, ps: layout.signalCount, active: candidates)
        collinear = Set(Diagnostics.collinearFeatures(problem: problem, candidates: candidates))
        for (a, axis) in spec.axes.enumerated() where !axis.signals.isEmpty {
            let columns = layout.features.indices.filter { layout.features[$0].axis == a && $0 >= layout.firstSignalColumn }
            if columns.allSatisfy({ constant.contains($0) }) {
                noSignalAxes.insert(a)
                warnings.append("no training lead has a \(axis.name) event before its as_of: the \(axis.name) weights are not estimated"
                    + (axis.fitHalfLife ? " and its half-life is the spec's starting value (\(Self.days(h0[a])) d), not fitted" : ""))
            }
        }
        for j in constant.sorted() {
            let f = layout.features[j]
            if case .signal = f.kind {
                if noSignalAxes.contains(f.axis) { continue }
                warnings.append("no training lead has a \(f.name) event before its as_of: \(f.name) is not estimated")
            } else {
                warnings.append("\(f.name) is constant on the training rows: not estimated")
            }
        }
        if !collinear.isEmpty {
            let names = collinear.sorted().map { layout.features[$0].name }.joined(separator: ", ")
            warnings.append(spec.l2 == 0
                ? "exactly collinear with other features, not estimated (as R's glm): \(names)"
                : "exactly collinear with other features (the ridge splits their weight): \(names)")
        }
        active = candidates.filter { spec.l2 > 0 || !collinear.contains($0) }
        if spec.l2 == 0 {
            let separating = Diagnostics.separatingFeatures(
                attributes: builder.attributeValues, pa: layout.firstSignalColumn, signals: signals, ps: layout.signalCount, y: y,
                candidates: active, layout: layout)
            if !separating.isEmpty {
                let list = separating.map { "\(layout.features[$0.feature].name) (\($0.detail))" }.joined(separator: "; ")
                throw CalibrationError("perfect or quasi-complete separation with l2 = 0: \(list). The maximum-likelihood weights are infinite; set l2 > 0 in the spec (for example l2: 1.0)")
            }
        }
        let nonnegativeAxes = Set(spec.nonnegative.compactMap { n in spec.axes.firstIndex { $0.name == n } })
        constrained = [false] + active.map { j in
            if case .signal = layout.features[j].kind { return nonnegativeAxes.contains(layout.features[j].axis) }
            return false
        }
        fittedAxes = spec.axes.indices.filter { spec.axes[$0].fitHalfLife && !spec.axes[$0].signals.isEmpty && !noSignalAxes.contains($0) }
        objective = makeObjective(builder: builder, problem: problem)
        let rate = Double(won) / Double(rows.count)
        if let previous = options.warmStart {
            let byName = Dictionary(previous.features.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
            objective.warmStart(intercept: previous.intercept, weights: active.map { byName[layout.features[$0].name] ?? 0 })
        } else {
            objective.warmStart(intercept: log(rate / (1 - rate)), weights: [Double](repeating: 0, count: active.count))
        }
    }

    private func makeObjective(builder: FeatureBuilder, problem: PenalizedLogit, tolerance: Double? = nil) -> ProfileObjective {
        ProfileObjective(
            builder: builder, problem: problem, spec: spec, halfLives: h0, fittedAxes: fittedAxes, active: active, constrained: constrained,
            solver: NewtonSolver(tolerance: tolerance ?? options.tolerance))
    }

    /// The same problem on a subsample of about `target` rows (every k-th row).
    private func subsample(_ target: Int, tolerance: Double? = nil) -> (objective: ProfileObjective, ratio: Double) {
        let stride = max(1, rows.count / target)
        let subset = Swift.stride(from: 0, to: rows.count, by: stride).map { rows[$0] }
        let labels = dataset.labels
        let small = PenalizedLogit(y: subset.map { labels[Int($0)] }, l2: spec.l2,
                                   sampleWeight: sampleWeight.map { w in Swift.stride(from: 0, to: rows.count, by: stride).map { w[$0] } })
        // The prior scaled with the data, so that the subsample's problem is the full one in miniature.
        if !priorPrecision.isEmpty {
            let share = Double(subset.count) / Double(rows.count)
            small.setPrior(center: problem.priorCenter, precision: priorPrecision.map { $0 * share })
        }
        let o = makeObjective(builder: FeatureBuilder(dataset: dataset, rows: subset, layout: layout), problem: small, tolerance: tolerance)
        o.warmStart(intercept: objective.intercept, weights: objective.weights)
        return (o, Double(rows.count) / Double(subset.count))
    }

    static func days(_ h: Double) -> String { String(format: h < 10 ? "%.2f" : "%.1f", h) }

    private func tracked(_ o: ProfileObjective, _ label: String) -> HalfLifeSearch.Objective {
        { [self] u in
            evaluationCount += 1
            if o !== objective { subsampleEvaluations += 1 }
            let r = o.value(u: u)
            progress("fit: \(label)evaluation \(evaluationCount), half-lives " + u.map { Self.days(exp($0)) }.joined(separator: "/") + " d")
            return r
        }
    }

    private func trackedValue(_ o: ProfileObjective, _ label: String) -> ([Double]) -> Double {
        { [self] u in
            evaluationCount += 1
            if o !== objective { subsampleEvaluations += 1 }
            let f = o.valueOnly(u: u)
            progress("fit: \(label)evaluation \(evaluationCount), half-lives " + u.map { Self.days(exp($0)) }.joined(separator: "/") + " d")
            return f
        }
    }

    /// Stage 3: the half-lives, globally. A coordinate scan of the profile
    /// on a log grid (on a subsample of large data) gives the starting point
    /// and the other local minima; projected BFGS refines the best (coarse to
    /// fine on large data) and every other local minimum within reach; the
    /// lowest wins, and a distinct optimum within 1.92 of it is reported.
    func searchHalfLives() {
        guard !fittedAxes.isEmpty else {
            objective.solve(halfLives: h0, wantDerivatives: false)
            return
        }
        let n = rows.count
        let big = n >= 4 * Calibration.coarseRows
        let sample = big ? subsample(Calibration.coarseRows) : nil
        let ratio = sample?.ratio ?? 1
        let start = fittedAxes.map { log(h0[$0]) }
        // The scan only proposes starting points: a smaller subsample and a looser inner solve suffice.
        let scanSample = n > Calibration.scanRows * 6 / 5 ? subsample(Calibration.scanRows, tolerance: 1e-6) : nil
        let scanObjective = scanSample?.objective ?? objective!
        let scanRatio = scanSample?.ratio ?? 1
        // Candidates whose scan value lies within 6 log-likelihood units (full-data scale) of the best.
        let scan = HalfLifeSearch().scan(trackedValue(scanObjective, "scan "), start: start, margin: 6 / scanRatio)

        var coarseSearch = HalfLifeSearch()
        coarseSearch.gradientTolerance = 1e-3
        /// A local optimum from `u`: on the subsample then the full data (large data), else on the full data.
        func local(from u: [Double], coarseOnly: Bool = false) -> (full: HalfLifeSearch.Result?, coarse: HalfLifeSearch.Result?) {
            if big, let sample {
                let c = coarseSearch.minimise(tracked(sample.objective, "subsample "), start: u)
                if coarseOnly { return (nil, c) }
                let f = HalfLifeSearch().minimise(tracked(objective, ""), start: c.u, inverseHessian: c.inverseHessian.map { $0 / ratio })
                return (f, c)
            }
            return (HalfLifeSearch().minimise(tracked(objective, ""), start: u), nil)
        }
        var best: HalfLifeSearch.Result
        var others: [HalfLifeSearch.Result] = []
        if big, let sample {
            // Refine every start on the subsample; only those that stay within reach go to the full data.
            var coarse = [local(from: scan.best, coarseOnly: true).coarse!]
            for c in scan.candidates.sorted(by: { $0.f < $1.f }) where isNew(c.u, c.axis, coarse.map(\.u)) {
                coarse.append(local(from: c.u, coarseOnly: true).coarse!)
            }
            coarse.sort { $0.f < $1.f }
            objective.warmStart(intercept: sample.objective.intercept, weights: sample.objective.weights)
            best = HalfLifeSearch().minimise(tracked(objective, ""), start: coarse[0].u, inverseHessian: coarse[0].inverseHessian.map { $0 / ratio })
            for c in coarse.dropFirst() where (c.f - coarse[0].f) * ratio < 1.920729410347062 + 2 && distinct(c.u, coarse[0].u) {
                others.append(HalfLifeSearch().minimise(tracked(objective, ""), start: c.u, inverseHessian: c.inverseHessian.map { $0 / ratio }))
            }
        } else {
            best = local(from: scan.best).full!
            for c in scan.candidates.sorted(by: { $0.f < $1.f }) where isNew(c.u, c.axis, [best.u] + others.map(\.u)) {
                others.append(local(from: c.u).full!)
            }
        }
        optima = [best] + others
        search = optima.min { $0.f < $1.f }
        restore(search!.u)
    }

    /// Every local optimum the search reached (the best among them is ``search``).
    var optima: [HalfLifeSearch.Result] = []

    /// Distinct local optima within 1.92 of the best, as warnings (one per
    /// optimum, naming every half-life of both); recorded per axis in
    /// ``secondOptima``. Axes in `unidentified` are left out: their status says more.
    private func multimodalWarnings(unidentified: Set<Int>) -> [String] {
        guard let best = search else { return [] }
        secondOptima = [:]
        var out: [String] = []
        var reported: [[Double]] = []
        for r in optima.sorted(by: { $0.f < $1.f }) where r.f - best.f < 1.920729410347062 && distinct(r.u, best.u) {
            if reported.contains(where: { !distinct($0, r.u) }) { continue }
            let differing = fittedAxes.enumerated().filter { abs(r.u[$0.offset] - best.u[$0.offset]) > log(1.5) }
            if differing.allSatisfy({ unidentified.contains($0.element) }) { continue }
            reported.append(r.u)
            let gap = max(r.f - best.f, 0)
            for (k, a) in differing where secondOptima[a].map({ gap < $0.gap }) ?? true { secondOptima[a] = (exp(r.u[k]), gap) }
            func describe(_ u: [Double]) -> String {
                fittedAxes.enumerated().map { "\(spec.axes[$0.element].name) \(Self.days(exp(u[$0.offset]))) d" }.joined(separator: ", ")
            }
            out.append(String(
                format: "multimodal profile: another local optimum of the half-lives (%@) is only %.2f below the best (%@) in log-likelihood: "
                    + "these data hardly prefer one to the other, and the 95%% confidence set also holds half-lives near it, outside the printed interval",
                describe(r.u), gap, describe(best.u)))
        }
        return out
    }

    /// Whether a candidate start lies outside the basins already searched (its coordinate at least a grid step from theirs).
    private func isNew(_ u: [Double], _ axis: Int, _ seen: [[Double]]) -> Bool {
        seen.allSatisfy { abs($0[axis] - u[axis]) > 0.9 * (HalfLifeSearch.grid[1] - HalfLifeSearch.grid[0]) }
    }

    private func distinct(_ a: [Double], _ b: [Double]) -> Bool {
        zip(a, b).contains { abs($0 - $1) > log(1.5) }
    }

    /// Leaves the objective's last solve at `u` (the estimates read it).
    private func restore(_ u: [Double]) {
        if objective.halfLives != objective.halfLives(u: u) || objective.last == nil { _ = objective.value(u: u) }
    }

    /// Stage 4: at `l2 = 0`, a diverging fit is separation, an error.
    func checkDivergence() throws(CalibrationError) {
        guard let inner = objective.last else { return }
        if spec.l2 == 0 && (!inner.converged || inner.largestStandardized > 30) {
            let suspects = (1..<problem.k).filter { abs(inner.theta[$0]) > 10 }.map { layout.features[active[$0 - 1]].name }
            throw CalibrationError("the fit diverges with l2 = 0 (perfect or quasi-complete separation)\(suspects.isEmpty ? "" : " involving: " + suspects.joined(separator: ", ")). Set l2 > 0 in the spec (for example l2: 1.0)")
        }
    }

    /// Stage 5: the 95% profile-likelihood interval of every fitted
    /// half-life, each end solved on the profile (or, without intervals and
    /// when asked, a scan that marks a flat profile). When the interval search
    /// meets a higher likelihood than the optimum, the optimum moves there and
    /// the intervals are computed again (once).
    func profileIntervals() {
        guard var best = search else { return }
        let clock = ContinuousClock()
        let started = clock.now
        defer { intervalSeconds = (clock.now - started).seconds }
        // The 1.92 threshold is a likelihood-ratio one: a deal-value-weighted likelihood does not support it.
        guard options.intervals && sampleWeight == nil else {
            if options.checkIdentification && sampleWeight == nil { scanForFlatProfiles(best) }
            return
        }
        var moved = false
        attempt: while true {
            progress("fit: Hessian of the profile objective")
            let hessian = information(at: best, axes: fittedAxes).profileHessian()
                ?? HalfLifeSearch().hessian(tracked(objective, "Hessian "), at: best)
            intervals = [:]
            for (k, axis) in fittedAxes.enumerated() {
                progress("fit: profile interval of the \(spec.axes[axis].name) half-life")
                let r = HalfLifeSearch().profileInterval(tracked(objective, "interval "), best: best, hessian: hessian, coordinate: k)
                if let better = r.better, !moved {
                    moved = true
                    warnings.append(String(
                        format: "the interval search found a higher likelihood (by %.3f) at half-lives %@ d than at the search's optimum: the estimate moved there",
                        best.f - better.f, better.u.map { Self.days(exp($0)) }.joined(separator: "/")))
                    best = HalfLifeSearch().minimise(tracked(objective, ""), start: better.u)
                    optima.append(best)
                    search = optima.min { $0.f < $1.f }
                    best = search!
                    continue attempt
                }
                intervals[axis] = HalfLifeInterval(lower: r.lower.map(exp), upper: r.upper.map(exp))
            }
            break
        }
        restore(best.u)
    }

    /// F along each fitted coordinate at the optimum (the others held): when
    /// it never rises 1.92 above the optimum, neither does the profile (which
    /// lies below it), so the half-life is not identified.
    private func scanForFlatProfiles(_ best: HalfLifeSearch.Result) {
        let value = trackedValue(objective, "identification ")
        for (k, axis) in fittedAxes.enumerated() {
            var u = best.u
            var highest = -Double.infinity
            for g in HalfLifeSearch.grid {
                u[k] = g
                highest = max(highest, value(u) - best.f)
                if highest >= 1.920729410347062 { break }
            }
            if highest < 1.920729410347062 { flatProfiles.insert(axis) }
        }
        restore(best.u)
    }

    /// Stage 6: standard errors. The conditional covariance is the inverse
    /// penalized Hessian on the free columns; the joint one (the default)
    /// adds the estimated half-lives (``JointCovariance``).
    func standardErrors() {
        let final = objective.last!
        let k = problem.k
        let free = (0..<k).filter { !final.atZero[$0] }
        var block = [Double](repeating: 0, count: free.count * free.count)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { block[a * free.count + b] = final.evaluation.hessian[min(i, j) * k + max(i, j)] } }
        guard let chol = Cholesky(upper: block, k: free.count) else {
            warnings.append("the Hessian is singular at the optimum: standard errors are not available")
            return
        }
        let inv = chol.inverse()
        var full = [Double](repeating: 0, count: k * k)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { full[i * k + j] = inv[a * free.count + b] } }
        if sampleWeight != nil {
            // The sandwich H⁻¹ M H⁻¹ on the free columns.
            let meat = problem.scoreOuterProduct(free: free)
            let f = free.count
            var m = [Double](repeating: 0, count: f * f)
            for a in 0..<f { for b in 0..<f { m[a * f + b] = meat[min(a, b) * f + max(a, b)] } }
            var left = [Double](repeating: 0, count: f * f), sandwich = left
            for a in 0..<f { for b in 0..<f { var s = 0.0; for c in 0..<f { s += inv[a * f + c] * m[c * f + b] }; left[a * f + b] = s } }
            for a in 0..<f { for b in 0..<f { var s = 0.0; for c in 0..<f { s += left[a * f + c] * inv[c * f + b] }; sandwich[a * f + b] = s } }
            full = [Double](repeating: 0, count: k * k)
            for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { full[i * k + j] = sandwich[a * f + b] } }
            covariance = problem.originalCovariance(full)
            standardErrorKind = .sandwich
            return
        }
        covariance = problem.originalCovariance(full)
        standardErrorKind = .conditional
        guard !options.conditionalStandardErrors else { return }
        let axes = jointAxes(atZero: final.atZero)
        guard !axes.isEmpty, let best = search else {
            standardErrorKind = .joint   // no half-life estimated: the joint covariance is the conditional one
            return
        }
        if let joint = JointCovariance.compute(jointInputs(at: best, axes: axes)) {
            covariance = joint.weights
            standardErrorKind = .joint
        } else {
            warnings.append("the joint information of the weights and half-lives is not positive definite: standard errors hold the half-lives fixed (conditional)")
        }
    }

    /// What ``JointCovariance`` reads at `best`, over `axes`: the last solve
    /// there with the features' first derivatives (solved again if needed),
    /// and one feature pass for their second derivatives.
    private func jointInputs(at best: HalfLifeSearch.Result, axes: [Int]) -> JointCovariance.Inputs {
        restore(best.u)
        if objective.derivativesAt != objective.halfLives { _ = objective.value(u: best.u) }
        let second = objective.secondDerivatives()
        let final = objective.last!
        let (_, weights) = problem.originalCoefficients(final.theta)
        return .init(
            problem: problem, hessian: final.evaluation.hessian, atZero: final.atZero, weights: weights,
            signals: objective.signals, derivatives: objective.derivatives, secondDerivatives: second, layout: layout, axes: axes)
    }

    /// The information blocks at `best` over `axes` (``JointCovariance/information(_:)``).
    func information(at best: HalfLifeSearch.Result, axes: [Int]) -> JointCovariance.Information {
        JointCovariance.information(jointInputs(at: best, axes: axes))
    }

    /// Fitted axes whose half-life is a plain estimate (inside the search
    /// range, identified, with a weight away from zero): the ones the joint
    /// covariance carries; the others stay fixed, as their status says.
    private func jointAxes(atZero: [Bool]) -> [Int] {
        fittedAxes.filter { a in
            let h = objective.halfLives[a]
            let inside = h > HalfLife.searchRange.lowerBound * (1 + 1e-6) && h < HalfLife.searchRange.upperBound * (1 - 1e-6)
            let identified = intervals[a]?.isUnbounded != true && !flatProfiles.contains(a)
            let weighted = active.indices.contains { c in
                let j = active[c]
                return j >= layout.firstSignalColumn && layout.signalAxis[j - layout.firstSignalColumn] == a && !atZero[c + 1]
            }
            return inside && identified && weighted
        }
    }

    /// Stage 8: a fit whose weights no weights file can hold (beyond ±10⁹ per
    /// unit: a feature squeezed to nothing by an extreme half-life on too few
    /// leads) is an error about the data, said before anything is written.
    func checkScale(_ result: CalibrationResult) throws(CalibrationError) {
        let limit = WeightsFile.weightLimit
        let extreme = result.features.filter { !(abs($0.weight) <= limit) }
        guard !extreme.isEmpty || !(abs(result.intercept) <= limit) else { return }
        let names = extreme.map { f -> String in
            let h = result.axes.first { $0.name == f.axis }?.halfLife.map { " at the \(f.axis) half-life \(Self.days($0.days)) d" } ?? ""
            return "\(f.name) (\(String(format: "%.3g", f.weight)) per unit\(h))"
        }
        throw CalibrationError(
            "the fit is degenerate: " + (names.isEmpty ? "the intercept is \(String(format: "%.3g", result.intercept))" : "weights beyond ±1e9: " + names.joined(separator: ", "))
                + ". \(rows.count) training leads (\(won) won) cannot support this model: hold the half-lives fixed (fit_half_life: false), raise l2, or fit on more outcomes")
    }

    /// Stage 7: the result, with the status of every weight and half-life.
    func result() -> CalibrationResult {
        let final = objective.last!
        let k = problem.k
        let (b0, w) = problem.originalCoefficients(final.theta)
        var features: [CalibrationResult.Feature] = []
        for (j, f) in layout.features.enumerated() {
            let kind: FeatureKind
            var reference: String? = nil
            switch f.kind {
            case let .category(column, _): kind = .category; reference = layout.referenceLevels[column]
            case .numeric: kind = .numeric
            case .log: kind = .log
            case .signal: kind = .signal
            case .breadth: kind = .breadth
            }
            var e = CalibrationResult.Feature(
                name: f.name, axis: spec.axes[f.axis].name, kind: kind, weight: 0, status: .estimated, referenceLevel: reference)
            if let c = active.firstIndex(of: j) {
                e.weight = w[c]
                if final.atZero[c + 1] {
                    e.status = .atBoundZero
                    e.weight = 0
                } else if let cov = covariance {
                    let se = cov[(c + 1) * k + (c + 1)].squareRoot()
                    e.stdError = se
                    e.z = w[c] / se
                    e.lower = w[c] - 1.959963984540054 * se
                    e.upper = w[c] + 1.959963984540054 * se
                }
            } else {
                e.status = .notEstimated
                e.reason = constant.contains(j) ? .constant : .collinear
            }
            features.append(e)
        }
        let hFinal = objective.halfLives
        let nonnegativeAxes = Set(spec.nonnegative.compactMap { n in spec.axes.firstIndex { $0.name == n } })
        var axes: [CalibrationResult.Axis] = []
        for (a, axis) in spec.axes.enumerated() {
            var halfLife: HalfLife? = nil
            if !axis.signals.isEmpty {
                var h = hFinal[a]
                // exp(log 3650) is not exactly 3650: a half-life at a bound is written as the bound.
                for bound in [HalfLife.searchRange.lowerBound, HalfLife.searchRange.upperBound] where abs(h - bound) <= 1e-9 * bound { h = bound }
                var status = HalfLifeStatus.estimated
                let interval = intervals[a]
                let signalWeights = features.filter { $0.axis == axis.name && $0.kind == .signal }
                if !axis.fitHalfLife {
                    status = .fixed
                } else if noSignalAxes.contains(a) {
                    status = .noSignal
                } else if signalWeights.allSatisfy({ $0.status != .estimated }) {
                    status = .notIdentified
                    warnings.append("no \(axis.name) signal weight is estimated away from zero: the \(axis.name) half-life has no effect on the fit and is not identified")
                } else if interval?.isUnbounded == true || flatProfiles.contains(a) {
                    status = .notIdentified
                    warnings.append("the \(axis.name) half-life is not identified by these data: the profile likelihood never falls 1.92 below its maximum between 0.5 and 3650 days; \(Self.days(h)) d is where it peaks, nothing more (scorers use it)")
                } else if h <= HalfLife.searchRange.lowerBound * (1 + 1e-6) || h >= HalfLife.searchRange.upperBound * (1 - 1e-6) {
                    status = .atBound
                    warnings.append("the \(axis.name) half-life is at the end of the search range (\(Self.days(h)) d): the data only say it is \(h < 1 ? "this short or shorter" : "this long or longer")")
                } else if let interval, interval.lower == nil || interval.upper == nil {
                    warnings.append("the \(axis.name) half-life interval is open \(interval.lower == nil ? "below (≤ 0.5 d)" : "above (≥ 3650 d)"): the data do not close it on that side")
                }
                halfLife = HalfLife(days: h, status: status, interval: status == .fixed || status == .noSignal ? nil : interval)
            }
            axes.append(CalibrationResult.Axis(
                name: axis.name, halfLife: halfLife, saturation: axis.saturation, nonnegative: nonnegativeAxes.contains(a),
                secondOptimumDays: nil))
        }
        let unidentified = Set(spec.axes.indices.filter { axes[$0].halfLife?.status == .notIdentified })
        warnings += multimodalWarnings(unidentified: unidentified)
        for a in secondOptima.keys { axes[a].secondOptimumDays = secondOptima[a]?.days }
        // The null model: the (weighted) win rate alone.
        let weightOf = sampleWeight ?? [Double](repeating: 1, count: rows.count)
        let n = weightOf.reduce(0, +)
        let wonWeight = zip(weightOf, y).reduce(0.0) { $0 + $1.0 * $1.1 }
        let rate = wonWeight / n
        let nullLL = wonWeight * log(rate) + (n - wonWeight) * log(1 - rate)
        let ll = final.evaluation.logLikelihood
        let freeWeights = (0..<k).filter { !final.atZero[$0] }.count
        let parameters = freeWeights + (search == nil ? 0 : fittedAxes.count)
        let statistics = CalibrationResult.Statistics(
            rows: rows.count, won: won, lost: rows.count - won, l2: spec.l2, objective: final.evaluation.objective,
            logLikelihood: ll, nullLogLikelihood: nullLL, pseudoR2: 1 - ll / nullLL, aic: 2 * Double(parameters) - 2 * ll,
            parameters: parameters, converged: final.converged && (search?.converged ?? true),
            iterations: search?.iterations ?? 0, newtonIterations: objective.newtonIterations, evaluations: objective.evaluations,
            featurePasses: objective.evaluations + objective.curvaturePasses + 1, subsampleFeaturePasses: subsampleEvaluations,
            objectivePasses: problem.evaluations,
            seconds: .init(features: objective.featureSeconds, solver: objective.solverSeconds, intervals: intervalSeconds, stages: stages))
        if !statistics.converged { warnings.append("the fit did not converge: treat the estimates with caution") }
        // Peduzzi et al. (1996): fewer than 10 outcomes of the rarer class per estimated parameter makes a logit unreliable.
        let rarer = min(won, rows.count - won)
        if rarer < 10 * parameters {
            warnings.append("few outcomes for this model: \(rarer) \(won <= rows.count - won ? "won" : "lost") leads for \(parameters) estimated parameters (fewer than 10 per parameter): the estimates and their intervals are unreliable")
        }
        var means = [Double](repeating: 0, count: layout.count)
        for j in 0..<layout.count { means[j] = problem.mean[j] }
        return CalibrationResult(
            spec: spec, layout: layout, standardErrors: standardErrorKind, intercept: b0, interceptStdError: covariance.map { $0[0].squareRoot() },
            features: features, axes: axes, statistics: statistics, warnings: warnings,
            trainingProbabilities: problem.probability, featureMeans: means)
    }
}
