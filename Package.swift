// swift-tools-version: 6.1
//
// leadcal: calibrated, time-decayed B2B lead scoring.
//
// Data flows one way through the modules:
//
//   LeadcalData -> LeadcalFeatures -> LeadcalCalibration -> LeadcalModel (weights file) -> LeadcalScorer
//                                          |                                                  ^
//                                       CLapack          LeadcalEvaluation, LeadcalExport, LeadcalService
//
// LeadcalScorer depends on LeadcalModel and Foundation only, so production
// can embed it without BLAS, LAPACK, YAML or the argument parser.
import PackageDescription

let package = Package(
    name: "leadcal",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "leadcal", targets: ["leadcal"]),
        .library(name: "LeadcalScorer", targets: ["LeadcalScorer"]),
        .library(name: "LeadcalModel", targets: ["LeadcalModel"]),
        .library(name: "LeadcalData", targets: ["LeadcalData"]),
        .library(name: "LeadcalExport", targets: ["LeadcalExport"]),
        .library(name: "LeadcalService", targets: ["LeadcalService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The benchmark's general-purpose CSV reader (leadcal-bench only).
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // The C shim over CBLAS and LAPACKE (system libraries).
        .systemLibrary(
            name: "CLapack",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // The model as types: spec, features, statuses, half-lives, tiers, and the
        // weights-file codec (checksum, atomic immutable writes). Foundation only.
        .target(name: "LeadcalModel"),
        // Ingest: CSV reading, the data contract, the YAML spec parser, the data report.
        .target(
            name: "LeadcalData",
            dependencies: ["LeadcalModel", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Point-in-time features: decayed sums, their half-life derivatives, design matrix.
        .target(name: "LeadcalFeatures", dependencies: ["LeadcalData"]),
        // Penalized logistic regression with fitted half-lives, on BLAS/LAPACK.
        .target(
            name: "LeadcalCalibration",
            dependencies: ["LeadcalFeatures", "LeadcalModel", "CLapack"]
        ),
        // The production scorer: weights file + a lead's signals -> probability, tier, reasons.
        .target(name: "LeadcalScorer", dependencies: ["LeadcalModel"]),
        // The model for other production targets: one SQL query per dialect, a flat JSON form.
        .target(name: "LeadcalExport", dependencies: ["LeadcalModel"]),
        // The production scorer over HTTP (`leadcal serve`), on Hummingbird.
        .target(
            name: "LeadcalService",
            dependencies: [
                "LeadcalModel", "LeadcalScorer", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Metrics and model comparison; reads weights files.
        .target(
            name: "LeadcalEvaluation",
            dependencies: ["LeadcalData", "LeadcalModel", "LeadcalScorer"]
        ),
        // The monthly routine: backtests of retraining, and notebooks exported for analysts.
        .target(
            name: "LeadcalRoutine",
            dependencies: ["LeadcalData", "LeadcalFeatures", "LeadcalCalibration", "LeadcalEvaluation", "LeadcalScorer", "LeadcalModel"]
        ),
        // Synthetic datasets drawn from the model with known truth.
        .target(name: "LeadcalSynth", dependencies: ["LeadcalData", "LeadcalModel", "LeadcalScorer"]),
        .executableTarget(
            name: "leadcal",
            dependencies: [
                "LeadcalData", "LeadcalFeatures", "LeadcalCalibration", "LeadcalModel",
                "LeadcalScorer", "LeadcalEvaluation", "LeadcalRoutine", "LeadcalSynth", "LeadcalExport", "LeadcalService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The previous in-memory scorer, in its own module as it was (leadcal-bench's baseline only).
        .target(name: "LeadcalBenchBaseline", dependencies: ["LeadcalScorer", "LeadcalModel"]),
        // Release-build benchmark harness (`make bench`): throughput of the hot paths.
        .executableTarget(
            name: "leadcal-bench",
            dependencies: [
                "LeadcalData", "LeadcalFeatures", "LeadcalCalibration", "LeadcalEvaluation", "LeadcalRoutine", "LeadcalScorer", "LeadcalModel",
                "LeadcalBenchBaseline", .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .testTarget(
            name: "LeadcalDataTests",
            dependencies: ["LeadcalData", "LeadcalSynth", "LeadcalModel", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Corpus"]
        ),
        .testTarget(name: "LeadcalFeaturesTests", dependencies: ["LeadcalFeatures", "LeadcalModel"]),
        .testTarget(
            name: "LeadcalCalibrationTests",
            dependencies: ["LeadcalCalibration", "LeadcalSynth", "LeadcalModel"],
            resources: [.copy("References")]
        ),
        .testTarget(
            name: "LeadcalEvaluationTests",
            dependencies: ["LeadcalEvaluation", "LeadcalModel"],
            resources: [.copy("References")]
        ),
        .testTarget(name: "LeadcalExportTests", dependencies: ["LeadcalExport", "LeadcalModel"]),
        .testTarget(name: "LeadcalServiceTests", dependencies: ["LeadcalService", "LeadcalScorer", "LeadcalModel", "LeadcalData", "LeadcalSynth"]),
        .testTarget(
            name: "LeadcalRoutineTests",
            dependencies: ["LeadcalRoutine", "LeadcalCalibration", "LeadcalEvaluation", "LeadcalScorer", "LeadcalData", "LeadcalSynth", "LeadcalModel"],
            exclude: ["References"]
        ),
        .testTarget(
            name: "LeadcalScorerTests",
            dependencies: [
                "LeadcalScorer", "LeadcalModel", "LeadcalCalibration", "LeadcalData", "LeadcalSynth", "LeadcalRoutine",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
