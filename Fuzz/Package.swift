// swift-tools-version: 6.1
// libFuzzer targets for leadcal's parsers of untrusted input: the CSV reader
// (through the dataset loader), the YAML spec parser, the weights-file loader
// and the scoring service's request reader. Built by `make fuzz` with
// `-sanitize=fuzzer,address -parse-as-library`; each target defines its one
// input's test and an entry point, <Module>_main as SwiftPM names it, that
// hands over to libFuzzer's driver.
import PackageDescription

let package = Package(
    name: "leadcal-fuzz",
    dependencies: [.package(name: "leadcal", path: "..")],
    targets: [
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzDriver", .product(name: "LeadcalData", package: "leadcal")]),
        .executableTarget(
            name: "FuzzSpec",
            dependencies: ["FuzzDriver", .product(name: "LeadcalData", package: "leadcal"), .product(name: "LeadcalModel", package: "leadcal")]),
        .executableTarget(
            name: "FuzzWeights",
            dependencies: [
                "FuzzDriver", .product(name: "LeadcalModel", package: "leadcal"), .product(name: "LeadcalScorer", package: "leadcal"),
                .product(name: "LeadcalExport", package: "leadcal"),
            ]),
        .executableTarget(
            name: "FuzzRequest",
            dependencies: ["FuzzDriver", .product(name: "LeadcalService", package: "leadcal"), .product(name: "LeadcalScorer", package: "leadcal")]),
    ]
)
