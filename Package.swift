// swift-tools-version: 6.0
import PackageDescription

/// The C++ layer library and the project templates, embedded into the binary by name so
/// `bnn-hls` works from any directory. Listed one by one (`.embedInCode` takes files, not
/// folders); `TemplateFilesTests` fails when this list and the folders disagree.
let templateResources: [Resource] = [
    "cpp/bnn_activation.hpp",
    "cpp/bnn_argmax.hpp",
    "cpp/bnn_binarize.hpp",
    "cpp/bnn_join.hpp",
    "cpp/bnn_lanes.hpp",
    "cpp/bnn_library.hpp",
    "cpp/bnn_mvau.hpp",
    "cpp/bnn_pool.hpp",
    "cpp/bnn_repack.hpp",
    "cpp/bnn_rom.hpp",
    "cpp/bnn_stream_width.hpp",
    "cpp/bnn_threaded_csim.hpp",
    "cpp/bnn_weight_file.hpp",
    "cpp/bnn_weight_ram.hpp",
    "cpp/bnn_window.hpp",
    "cpp/fetch_hls_headers.sh",
    "driver/bnn_driver.py",
    "project/Makefile.tmpl",
    "project/README.md.tmpl",
    "project/board.tcl.tmpl",
    "project/board_top.cpp.tmpl",
    "project/driver_lib.cpp.tmpl",
    "project/hls_config.cfg.tmpl",
    "project/ip.tcl.tmpl",
    "project/params.hpp.tmpl",
    "project/run_hls.tcl.tmpl",
    "project/testbench.cpp.tmpl",
    "project/top.cpp.tmpl",
    "project/top.hpp.tmpl",
    "project/top_runtime.cpp.tmpl",
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
        .target(name: "BNNRandomModels", dependencies: ["BNNModel"]),
        .target(name: "BNNDataflow", dependencies: ["BNNModel", "BNNDesign"]),
        .target(name: "BNNEstimate", dependencies: ["BNNModel", "BNNDesign", "BNNCompiler", "BNNDataflow"]),
        .target(name: "Templates", path: "Templates", resources: templateResources),
        .target(name: "BNNEmit", dependencies: ["BNNDesign", "BNNModel", "BNNDataflow", "Templates"]),
        .target(
            name: "BNNCommandLine",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNDataflow", "BNNEstimate", "BNNEmit", "BNNRandomModels"]),
        .executableTarget(name: "bnn-hls", dependencies: ["BNNCommandLine"]),
        .target(
            name: "BNNFuzz",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNEmit", "BNNCommandLine", "BNNRandomModels"]),
        .executableTarget(name: "bnn-hls-fuzz", dependencies: ["BNNFuzz"]),
        .target(
            name: "CXnorBench",
            cSettings: [.unsafeFlags(["-O3", "-march=native"])]),
        .executableTarget(
            name: "bnn-hls-bench",
            dependencies: ["BNNCommandLine", "BNNRandomModels", "CXnorBench"], swiftSettings: nativeCPU),
        .target(name: "BNNTestSupport", path: "Tests/Support"),
        .testTarget(name: "BNNModelTests", dependencies: ["BNNModel", "BNNTestSupport"]),
        .testTarget(name: "BNNReferenceTests", dependencies: ["BNNModel", "BNNReference"]),
        .testTarget(name: "BNNDesignTests", dependencies: ["BNNDesign", "BNNModel"]),
        .testTarget(name: "BNNSimulatorTests", dependencies: ["BNNDesign", "BNNModel", "BNNSimulator"]),
        .testTarget(name: "BNNRandomModelsTests", dependencies: ["BNNModel", "BNNRandomModels"]),
        .testTarget(name: "BNNFuzzTests", dependencies: ["BNNFuzz", "BNNModel"]),
        .testTarget(name: "BNNEmitTests", dependencies: ["BNNEmit", "BNNDesign", "BNNModel", "BNNDataflow", "BNNTestSupport"]),
        .testTarget(name: "BNNEstimateTests", dependencies: ["BNNEstimate", "BNNDataflow", "BNNCompiler", "BNNModel", "BNNDesign", "BNNCommandLine", "BNNRandomModels", "BNNTestSupport"]),
        .testTarget(
            name: "BNNCompilerTests",
            dependencies: ["BNNModel", "BNNReference", "BNNDesign", "BNNCompiler", "BNNSimulator", "BNNRandomModels"]),
        .testTarget(
            name: "BNNEndToEndTests",
            dependencies: ["BNNCommandLine", "BNNModel", "BNNReference", "BNNCompiler", "BNNSimulator", "BNNDataflow", "BNNEstimate", "BNNEmit", "BNNFuzz", "BNNRandomModels", "BNNTestSupport", "Templates"]),
    ]
)
