import Foundation
import LeadcalModel

/// What `leadcal evaluate` reports about one model on decided leads.
public struct EvaluationReport: Codable, Sendable {
    public struct TierRow: Codable, Sendable, Equatable {
        public var tier: String
        public var leads: Int
        public var won: Int
        public var winRate: Double?
        /// Win rate over the overall win rate.
        public var lift: Double?
        enum CodingKeys: String, CodingKey {
            case tier, leads, won, lift
            case winRate = "win_rate"
        }
    }

    public struct Capacity: Codable, Sendable, Equatable {
        /// The top N leads by probability.
        public var top: Int
        public var won: Int
        /// Won among the top N / N.
        public var precision: Double
        /// Won among the top N / all won.
        public var recall: Double
    }

    public var leads: Int
    public var won: Int
    public var lost: Int
    public var winRate: Double
    public var auc: DeLong.Interval?
    public var logLoss: Double
    public var brier: Double
    public var calibrationError: Double
    public var reliability: [Reliability.Bin]
    public var tiers: [TierRow]
    public var capacity: Capacity?
    /// Mean prediction against the observed win rate.
    public var baseRate: BaseRate?
    /// Evaluated leads inside the version's training window (nil when not known):
    /// with any, these metrics are optimistic.
    public var trainingOverlap: Int?

    enum CodingKeys: String, CodingKey {
        case leads, won, lost, auc, brier, reliability, tiers, capacity
        case winRate = "win_rate", logLoss = "log_loss", calibrationError = "calibration_error"
        case baseRate = "base_rate", trainingOverlap = "training_overlap"
    }

    /// Evaluates scored outcomes of `file` (when given, its training window
    /// gives ``trainingOverlap``); `capacity` is the number of leads a team can call.
    public init(_ s: ScoredOutcomes, file: WeightsFile? = nil, capacity: Int? = nil) {
        let p = s.probability, y = s.label
        leads = p.count
        won = Int(y.reduce(0, +))
        lost = leads - won
        winRate = leads > 0 ? Double(won) / Double(leads) : .nan
        auc = DeLong.interval(p, y)
        logLoss = Metrics.logLoss(p, y)
        brier = Metrics.brier(p, y)
        reliability = Reliability.table(p, y)
        calibrationError = Reliability.expectedError(reliability)
        baseRate = BaseRate(p, y)
        trainingOverlap = file.map { s.trainingOverlap($0) }
        let rate = winRate
        tiers = s.tierNames.enumerated().map { (t, name) in
            let members = s.tier.indices.filter { s.tier[$0] == t }
            let w = members.reduce(0) { $0 + Int(y[$1]) }
            let r = members.isEmpty ? nil : Double(w) / Double(members.count)
            return TierRow(tier: name, leads: members.count, won: w, winRate: r, lift: r.map { $0 / rate })
        }
        if let n = capacity, n > 0, leads > 0 {
            let top = p.indices.sorted { p[$0] > p[$1] }.prefix(n)
            let w = top.reduce(0) { $0 + Int(y[$1]) }
            self.capacity = Capacity(top: top.count, won: w, precision: Double(w) / Double(top.count), recall: won > 0 ? Double(w) / Double(won) : 0)
        }
    }
}

/// What `leadcal compare` reports about two versions on the same leads.
public struct ComparisonReport: Codable, Sendable {
    public struct FeatureRow: Codable, Sendable, Equatable {
        public var feature: String
        public var axis: String
        public var weightA: Double?
        public var stdErrorA: Double?
        public var weightB: Double?
        public var stdErrorB: Double?
        /// `(w_B − w_A) / √(SE_A² + SE_B²)`: the change in standard deviations.
        public var changeInSDs: Double?
        /// `both`, `added` (only in B) or `dropped` (only in A).
        public var presence: String
        public var statusA: WeightStatus?
        public var statusB: WeightStatus?
        /// Why ``changeInSDs`` is absent although both versions have the feature.
        public var note: String?
        enum CodingKeys: String, CodingKey {
            case feature, axis, presence, note
            case weightA = "weight_a", stdErrorA = "std_error_a", weightB = "weight_b", stdErrorB = "std_error_b", changeInSDs = "change_in_sds"
            case statusA = "status_a", statusB = "status_b"
        }
    }

    public struct HalfLifeRow: Codable, Sendable, Equatable {
        public var axis: String
        public var a: HalfLife?
        public var b: HalfLife?
    }

    /// A categorical column whose reference level differs between the versions:
    /// its level weights are against different baselines and do not compare.
    public struct ReferenceChange: Codable, Sendable, Equatable {
        public var column: String
        public var a: String?
        public var b: String?
    }

    /// Evaluated leads each version could have trained on.
    public struct Overlap: Codable, Sendable, Equatable {
        public var a: Int
        public var b: Int
    }

    public struct LogLossTest: Codable, Sendable, Equatable {
        /// Mean over leads of `logloss_B − logloss_A` (negative: B is better).
        public var difference: Double
        public var standardError: Double
        public var z: Double
        public var p: Double
        enum CodingKeys: String, CodingKey {
            case difference, z, p
            case standardError = "std_error"
        }
    }

    public var versionA: String
    public var versionB: String
    public var a: EvaluationReport
    public var b: EvaluationReport
    public var aucTest: DeLong.Test?
    public var logLossTest: LogLossTest
    /// PSI of B's scores against A's.
    public var psi: Double
    /// Leads per (tier under A, tier under B); tiers by name.
    public var tierMoves: [String: [String: Int]]
    /// Share of leads whose tier name differs between A and B.
    public var tierChangeShare: Double
    public var weights: [FeatureRow]
    public var halfLives: [HalfLifeRow]
    public var referenceChanges: [ReferenceChange]
    public var trainingOverlap: Overlap
    /// Neither version trained on any of the evaluated leads.
    public var fair: Bool
    public var verdict: String

    enum CodingKeys: String, CodingKey {
        case a, b, psi, weights, verdict, fair
        case versionA = "version_a", versionB = "version_b", aucTest = "auc_test", logLossTest = "log_loss_test"
        case tierMoves = "tier_moves", tierChangeShare = "tier_change_share", halfLives = "half_lives"
        case referenceChanges = "reference_changes", trainingOverlap = "training_overlap"
    }
}
