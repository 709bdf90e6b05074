import Crypto
import Foundation
import Testing
import LeadcalModel

@Suite("Weights files are versioned, immutable and tamper-evident")
struct WeightsStoreTests {
    @Test func roundTrip() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try WeightsStore.write(Fixture.fitted.file, to: folder)
        #expect(url.lastPathComponent == "b2b-default-2026-10.1.json")
        var read = try WeightsStore.load(url)
        #expect(read.checksum.hasPrefix("sha256:") && read.checksum.count == 71)
        read.checksum = ""
        #expect(read == Fixture.fitted.file)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["b2b-default-2026-10.1.json"])
    }

    @Test func anExistingVersionIsNeverOverwritten() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try WeightsStore.write(Fixture.fitted.file, to: folder)
        let before = try Data(contentsOf: url)
        var other = Fixture.fitted.file
        other.intercept.weight += 1
        #expect { try WeightsStore.write(other, to: folder) } throws: { e in
            (e as! WeightsError).message.hasSuffix("exists: versions are immutable (pass another --version)")
        }
        #expect(try Data(contentsOf: url) == before)
    }

    @Test func tamperingWithOneWeightIsDetected() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try WeightsStore.write(Fixture.fitted.file, to: folder)
        var text = try String(contentsOf: url, encoding: .utf8)
        let weight = Fixture.fitted.file.axes[2].features[3].weight   // pricing_visit
        let printed = "\"weight\" : \(weight)"
        #expect(text.contains(printed))
        text = text.replacingOccurrences(of: printed, with: "\"weight\" : \(weight + 0.5)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect { try WeightsStore.load(url) } throws: { e in
            (e as! WeightsError).message.hasSuffix("checksum mismatch: the file was changed or truncated after it was written")
        }
    }

    @Test func aTruncatedCopyIsRefused() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try WeightsStore.write(Fixture.fitted.file, to: folder)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        #expect { try WeightsStore.load(url) } throws: { e in
            (e as! WeightsError).message.hasSuffix("not a JSON document (truncated or not a weights file)")
        }
    }

    @Test func aNewerMajorFormatIsRefusedNamingBothVersions() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try WeightsStore.write(Fixture.fitted.file, to: folder)
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"format_version\" : \"2.0\"", with: "\"format_version\" : \"3.0\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect { try WeightsStore.load(url) } throws: { e in
            (e as! WeightsError).message.hasSuffix("format version 3.0 is newer than this leadcal understands (2.x); upgrade leadcal to read it")
        }
    }

    @Test func versionsFollowTheMonthCounter() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(WeightsStore.nextVersion(in: folder, model: "b2b-default", month: "2026-11") == "2026-11.1")
        var file = Fixture.fitted.file
        file.version = "2026-11.1"
        try WeightsStore.write(file, to: folder)
        #expect(WeightsStore.nextVersion(in: folder, model: "b2b-default", month: "2026-11") == "2026-11.2")
        #expect(WeightsStore.nextVersion(in: folder, model: "b2b-default", month: "2026-12") == "2026-12.1")
        #expect(WeightsStore.versions(in: folder, model: "b2b-default").map(\.file.version) == ["2026-11.1"])
    }

    @Test func sha256MatchesFIPSVectorsAndSwiftCrypto() {
        #expect(LeadcalModel.SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(LeadcalModel.SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(LeadcalModel.SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        for n in [1, 55, 56, 63, 64, 65, 1000, 4097] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let reference = Crypto.SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(LeadcalModel.SHA256.hex(bytes) == reference, "length \(n)")
        }
    }

    @Test("a format 1.x file (leadcal 0.1) is read, migrated in memory, statuses included")
    func legacyFormatIsMigrated() throws {
        var text = """
            {"axes": [{"features": [{"kind": "category", "level": "retail", "mean": 0.2, "name": "industry=retail", "reference_level": "software",
              "source": "industry", "status": "estimated", "std_error": 0.1, "interval": [-0.7, -0.3], "weight": -0.5},
              {"kind": "numeric", "mean": 1, "name": "k", "source": "k", "status": "constant", "weight": 0}],
              "half_life_fitted": false, "name": "fit", "nonnegative": false, "saturation": "none"},
             {"features": [{"kind": "signal", "mean": 0.3, "name": "webinar", "source": "webinar", "status": "at_zero", "weight": 0}],
              "half_life_days": 3650, "half_life_fitted": true, "half_life_interval": [0.5, 3650], "name": "engagement", "nonnegative": true,
              "saturation": "log1p"}],
             "checksum": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
             "created_at": "2026-10-01T00:00:00Z", "format": "leadcal.weights", "format_version": "1.0",
             "intercept": {"std_error": 0.2, "weight": -2},
             "metrics": {"training": {"auc": 0.8, "brier": 0.1, "log_loss": 0.4, "rows": 10, "won": 3}},
             "model": "old", "parent": null,
             "spec": {"axes": [{"attributes": {"industry": "categorical", "k": "numeric"}, "fit_half_life": false, "name": "fit", "saturation": "none", "signals": []},
                               {"attributes": {}, "fit_half_life": true, "half_life_days": 14, "name": "engagement", "saturation": "log1p", "signals": ["webinar"]}],
                      "l2": 1, "name": "old", "nonnegative": ["engagement"], "outcome": "won vs lost (outcomes.csv), signals strictly before as_of"},
             "statistics": {"aic": 1, "converged": true, "iterations": 1, "log_likelihood": -5, "newton_iterations": 3, "null_log_likelihood": -6,
                            "objective": 5, "pseudo_r2": 0.1, "warnings": []},
             "tiers": [{"min_probability": 0.5, "name": "act_now", "rule": "p >= 0.5"}, {"min_probability": 0, "name": "monitor", "rule": "rest"}],
             "tool": "leadcal 0.1.0",
             "training": {"anomalies": {}, "as_of": ["2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"], "closed_at": ["2026-01-02T00:00:00Z", "2026-07-01T00:00:00Z"],
                          "inputs": {"leads.csv": "ab"}, "lost": 7, "rows": 10, "train_before": "2026-08-01T00:00:00Z", "won": 3},
             "version": "2026-07.1"}

            """
        let digest = LeadcalModel.SHA256.hex(Array(text.utf8))
        text = text.replacingOccurrences(of: String(repeating: "0", count: 64), with: digest)
        let file = try WeightsStore.decode(Data(text.utf8), name: "old.json")
        #expect(file.formatVersion == "1.0")
        let status = Dictionary(uniqueKeysWithValues: file.features.map { ($0.name, ($0.status, $0.reason)) })
        #expect(status["industry=retail"]! == (.estimated, nil))
        #expect(status["k"]! == (.notEstimated, .constant))
        #expect(status["webinar"]! == (.atBoundZero, nil))
        // 1.x wrote the search bound where the profile did not close the interval.
        #expect(file.axes[1].halfLife == HalfLife(days: 3650, status: .notIdentified, interval: .init(lower: nil, upper: nil)))
        #expect(file.referenceLevels == ["industry": "software"])
        #expect(file.training.window == .init(from: "2026-01-02T00:00:00Z", to: "2026-08-01T00:00:00Z", toInclusive: false))
        #expect(file.outcome == WeightsFile.outcomeDefinition)
    }
}
