import Foundation
import LeadcalModel
import Yams

extension ModelSpec {
    /// Where each attribute was declared in the YAML, to locate errors that
    /// only the data can reveal (an attribute column missing from leads.csv).
    public struct SourceMarks: Sendable, Equatable {
        public var file: String
        /// `axis/column` -> (line, column) of the attribute's key.
        public var attributes: [String: (line: Int, column: Int)] = [:]
        public static func == (a: Self, b: Self) -> Bool { a.file == b.file && a.attributes.keys == b.attributes.keys }
    }

    /// Reads the spec file at `url`.
    public static func load(url: URL) throws(DataError) -> (ModelSpec, SourceMarks) {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: name, line: 1, column: 1, message: "cannot read the model spec (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError(file: name, line: 1, column: 1, message: "bytes that are not valid UTF-8")
        }
        return try parse(yaml: text, file: name)
    }

    /// Parses a spec, checking everything that does not need the data.
    public static func parse(yaml: String, file: String = "model.yaml") throws(DataError) -> (ModelSpec, SourceMarks) {
        func fail(_ node: Node?, _ message: String) -> DataError {
            DataError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
        }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: yaml) else { throw fail(nil, "empty model spec: expected 'name' and 'axes'") }
            root = r
        } catch let e as DataError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e, file: file)
        } catch {
            throw fail(nil, "invalid YAML: \(error)")
        }
        guard let top = root.mapping else { throw fail(root, "expected a mapping with 'name' and 'axes'") }
        var marks = SourceMarks(file: file)

        /// A keyword of an enumeration (`min`, `amount`, `parent`).
        func choice<T: RawRepresentable>(_ node: Node, _ message: String) throws(DataError) -> T where T.RawValue == String {
            guard let s = node.string, let v = T(rawValue: s) else { throw fail(node, message) }
            return v
        }
        /// A finite number that `accept`s.
        func number(_ node: Node, _ accept: (Double) -> Bool, _ message: String) throws(DataError) -> Double {
            guard let v = node.float, v.isFinite, accept(v) else { throw fail(node, message) }
            return v
        }
        var name = "model"
        var axes: [Axis] = []
        var l2 = 1.0
        var auto = false
        var rule: L2Rule? = nil
        var ruleNode: Node? = nil
        var weightBy: ModelSpec.WeightBy? = nil
        var amountCap: Double? = nil
        var capNode: Node? = nil
        var prior: ModelSpec.Prior? = nil
        var priorStrength: Double? = nil
        var strengthNode: Node? = nil
        var nonnegative: [String] = []
        var nonnegativeNode: Node? = nil
        var tiers: [TierRule]? = nil
        var axesNode: Node? = nil
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "name":
                guard let s = value.string, WeightsStore.isValidName(s) else {
                    throw fail(value, "expected a model name of 1 to \(WeightsStore.maxNameLength) ASCII letters, digits, '-', '_' or '.', not starting with '.' or '-'")
                }
                name = s
            case "l2":
                if value.string == "auto" {
                    auto = true
                } else {
                    guard let v = value.float, v.isFinite, v >= 0 else { throw fail(value, "expected l2 to be a number >= 0 or 'auto'") }
                    l2 = v
                }
            case "l2_rule":
                rule = try choice(value, "expected l2_rule to be 'min' or '1se'")
                ruleNode = value
            case "weight_by":
                weightBy = try choice(value, "expected weight_by: amount")
            case "amount_cap":
                amountCap = try number(value, { $0 > 0 && $0 <= 100 }, "expected amount_cap to be a percentile in (0, 100]")
                capNode = value
            case "prior":
                prior = try choice(value, "expected prior: parent")
            case "prior_strength":
                priorStrength = try number(value, { $0 > 0 && $0 <= 1 }, "expected prior_strength to be a number in (0, 1]")
                strengthNode = value
            case "nonnegative":
                guard let seq = value.sequence else { throw fail(value, "expected a list of axis names") }
                nonnegative = try seq.map { (n: Node) throws(DataError) -> String in
                    guard let s = n.string else { throw fail(n, "expected an axis name") }
                    return s
                }
                nonnegativeNode = value
            case "axes":
                axesNode = value
                guard let m = value.mapping, !m.isEmpty else { throw fail(value, "expected a mapping of axes") }
                for (axisKey, axisNode) in m {
                    guard let axisName = axisKey.string, !axisName.isEmpty else { throw fail(axisKey, "expected an axis name") }
                    axes.append(try parseAxis(axisName, axisNode, keyNode: axisKey, marks: &marks, fail: fail))
                }
            case "tiers":
                tiers = try parseTiers(value, fail: fail)
            default:
                throw fail(keyNode, "unknown key '\(key)' (expected name, axes, l2, l2_rule, weight_by, amount_cap, prior, prior_strength, nonnegative, tiers)")
            }
        }
        guard axesNode != nil else { throw fail(root, "missing 'axes'") }
        // A signal listed in two axes.
        var seen: [String: String] = [:]
        for axis in axes {
            for s in axis.signals {
                if let other = seen[s] {
                    let node = signalNode(in: axesNode, axis: axis.name, signal: s)
                    throw fail(node, "signal '\(s)' is listed in two axes ('\(other)' and '\(axis.name)')")
                }
                seen[s] = axis.name
            }
        }
        var columns: Set<String> = []
        for axis in axes {
            for a in axis.attributes {
                if !columns.insert(a.column).inserted {
                    let mark = marks.attributes["\(axis.name)/\(a.column)"]
                    throw DataError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                                    message: "attribute '\(a.column)' is listed twice")
                }
            }
        }
        // A breadth feature's name must not be a signal type or an attribute of the spec.
        let names = Set(axes.flatMap(\.signals)).union(columns)
        for axis in axes where axis.breadthDays != nil && names.contains(axis.breadthFeatureName) {
            throw fail(axesNode, "axis '\(axis.name)': its breadth feature '\(axis.breadthFeatureName)' has the name of a signal type or attribute; rename the axis")
        }
        for n in nonnegative where !axes.contains(where: { $0.name == n }) {
            throw fail(nonnegativeNode, "nonnegative names an unknown axis '\(n)' (axes: \(axes.map(\.name).joined(separator: ", ")))")
        }
        if rule != nil && !auto { throw fail(ruleNode, "l2_rule applies to l2: auto only (l2 is a number here)") }
        if priorStrength != nil && prior == nil { throw fail(strengthNode, "prior_strength applies to prior: parent") }
        var spec = ModelSpec(name: name, axes: axes, l2: l2, l2Rule: auto ? (rule ?? .oneSE) : nil, nonnegative: nonnegative, tiers: tiers)
        if amountCap != nil && weightBy == nil { throw fail(capNode, "amount_cap applies to weight_by: amount") }
        spec.weightBy = weightBy
        spec.amountCap = weightBy == nil ? nil : (amountCap ?? ModelSpec.defaultAmountCap)
        spec.prior = prior
        spec.priorStrength = prior == nil ? nil : (priorStrength ?? ModelSpec.defaultPriorStrength)
        return (spec, marks)
    }

    private static func signalNode(in axes: Node?, axis: String, signal: String) -> Node? {
        guard let axisNode = axes?.mapping?[axis], let seq = axisNode.mapping?["signals"]?.sequence else { return axes }
        return seq.first { $0.string == signal } ?? axisNode
    }

    private static func parseAxis(
        _ name: String, _ node: Node, keyNode: Node, marks: inout SourceMarks, fail: (Node?, String) -> DataError
    ) throws(DataError) -> Axis {
        guard let m = node.mapping else { throw fail(node, "axis '\(name)': expected a mapping with signals or attributes") }
        var axis = Axis(name: name)
        var breadthNode: Node? = nil
        var halfLifeNode: Node? = nil
        for (k, v) in m {
            switch k.string ?? "" {
            case "attributes":
                guard let am = v.mapping else { throw fail(v, "axis '\(name)': expected attributes as 'column: categorical|numeric|log'") }
                for (ck, cv) in am {
                    guard let column = ck.string, !column.isEmpty else { throw fail(ck, "expected an attribute column name") }
                    if column == "lead_id" { throw fail(ck, "lead_id is the key, not an attribute") }
                    // `column: kind`, or `column: {kind: categorical, reference: LEVEL}`.
                    var kindNode = cv
                    var reference: String? = nil
                    if let detail = cv.mapping {
                        guard let k = detail["kind"] else { throw fail(cv, "attribute '\(column)': expected 'kind: categorical|numeric|log'") }
                        kindNode = k
                        for (dk, dv) in detail {
                            switch dk.string ?? "" {
                            case "kind": break
                            case "reference":
                                guard let r = dv.string else { throw fail(dv, "attribute '\(column)': expected a reference level") }
                                reference = r
                            default: throw fail(dk, "attribute '\(column)': unknown key '\(dk.string ?? "")' (expected kind, reference)")
                            }
                        }
                    }
                    guard let kindText = kindNode.string, let kind = AttributeKind(rawValue: kindText) else {
                        throw fail(kindNode, "attribute '\(column)': expected categorical, numeric or log")
                    }
                    if reference != nil && kind != .categorical {
                        throw fail(cv, "attribute '\(column)': a reference level applies to categorical attributes only")
                    }
                    axis.attributes.append(Attribute(column: column, kind: kind, reference: reference))
                    marks.attributes["\(name)/\(column)"] = (ck.mark?.line ?? 1, ck.mark?.column ?? 1)
                }
            case "signals":
                guard let seq = v.sequence else { throw fail(v, "axis '\(name)': expected a list of signal types") }
                for s in seq {
                    guard let t = s.string, !t.isEmpty else { throw fail(s, "expected a signal type") }
                    if axis.signals.contains(t) { throw fail(s, "signal '\(t)' is listed twice in axis '\(name)'") }
                    axis.signals.append(t)
                }
            case "half_life_days":
                halfLifeNode = v
                guard let h = v.float, h.isFinite, h > 0 else {
                    throw fail(v, "axis '\(name)': half_life_days must be a positive number of days, found '\(v.string ?? "")'")
                }
                axis.halfLifeDays = h
            case "fit_half_life":
                guard let b = v.bool else { throw fail(v, "axis '\(name)': fit_half_life must be true or false") }
                axis.fitHalfLife = b
            case "saturation":
                guard let t = v.string, let s = Saturation(rawValue: t) else {
                    throw fail(v, "axis '\(name)': saturation must be none or log1p")
                }
                axis.saturation = s
            case "breadth_days":
                breadthNode = v
                guard let d = v.float, d.isFinite, d > 0, d <= HalfLife.searchRange.upperBound else {
                    throw fail(v, "axis '\(name)': breadth_days must be a positive number of days up to 3650, found '\(v.string ?? "")'")
                }
                axis.breadthDays = d
            default:
                throw fail(k, "axis '\(name)': unknown key '\(k.string ?? "")' (expected attributes, signals, half_life_days, fit_half_life, saturation, breadth_days)")
            }
        }
        if axis.signals.isEmpty && breadthNode != nil {
            throw fail(breadthNode, "axis '\(name)' has no signals: breadth_days counts the axis's signal types, so it does not apply")
        }
        if axis.attributes.isEmpty && axis.signals.isEmpty {
            throw fail(keyNode, "axis '\(name)' has neither signals nor attributes")
        }
        if !axis.signals.isEmpty && axis.halfLifeDays == nil {
            throw fail(keyNode, "axis '\(name)' has signals but no half_life_days (a positive number of days)")
        }
        if axis.signals.isEmpty && (halfLifeNode != nil || axis.fitHalfLife) {
            throw fail(halfLifeNode ?? keyNode, "axis '\(name)' has no signals: a half-life does not apply")
        }
        return axis
    }

    private static func parseTiers(_ node: Node, fail: (Node?, String) -> DataError) throws(DataError) -> [TierRule] {
        // Accepted forms, in order of urgency:
        //   tiers:
        //     act_now: top 5%
        //     nurture: p >= 0.2
        //     monitor: rest
        guard let m = node.mapping, !m.isEmpty else { throw fail(node, "expected tiers as 'name: top N%' or 'name: p >= X' or 'name: rest'") }
        var rules: [TierRule] = []
        for (k, v) in m {
            guard let name = k.string, let text = v.string?.lowercased().replacingOccurrences(of: " ", with: "") else {
                throw fail(v, "expected a tier rule")
            }
            if text.hasPrefix("top"), text.hasSuffix("%"), let pct = Double(text.dropFirst(3).dropLast()), pct > 0, pct <= 100 {
                rules.append(TierRule(name: name, topShare: pct / 100))
            } else if text.hasPrefix("p>="), let p = Double(text.dropFirst(3)), p >= 0, p <= 1 {
                rules.append(TierRule(name: name, minProbability: p))
            } else if text == "rest" {
                rules.append(TierRule(name: name, minProbability: 0))
            } else {
                throw fail(v, "tier '\(name)': expected 'top N%', 'p >= X' or 'rest', found '\(v.string ?? "")'")
            }
        }
        return rules
    }

    private static func yamlError(_ e: YamlError, file: String) -> DataError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _):
            return DataError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        default:
            return DataError(file: file, line: 1, column: 1, message: "invalid YAML: \(e)")
        }
    }
}
