// swift-tools-version: 6.0
import PackageDescription

/// The C++ layer library and the project templates, embedded into the binary by name so
/// `bnn-hls` works from any directory. Listed one by one (`.embedInCode` takes files, not
/// folders); `TemplateFilesTests` fails when this list and the folders disagree.
let templateResources: [Resource] = [
    "cpp/bnn_argmax.hpp",
    "cpp/bnn_binarize.hpp",
    "cpp/bnn_lanes.hpp",
    "cpp/bnn_library.hpp",
    "cpp/bnn_mvau.hpp",
    "cpp/bnn_pool.hpp",
    "cpp/bnn_repack.hpp",
    "cpp/bnn_stream_width.hpp",
    "cpp/bnn_weights.hpp",
    "cpp/bnn_window.hpp",
    "cpp/fetch_hls_headers.sh",
    "project/Makefile.tmpl",
    "project/README.md.tmpl",
    "project/hls_config.cfg.tmpl",
    "project/params.hpp.tmpl",
    "project/run_hls.tcl.tmpl",
    "project/testbench.cpp.tmpl",
    "project/top.cpp.tmpl",
    "project/top.hpp.tmpl",
].map { .embedInCode($0) }

// The simulator's hot loops need the popcount instruction and vector registers; SwiftPM's
// baseline x86-64 target has neither (see README: the build is tuned to the machine it runs on).
let nativeCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]

let package = Package(
    name: "bnn-hls",
    products: [
        .executable(name: "bnn-hls", targets: ["bnn-hls"]),
        .executable(name: "bnn-hls-bench", targets: ["bnn-hls-bench"]),
        .executable(name: "bnn-hls-fuzz", targets: ["bnn-hls-fuzz"]),
    ],
    targets: [
        .target(name: "BNNModel"),
        .target(name: "BNNReference", dependencies: ["BNNModel"]),
        .target(name: "BNNDesign", dependencies: ["BNNModel"]),
        .target(name: "BNNCompiler", dependencies: ["BNNModel", "BNNReference", "BNNDesign"]),
        .target(name: "BNNSimulator", dependencies: ["BNNDesign"], swiftSettings: nativeCPU),
        .target(name: "BNNDataflow", dependencies: ["BNNModel", "BNNDesign"]),
        .target(name: "BNNEstimate", dependencies: ["BNNModel", "BNNDesign", "BNNCompiler", "BNNDataflow"]),
        .target(name: "Templates", path: "Templates", resources: templateResources),
        .target(name: "BNNEmit", dependencies: ["BNNDesign", "BNNModel", "BNNDataflow", "Templates"]),
        .target(
            name: "BNNCommandLine",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNDataflow", "BNNEstimate", "BNNEmit"]),
        .executableTarget(name: "bnn-hls", dependencies: ["BNNCommandLine"]),
        .executableTarget(name: "bnn-hls-fuzz", dependencies: ["BNNCommandLine"]),
        .target(
            name: "CXnorBench",
            cSettings: [.unsafeFlags(["-O3", "-march=native"])]),
        .executableTarget(
            name: "bnn-hls-bench",
            dependencies: ["BNNCommandLine", "CXnorBench"], swiftSettings: nativeCPU),
        .target(name: "BNNTestSupport", dependencies: ["BNNModel", "BNNCommandLine"], path: "Tests/Support"),
        .testTarget(name: "BNNModelTests", dependencies: ["BNNModel", "BNNTestSupport"]),
        .testTarget(name: "BNNReferenceTests", dependencies: ["BNNModel", "BNNReference"]),
        .testTarget(name: "BNNEstimateTests", dependencies: ["BNNEstimate", "BNNDataflow", "BNNCompiler", "BNNModel", "BNNDesign", "BNNCommandLine", "BNNTestSupport"]),
        .testTarget(
            name: "BNNCompilerTests",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNTestSupport"]),
        .testTarget(
            name: "BNNEndToEndTests",
            dependencies: ["BNNCommandLine", "BNNModel", "BNNReference", "BNNCompiler", "BNNSimulator", "BNNDataflow", "BNNEstimate", "BNNEmit", "BNNTestSupport", "Templates"]),
    ]
)
