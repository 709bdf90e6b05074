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
}
