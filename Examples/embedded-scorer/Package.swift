// swift-tools-version: 6.1
// A service embedding leadcal's scorer alone: it links LeadcalScorer and
// LeadcalModel, and builds none of the calibration, BLAS, YAML or CLI modules.
import PackageDescription

let package = Package(
    name: "embedded-scorer",
    dependencies: [.package(name: "leadcal", path: "../..")],
    targets: [
        .executableTarget(name: "score-one", dependencies: [.product(name: "LeadcalScorer", package: "leadcal")])
    ]
)
