import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNRandomModels
import BNNSimulator
import BNNTestSupport
import Foundation
import XCTest

/// The generated host driver (driver/bnn_driver.py) on its csim backend: every test network is
/// compiled with `--inputs`, its driver library built once (`make driver-lib`), and
/// Tests/driver/check_driver.py checks that `infer()` returns, bit for bit, what the float64
/// reference computed (vectors/expected.txt), what `bnn-hls simulate --output` writes and, for
/// the spec's examples, the spec's expected logits; and that bad inputs raise ValueError before
/// anything is sent.
final class DriverTests: XCTestCase {
    struct Case {
        var model: String
        var inputs: String
        var fold: String?
        var specLogits: String?
        /// A generated network (no model file): emitted through the API, its inputs and
        /// simulated outputs written as .npy beside the project (`emitGenerated`).
        var network: Network?
    }

    static func cases(scratch: URL) throws -> [(name: String, Case)] {
        let digits = TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy")
        let spec = TestPaths.sharedExamples
        // The multi-bit example has logits only: its argmax twin differs in name and mode.
        let w2a2 = TestPaths.inRepo("Examples/digits_cnn_a2/w2a2/model.json")
        var model = try String(contentsOfFile: w2a2, encoding: .utf8)
        XCTAssertTrue(model.contains("\"mode\": \"logits\"") && model.contains("\"name\": \"digits_cnn_w2a2\""))
        model = model.replacingOccurrences(of: "\"mode\": \"logits\"", with: "\"mode\": \"argmax\"")
            .replacingOccurrences(of: "\"name\": \"digits_cnn_w2a2\"", with: "\"name\": \"digits_cnn_w2a2_argmax\"")
        let w2a2Argmax = scratch.appendingPathComponent("w2a2_argmax.json").path
        try model.write(toFile: w2a2Argmax, atomically: true, encoding: .utf8)
        return [
            ("mlp_logits", Case(model: TestPaths.inRepo("Examples/digits_mlp/model.json"), inputs: digits)),
            // Several output words per frame with padding lanes, one 8-bit element per input word.
            ("mlp_logits_padded", Case(model: TestPaths.inRepo("Examples/digits_mlp/model.json"), inputs: digits, fold: "fc1=4x1,fc2=7x100,fc3=3x256")),
            ("mlp_argmax", Case(model: TestPaths.inRepo("Examples/digits_mlp/model_argmax.json"), inputs: digits)),
            ("cnn_logits", Case(model: TestPaths.inRepo("Examples/digits_cnn/model.json"), inputs: digits)),
            ("cnn_argmax", Case(model: TestPaths.inRepo("Examples/digits_cnn/model_argmax.json"), inputs: digits)),
            ("w2a2_logits", Case(model: w2a2, inputs: digits)),
            ("w2a2_argmax", Case(model: w2a2Argmax, inputs: digits)),
            // Bipolar input (1-bit lanes), and int8 input into a multi-bit CNN, against the spec's logits.
            ("tiny_cnn_bipolar", Case(model: "\(spec)/tiny_cnn.json", inputs: "\(spec)/tiny_cnn.inputs.npy", specLogits: "\(spec)/tiny_cnn.expected_logits.npy")),
            ("tiny_w2a2_int8", Case(model: "\(spec)/tiny_w2a2_cnn.json", inputs: "\(spec)/tiny_w2a2_cnn.inputs.npy", specLogits: "\(spec)/tiny_w2a2_cnn.expected_logits.npy")),
            // Residual graphs whose logit maps divide by 9 (a 3x3 average pool before the last layer).
            ("tiny_residual", Case(model: "\(spec)/tiny_residual.json", inputs: "\(spec)/tiny_residual.inputs.npy", specLogits: "\(spec)/tiny_residual.expected_logits.npy")),
            ("res_conv_downsample_gap", Case(model: "", inputs: scratch.appendingPathComponent("res_conv_downsample_gap.inputs.npy").path,
                                             network: try residualNetwork("res_conv_downsample_gap", seed: 903))),
        ]
    }

    static func residualNetwork(_ id: String, seed: UInt64) throws -> Network {
        guard let testCase = RandomCodeNetworks.residualCases().first(where: { $0.id == id }) else { throw XCTSkip("no residual case \(id)") }
        var random = RandomCodeNetworks(seed: seed)
        return random.residualNetwork(testCase.options, name: id)
    }

    /// What `compile --inputs` and `simulate --output` write for a model file, for a generated
    /// network: the project (expected outputs from the float64 reference), `inputs` (random
    /// frames as the model's encoding stores them) and DIR/simulated.npy.
    static func emitGenerated(_ network: Network, inputs: String, to dir: URL) throws {
        let design = try Pipeline(file: "\(network.name).json").compile(network)
        let batch = InputBatch.random(count: 24, for: network, seed: 17)
        let s = network.input.shape
        let files = try ProjectEmitter.emit(design, vectors: try Verifier(network: network, design: design).testVectors(batch),
                                            options: EmitOptions(modelFile: "\(network.name).json", inputShape: [s.height, s.width, s.channels]))
        for file in files {
            let url = dir.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents).write(to: url)
        }
        try writeInputs(batch, of: network, to: inputs)
        try writeSimulated(design, batch, to: dir.appendingPathComponent("simulated.npy").path)
    }

    /// `batch` as `[N, H, W, C]` in the model's encoding (int8 -1/+1 for bipolar), as infer() takes it.
    static func writeInputs(_ batch: InputBatch, of network: Network, to path: String) throws {
        let s = network.input.shape
        let shape = [batch.count, s.height, s.width, s.channels]
        let x = network.input.encoding == .uint8 ? NpyArray(shape: shape, uint8s: batch.values.map { UInt8($0) })
            : NpyArray(shape: shape, int8s: batch.values.map { Int8($0) })
        try Data(NpyWriter.write(x)).write(to: URL(fileURLWithPath: path))
    }

    /// What `simulate --output` writes for `batch`: float64 logits, or int64 classes in argmax mode.
    static func writeSimulated(_ design: Design, _ batch: InputBatch, to path: String) throws {
        let result = Simulator(design: design).run(batch.values, count: batch.count, threads: 1)
        let y = design.output.isArgmax ? NpyArray(shape: [batch.count], int64s: result.predictions.map(Int64.init))
            : NpyArray(shape: [batch.count, design.classCount], doubles: (0..<batch.count).flatMap { result.logits($0) })
        try Data(NpyWriter.write(y)).write(to: URL(fileURLWithPath: path))
    }

    static func bnnHLS(_ argv: [String]) -> (status: Int32, output: String) {
        var output = ""
        let status = CommandLineTool.run(argv, print: { output += $0 + "\n" }, printError: { output += $0 + "\n" })
        return (status, output)
    }

    func testDriverReproducesTheReferenceOnEveryTestNetwork() throws {
        let numpy = try? runProcess("python3", ["-c", "import numpy"])
        guard let numpy, numpy.status == 0 else { throw XCTSkip("python3 with numpy is not available") }
        let include = try GeneratedProjectTests.hlsInclude()
        let root = try TestPaths.temporaryDirectory("driver")
        defer { try? FileManager.default.removeItem(at: root) }
        let checker = TestPaths.inRepo("Tests/driver/check_driver.py")
        let cases = try Self.cases(scratch: root)
        var passed = 0
        for (name, c) in cases {
            let dir = root.appendingPathComponent(name).path
            let fold = c.fold.map { ["--fold", $0] } ?? []
            if let network = c.network {
                try Self.emitGenerated(network, inputs: c.inputs, to: root.appendingPathComponent(name))
            } else {
                let compile = Self.bnnHLS(["compile", c.model, "--inputs", c.inputs, "-o", dir] + fold)
                XCTAssertEqual(compile.status, 0, "\(name): \(compile.output)")
                let simulate = Self.bnnHLS(["simulate", c.model, "--inputs", c.inputs, "--output", "\(dir)/simulated.npy"] + fold)
                XCTAssertEqual(simulate.status, 0, "\(name): \(simulate.output)")
            }
            let build = try runProcess("make", ["-s", "driver-lib", "HLS_INCLUDE=\(include)"], in: dir)
            XCTAssertEqual(build.status, 0, "\(name): \(build.output.suffix(3000))")
            let check = try runProcess("python3", [checker, dir, c.inputs, "\(dir)/simulated.npy"] + (c.specLogits.map { [$0] } ?? []))
            XCTAssertEqual(check.status, 0, "\(name): \(check.output.suffix(3000))")
            XCTAssertTrue(check.output.hasPrefix("ok "), "\(name): \(check.output)")
            if check.status == 0 { passed += 1 }
        }
        XCTAssertEqual(passed, cases.count)
    }

    /// Network B: the digits MLP with other trained values (batchnorm means shifted, a third of the
    /// gammas negated, fc2's weight bits reversed): same topology and folding, other outputs.
    static func otherValues(of model: String, to path: String) throws {
        let script = """
            import base64, json, sys
            d = json.load(open(sys.argv[1]))
            d["name"] = d["name"] + "_b"
            for l in d["layers"]:
                if l["type"] == "batchnorm":
                    l["mean"] = [m + 1.5 for m in l["mean"]]
                    l["gamma"] = [-g if i % 3 == 0 else g for i, g in enumerate(l["gamma"])]
                if l["type"] == "dense" and l["name"] == "fc2":
                    l["weight"]["base64"] = base64.b64encode(base64.b64decode(l["weight"]["base64"])[::-1]).decode()
            json.dump(d, open(sys.argv[2], "w"))
            """
        let run = try runProcess("python3", ["-c", script, model, path])
        XCTAssertEqual(run.status, 0, run.output)
    }

    /// --runtime-weights: the driver loads B's weights file into A's design and reproduces B's
    /// float64 reference, then A's own again; bad files are refused before any word is sent.
    func testRuntimeWeightsSwapThroughTheDriver() throws {
        let numpy = try? runProcess("python3", ["-c", "import numpy"])
        guard let numpy, numpy.status == 0 else { throw XCTSkip("python3 with numpy is not available") }
        let include = try GeneratedProjectTests.hlsInclude()
        let root = try TestPaths.temporaryDirectory("driver-runtime")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = { (name: String) in root.appendingPathComponent(name).path }
        let a = TestPaths.inRepo("Examples/digits_mlp/model.json")
        let inputs = TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy")
        try Self.otherValues(of: a, to: path("b.json"))
        for argv in [["compile", a, "--runtime-weights", "--inputs", inputs, "-o", path("a")],
                     ["compile", path("b.json"), "--inputs", inputs, "-o", path("b")],
                     ["pack-weights", a, "-o", path("a.bin")], ["pack-weights", path("b.json"), "-o", path("b.bin")],
                     ["pack-weights", TestPaths.inRepo("Examples/digits_cnn/model.json"), "-o", path("other.bin")],
                     ["simulate", a, "--inputs", inputs, "--output", path("a.npy")],
                     ["simulate", path("b.json"), "--inputs", inputs, "--output", path("b.npy")]] {
            let r = Self.bnnHLS(argv)
            XCTAssertEqual(r.status, 0, "\(argv): \(r.output)")
        }
        let build = try runProcess("make", ["-s", "driver-lib", "HLS_INCLUDE=\(include)"], in: path("a"))
        XCTAssertEqual(build.status, 0, build.output.suffix(3000).description)
        let check = try runProcess("python3", [TestPaths.inRepo("Tests/driver/check_runtime_weights.py"), path("a"), inputs,
                                               path("a.bin"), path("a.npy"), path("b"), path("b.bin"), path("b.npy"), path("other.bin")])
        XCTAssertEqual(check.status, 0, check.output.suffix(3000).description)
        XCTAssertTrue(check.output.hasPrefix("ok "), check.output)
    }
}
