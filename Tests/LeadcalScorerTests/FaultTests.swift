import Foundation
import LeadcalModel
import Testing

@Suite("Faults leave nothing half-written", .serialized)
struct FaultTests {
    func folderFiles(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test("a write that fails before publishing leaves no weights file, no temporary file, and the others untouched")
    func failureDuringTheWrite() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try WeightsStore.write(Fixture.fitted.file, to: folder)
        let before = try Data(contentsOf: first)
        var next = Fixture.fitted.file
        next.version = "2026-10.2"
        WeightsStore.$failBeforePublishing.withValue(true) {
            #expect {
                try WeightsStore.write(next, to: folder)
            } throws: { error in
                (error as! WeightsError).message.hasSuffix("b2b-default-2026-10.2.json: write failed (No space left on device)")
            }
        }
        #expect(folderFiles(folder) == [first.lastPathComponent])
        #expect(try Data(contentsOf: first) == before)
    }

    @Test("a temporary file left by a writer killed before publishing is removed by the next write")
    func staleTemporaryFiles() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A writer (pid 999999, gone) killed between its temporary write and the link.
        let stale = folder.appendingPathComponent(".b2b-default-2026-10.1.json.999999.42.tmp")
        try Data("{\"half\": ".utf8).write(to: stale)
        let written = try WeightsStore.write(Fixture.fitted.file, to: folder)
        #expect(folderFiles(folder) == [written.lastPathComponent])
        #expect(try WeightsStore.load(written) == (try WeightsStore.decode(try Data(contentsOf: written), name: "x")))
    }

    @Test("two writers of the same automatic version: the second takes the next free one")
    func concurrentVersions() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try WeightsStore.write(Fixture.fitted.file, to: folder, nextFreeVersion: "2026-10")
        // The second computed the same version before the first published it.
        let b = try WeightsStore.write(Fixture.fitted.file, to: folder, nextFreeVersion: "2026-10")
        #expect(a.lastPathComponent == "b2b-default-2026-10.1.json")
        #expect(b.lastPathComponent == "b2b-default-2026-10.2.json")
        #expect(try WeightsStore.load(b).version == "2026-10.2")
        // An explicit version is never moved: it is refused.
        #expect(throws: WeightsError.self) { try WeightsStore.write(Fixture.fitted.file, to: folder) }
    }

    @Test("a document holding NaN or infinity is refused before anything is written")
    func nonFiniteNumbersAreRefused() throws {
        let folder = Fixture.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var file = Fixture.fitted.file
        file.axes[1].features[0].weight = .nan
        #expect {
            try WeightsStore.write(file, to: folder)
        } throws: { error in
            (error as! WeightsError).message.hasPrefix("cannot write the weights file: the weight of hiring_sales is nan: not a finite number")
        }
        file = Fixture.fitted.file
        file.axes[1].halfLife?.days = .infinity
        #expect(throws: WeightsError.self) { try WeightsStore.write(file, to: folder) }
        #expect(folderFiles(folder).isEmpty)
    }
}
