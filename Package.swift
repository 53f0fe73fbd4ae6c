// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Every file under Templates/cpp and Templates/project, embedded into the binary by name
/// (`.embedInCode` takes files, not folders), so `bnn-hls` works from any directory.
let templateResources: [Resource] = ["cpp", "project"].flatMap { folder -> [Resource] in
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Templates/\(folder)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { .embedInCode("\(folder)/\($0)") }
}

// The simulator's hot loops need the popcount instruction and vector registers; SwiftPM's
// baseline x86-64 target has neither (see README: the build is tuned to the machine it runs on).
let nativeCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]

let package = Package(
    name: "bnn-hls",
    products: [
        .executable(name: "bnn-hls", targets: ["bnn-hls"]),
        .executable(name: "bnn-hls-bench", targets: ["bnn-hls-bench"]),
    ],
    targets: [
        .target(name: "BNNModel"),
        .target(name: "BNNReference", dependencies: ["BNNModel"]),
        .target(name: "BNNDesign", dependencies: ["BNNModel"]),
        .target(name: "BNNCompiler", dependencies: ["BNNModel", "BNNReference", "BNNDesign"]),
        .target(name: "BNNSimulator", dependencies: ["BNNDesign"], swiftSettings: nativeCPU),
        .target(name: "Templates", path: "Templates", resources: templateResources),
        .target(name: "BNNEmit", dependencies: ["BNNDesign", "BNNModel", "Templates"]),
        .target(
            name: "BNNCommandLine",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNEmit"]),
        .executableTarget(name: "bnn-hls", dependencies: ["BNNCommandLine"]),
        .target(
            name: "CXnorBench",
            cSettings: [.unsafeFlags(["-O3", "-march=native"])]),
        .executableTarget(
            name: "bnn-hls-bench",
            dependencies: ["BNNCommandLine", "CXnorBench"], swiftSettings: nativeCPU),
        .target(name: "BNNTestSupport", dependencies: ["BNNModel", "BNNCommandLine"], path: "Tests/Support"),
        .testTarget(name: "BNNModelTests", dependencies: ["BNNModel"]),
        .testTarget(
            name: "BNNCompilerTests",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNTestSupport"]),
        .testTarget(
            name: "BNNEndToEndTests",
            dependencies: ["BNNCommandLine", "BNNModel", "BNNReference", "BNNCompiler", "BNNSimulator", "BNNEmit", "BNNTestSupport"]),
    ]
)
