import Foundation
import LeadcalData
import LeadcalFeatures

/// Fits the model of the data contract on decided leads: the intercept and
/// every feature weight by penalized maximum likelihood, and the half-life of
/// every axis with `fit_half_life: true` by maximising the profile likelihood.
///
///     minimise  Σ_i logloss_i + (l2/2) Σ_j (sd_j w_j)²    over b0, w, log h
///
/// Inner problem (fixed half-lives): projected Newton on BLAS/LAPACK
/// (``NewtonSolver``). Outer problem: bounded BFGS in log-days with the exact
/// envelope gradient (``HalfLifeSearch``, ``ProfileObjective``). Standard
/// errors come from the inverse penalized Hessian at the optimum (half-lives
/// held at their estimates); half-life intervals from the profile likelihood.
public enum Calibration {
    public struct Options: Sendable {
        /// Overrides the spec's `l2`.
        public var l2: Double?
        /// Relative KKT residual at which the inner solve stops.
        public var tolerance = 1e-8
        /// Compute profile-likelihood intervals of the half-lives.
        public var intervals = true
        /// Progress messages (called from the calling thread).
        public var progress: (@Sendable (String) -> Void)?
        /// A previous fit to start from (half-lives and weights by feature name),
        /// for example last month's when retraining.
        public var warmStart: CalibrationResult?
        public init() {}
    }

    /// Above `4 × coarseRows` training rows the half-lives are first fitted on a
    /// subsample of about this many rows.
    static let coarseRows = 25_000

    /// Fits on the decided rows `rows` of `dataset` (default: all decided leads).
    public static func fit(dataset: Dataset, rows selected: [Int32]? = nil, options: Options = Options()) throws(CalibrationError) -> CalibrationResult {
        guard var spec = dataset.spec else { throw CalibrationError("no model spec: put a model.yaml in the data folder or pass --spec") }
        if let l2 = options.l2 { spec.l2 = l2 }
        let rows = selected ?? (0..<Int32(dataset.decided.count)).map { $0 }
        let labels = dataset.labels
        let y = rows.map { labels[Int($0)] }
        let won = Int(y.reduce(0, +))
        guard !rows.isEmpty else { throw CalibrationError("no decided leads to train on (outcomes.csv has no row for a known lead)") }
        if won == 0 || won == rows.count {
            throw CalibrationError("all \(rows.count) training leads are \(won == 0 ? "lost" : "won"): a win probability cannot be fitted from one class")
        }
        let progress = options.progress ?? { _ in }

        let builder = FeatureBuilder(dataset: dataset, rows: rows)
        let layout = builder.layout
        let pa = layout.firstSignalColumn, ps = layout.signalCount
        let problem = PenalizedLogit(y: y, l2: spec.l2)

        // Screen the features at the starting half-lives (a warm start's, when given).
        var h0 = spec.axes.map { $0.halfLifeDays ?? 0 }
        if let previous = options.warmStart {
            for (a, axis) in spec.axes.enumerated() where axis.fitHalfLife {
                if let h = previous.axes.first(where: { $0.name == axis.name })?.halfLifeDays { h0[a] = min(max(h, 0.5), 3650) }
            }
        }
        var signals: [Double] = []
        builder.decayedSignals(halfLives: h0, values: &signals, derivatives: nil)
        problem.load(attributes: builder.attributeValues, pa: pa, signals: signals, ps: ps, active: [])
        let constant = Set(Diagnostics.constantFeatures(sd: problem.sd))
        let candidates = (0..<layout.count).filter { !constant.contains($0) }
        problem.load(attributes: builder.attributeValues, pa: pa, signals: signals, ps: ps, active: candidates)
        let collinear = Set(Diagnostics.collinearFeatures(problem: problem, candidates: candidates))
        var warnings: [String] = []
        for j in constant.sorted() { warnings.append("\(layout.features[j].name) is constant on the training rows: not estimated") }
        if !collinear.isEmpty {
            let names = collinear.sorted().map { layout.features[$0].name }.joined(separator: ", ")
            warnings.append(spec.l2 == 0
                ? "exactly collinear with other features, not estimated (as R's glm): \(names)"
                : "exactly collinear with other features (the ridge splits their weight): \(names)")
        }
        let active = candidates.filter { spec.l2 > 0 || !collinear.contains($0) }
        if spec.l2 == 0 {
            let separating = Diagnostics.separatingFeatures(
                attributes: builder.attributeValues, pa: pa, signals: signals, ps: ps, y: y, candidates: active, layout: layout)
            if !separating.isEmpty {
                let list = separating.map { "\(layout.features[$0.feature].name) (\($0.detail))" }.joined(separator: "; ")
                throw CalibrationError("perfect or quasi-complete separation with l2 = 0: \(list). The maximum-likelihood weights are infinite; set l2 > 0 in the spec (for example l2: 1.0)")
            }
        }
        let nonnegativeAxes = Set(spec.nonnegative.compactMap { n in spec.axes.firstIndex { $0.name == n } })
        let constrained = [false] + active.map { j in
            if case .signal = layout.features[j].kind { return nonnegativeAxes.contains(layout.features[j].axis) }
            return false
        }

        let objective = ProfileObjective(
            builder: builder, problem: problem, spec: spec, active: active, constrained: constrained,
            solver: NewtonSolver(tolerance: options.tolerance))
        let rate = Double(won) / Double(rows.count)
        if let previous = options.warmStart {
            let byName = Dictionary(previous.features.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
            objective.warmStart(intercept: previous.intercept, weights: active.map { byName[layout.features[$0].name] ?? 0 })
        } else {
            objective.warmStart(intercept: log(rate / (1 - rate)), weights: [Double](repeating: 0, count: active.count))
        }

        var search: HalfLifeSearch.Result? = nil
        var hessian: [Double] = []
        var step = 0
        func tracked(_ o: ProfileObjective, _ label: String) -> HalfLifeSearch.Objective {
            { u in
                step += 1
                let r = o.value(u: u)
                progress("fit: \(label)evaluation \(step), half-lives " + u.map { String(format: "%.1f", exp($0)) }.joined(separator: "/") + " d")
                return r
            }
        }
        let fitted = objective.fittedAxes
        let clock = ContinuousClock()
        if fitted.isEmpty {
            objective.solve(halfLives: h0, wantDerivatives: false)
        } else {
            var start = fitted.map { log(h0[$0]) }
            var inverseHessian: [Double]? = nil
            // Coarse to fine: on a large dataset, find the half-lives on a subsample
            // first; the full data then need only a few quasi-Newton steps.
            if rows.count >= 4 * coarseRows {
                let stride = rows.count / coarseRows
                let subset = Swift.stride(from: 0, to: rows.count, by: stride).map { rows[$0] }
                let coarseBuilder = FeatureBuilder(dataset: dataset, rows: subset, layout: layout)
                let coarse = ProfileObjective(
                    builder: coarseBuilder, problem: PenalizedLogit(y: subset.map { labels[Int($0)] }, l2: spec.l2), spec: spec,
                    active: active, constrained: constrained, solver: NewtonSolver(tolerance: options.tolerance))
                coarse.warmStart(intercept: log(rate / (1 - rate)), weights: [Double](repeating: 0, count: active.count))
                var coarseSearch = HalfLifeSearch()
                coarseSearch.gradientTolerance = 1e-3
                let r = coarseSearch.minimise(tracked(coarse, "subsample "), start: start)
                start = r.u
                let ratio = Double(subset.count) / Double(rows.count)
                inverseHessian = r.inverseHessian.map { $0 * ratio }
                objective.warmStart(intercept: coarse.intercept, weights: coarse.weights)
            }
            let result = HalfLifeSearch().minimise(tracked(objective, ""), start: start, inverseHessian: inverseHessian)
            search = result
            // The search usually ends on its optimum; if its last evaluation was a rejected trial, go back.
            if objective.halfLives != objective.halfLives(u: result.u) { _ = objective.value(u: result.u) }
        }
        guard let inner = objective.last else { throw CalibrationError("internal: no solve") }

        if spec.l2 == 0 && (!inner.converged || inner.largestStandardized > 30) {
            let suspects = (1..<problem.k).filter { abs(inner.theta[$0]) > 10 }.map { layout.features[active[$0 - 1]].name }
            throw CalibrationError("the fit diverges with l2 = 0 (perfect or quasi-complete separation)\(suspects.isEmpty ? "" : " involving: " + suspects.joined(separator: ", ")). Set l2 > 0 in the spec (for example l2: 1.0)")
        }
        if options.intervals, let result = search {
            progress("fit: Hessian of the profile objective")
            hessian = HalfLifeSearch().hessian(tracked(objective, "Hessian "), at: result)
        }

        // Half-life intervals.
        var intervals: [Int: (Double, Double, Bool, Bool)] = [:]
        let intervalStart = clock.now
        if options.intervals, let best = search {
            for (a, axis) in fitted.enumerated() {
                progress("fit: profile interval of the \(spec.axes[axis].name) half-life")
                let r = HalfLifeSearch().profileInterval(tracked(objective, "interval "), best: best, hessian: hessian, coordinate: a)
                intervals[axis] = (exp(r.lower), exp(r.upper), r.lowerOpen, r.upperOpen)
                if r.lowerOpen || r.upperOpen {
                    warnings.append("the \(spec.axes[axis].name) half-life interval reaches the search bound (0.5 or 3650 days): the data barely constrain it")
                }
            }
        }
        let intervalSeconds = (clock.now - intervalStart).seconds
        if let best = search, objective.halfLives != objective.halfLives(u: best.u) { _ = objective.value(u: best.u) }   // back to the optimum
        let final = objective.last!

        // Standard errors: inverse of the penalized Hessian on the free columns.
        let k = problem.k
        let free = (0..<k).filter { !final.atZero[$0] }
        var block = [Double](repeating: 0, count: free.count * free.count)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { block[a * free.count + b] = final.evaluation.hessian[min(i, j) * k + max(i, j)] } }
        var covariance: [Double]? = nil
        if let chol = Cholesky(upper: block, k: free.count) {
            let inv = chol.inverse()
            var full = [Double](repeating: 0, count: k * k)
            for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { full[i * k + j] = inv[a * free.count + b] } }
            covariance = problem.originalCovariance(full)
        } else {
            warnings.append("the Hessian is singular at the optimum: standard errors are not available")
        }
        let (b0, w) = problem.originalCoefficients(final.theta)

        var features: [CalibrationResult.Feature] = []
        for (j, f) in layout.features.enumerated() {
            let axisName = spec.axes[f.axis].name
            var kind = "signal"
            var reference: String? = nil
            switch f.kind {
            case let .category(column, _): kind = "category"; reference = layout.referenceLevels[column]
            case .numeric: kind = "numeric"
            case .log: kind = "log"
            case .signal: break
            }
            var e = CalibrationResult.Feature(name: f.name, axis: axisName, kind: kind, weight: 0, status: .estimated, referenceLevel: reference)
            if let c = active.firstIndex(of: j) {
                e.weight = w[c]
                if final.atZero[c + 1] {
                    e.status = .atZero
                } else if let cov = covariance {
                    let se = cov[(c + 1) * k + (c + 1)].squareRoot()
                    e.stdError = se
                    e.z = w[c] / se
                    e.lower = w[c] - 1.959963984540054 * se
                    e.upper = w[c] + 1.959963984540054 * se
                }
            } else {
                e.status = constant.contains(j) ? .constant : .collinear
            }
            features.append(e)
        }
        let hFinal = objective.halfLives
        let axes = spec.axes.enumerated().map { (a, axis) in
            CalibrationResult.Axis(
                name: axis.name, halfLifeDays: axis.signals.isEmpty ? nil : hFinal[a], fitted: fitted.contains(a),
                lower: intervals[a]?.0, upper: intervals[a]?.1, lowerOpen: intervals[a]?.2 ?? false, upperOpen: intervals[a]?.3 ?? false,
                saturation: axis.saturation.rawValue, nonnegative: nonnegativeAxes.contains(a))
        }
        let n = Double(rows.count)
        let nullLL = Double(won) * log(rate) + (n - Double(won)) * log(1 - rate)
        let ll = final.evaluation.logLikelihood
        let parameters = free.count + (search.map { _ in fitted.count } ?? 0)
        let statistics = CalibrationResult.Statistics(
            rows: rows.count, won: won, lost: rows.count - won, l2: spec.l2, objective: final.evaluation.objective,
            logLikelihood: ll, nullLogLikelihood: nullLL, pseudoR2: 1 - ll / nullLL, aic: 2 * Double(parameters) - 2 * ll,
            parameters: parameters, converged: final.converged && (search?.converged ?? true),
            iterations: search?.iterations ?? 0, newtonIterations: objective.newtonIterations, evaluations: objective.evaluations,
            objectivePasses: problem.evaluations,
            seconds: .init(features: objective.featureSeconds, solver: objective.solverSeconds, intervals: intervalSeconds))
        if !statistics.converged { warnings.append("the fit did not converge: treat the estimates with caution") }
        return CalibrationResult(
            spec: spec, layout: layout, intercept: b0, interceptStdError: covariance.map { $0[0].squareRoot() },
            features: features, axes: axes, statistics: statistics, warnings: warnings,
            trainingProbabilities: problem.probability, featureMeans: problem.mean)
    }
}
