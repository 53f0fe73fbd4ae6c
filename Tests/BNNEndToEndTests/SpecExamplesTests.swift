import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator
import Foundation
import XCTest

/// The spec's five worked examples (two version 1, three version 2, `../shared/spec/examples`):
/// the reference reproduces their independently computed logits bit for bit.
final class SpecExamplesTests: XCTestCase {
    static let examples = ["tiny_mlp", "tiny_cnn", "tiny_w1a2", "tiny_w2a2_cnn", "tiny_residual"]

    func path(_ name: String) -> String { TestPaths.sharedExamples + "/" + name }

    func testReferenceReproducesExpectedLogits() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path("tiny_residual.json")), "shared/spec/examples not beside the checkout")
        for example in Self.examples {
            let network = try ModelLoader().load(path: path(example + ".json"))
            let inputs = try InputBatch.load(path: path(example + ".inputs.npy"), for: network)
            let expected = try NpyReader.read(Array(FileManager.default.contents(atPath: path(example + ".expected_logits.npy")) ?? Data())).doubles()
            let classes = network.classCount
            XCTAssertEqual(expected.count, inputs.count * classes, example)
            XCTAssertGreaterThan(inputs.count, 0, example)
            let reference = ReferenceNetwork(network)
            for i in 0..<inputs.count {
                let logits = try reference.evaluate(inputs.frame(i)).logits
                XCTAssertEqual(logits.map(\.bitPattern), expected[(i * classes)..<((i + 1) * classes)].map(\.bitPattern),
                               "\(example) input \(i): \(logits) vs \(Array(expected[(i * classes)..<((i + 1) * classes)]))")
            }
        }
    }

    /// Residual graphs (issue 13): `simulate` and `verify` run the example from the command line;
    /// `compile` writes the project (its g++ and threaded runs: ResidualHardwareTests).
    func testResidualExampleFromTheCommandLine() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path("tiny_residual.json")), "shared/spec/examples not beside the checkout")
        let scratch = try TestPaths.temporaryDirectory("spec-v2")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out").path
        let logits = scratch.appendingPathComponent("logits.npy").path
        let model = path("tiny_residual.json")
        let inputs = path("tiny_residual.inputs.npy")
        func run(_ args: [String]) -> (Int32, String, String) {
            var stdout = "", stderr = ""
            let status = CommandLineTool.run(args, print: { stdout += $0 + "\n" }, printError: { stderr += $0 + "\n" })
            return (status, stdout, stderr)
        }
        let (simulated, _, simulateErrors) = run(["simulate", model, "--inputs", inputs, "--output", logits])
        XCTAssertEqual(simulated, 0, simulateErrors)
        let expected = try NpyReader.read(Array(FileManager.default.contents(atPath: path("tiny_residual.expected_logits.npy")) ?? Data())).doubles()
        let written = try NpyReader.read(Array(FileManager.default.contents(atPath: logits) ?? Data())).doubles()
        XCTAssertEqual(written.map(\.bitPattern), expected.map(\.bitPattern))
        let (verified, verifyOutput, verifyErrors) = run(["verify", model, "--inputs", inputs])
        XCTAssertEqual(verified, 0, verifyErrors)
        XCTAssertTrue(verifyOutput.contains("agree on all 8 inputs"), verifyOutput)
        let (compiled, compileOutput, compileErrors) = run(["compile", model, "-o", out])
        XCTAssertEqual(compiled, 0, compileErrors)
        XCTAssertTrue(compileOutput.contains("estimate:"), compileOutput)
        let top = try String(contentsOfFile: out + "/src/tiny_residual.cpp", encoding: .utf8)
        XCTAssertTrue(top.contains("bnn::JoinThresholds<") && top.contains("bnn::Duplicate<") && top.contains("shortcut0"), top)
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## Shortcut FIFOs"), report)
        // The depth column of each shortcut's row in that section.
        let depths = ["shortcut0", "shortcut1"].map { stream in
            report.split(separator: "\n").first { $0.hasPrefix("| \(stream) |") }.map { $0.split(separator: "|")[4].trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(depths, ["9", "7"], report)
    }

    /// The version-2 examples compile (tiny_residual to a graph of nodes), and the simulated
    /// design reproduces the spec's independently computed logits bit for bit, over several foldings.
    func testVersion2ExamplesSimulateToExpectedLogits() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path("tiny_w1a2.json")), "shared/spec/examples not beside the checkout")
        for example in ["tiny_w1a2", "tiny_w2a2_cnn", "tiny_residual"] {
            let network = try ModelLoader().load(path: path(example + ".json"))
            let inputs = try InputBatch.load(path: path(example + ".inputs.npy"), for: network)
            let expected = try NpyReader.read(Array(FileManager.default.contents(atPath: path(example + ".expected_logits.npy")) ?? Data())).doubles()
            let classes = network.classCount
            for fold in [1, 2, 3] {
                let entries = network.layers.compactMap { layer -> (String, Folding)? in
                    guard let name = layer.name else { return nil }
                    switch layer.kind {
                    case .dense(let d): return (name, Folding(pe: min(fold, d.units), simd: min(fold, d.inputs)))
                    case .conv2d(let c): return (name, Folding(pe: min(fold, c.filters), simd: min(fold, c.weights.columns)))
                    default: return nil
                    }
                }
                let design = try Pipeline(file: example, folding: FoldingRequest(entries: entries)).compile(network)
                // verify: every hidden code and logit; version 2's testbench vectors carry the logits.
                let verifier = Verifier(network: network, design: design)
                XCTAssertEqual(try verifier.run(inputs).failedInputs, 0, example)
                for vector in try verifier.testVectors(inputs).expected {
                    guard case .logits(_, let logits) = vector else { return XCTFail("\(example): not logits") }
                    XCTAssertEqual(logits.count, classes, example)
                }
                let result = Simulator(design: design).run(inputs.values, count: inputs.count)
                XCTAssertGreaterThan(inputs.count, 0)
                for i in 0..<inputs.count {
                    XCTAssertEqual(result.logits(i).map(\.bitPattern), expected[(i * classes)..<((i + 1) * classes)].map(\.bitPattern),
                                   "\(example) fold \(fold) input \(i)")
                }
            }
        }
    }
}
