import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator
import BNNTestSupport
import Foundation
import XCTest

/// Examples/digits_residual: a trained residual BNN (two ReActNet-style blocks with 2-bit
/// shortcuts, global average pooling, 8-bit first and last layers). The float64 reference
/// predicts what the training script recorded; the compiled design simulates to the reference's
/// logits bit for bit; the generated project passes its testbench and the threaded bounded-FIFO
/// run (`make csim-threaded`) with the emitted depths, at the Swift cycle model's cycles, and
/// the threaded run detects the deadlock when a shortcut FIFO is cut.
final class ResidualExampleTests: XCTestCase {
    static let folder = TestPaths.inRepo("Examples/digits_residual")

    static func load() throws -> (network: Network, batch: InputBatch) {
        let network = try ModelLoader().load(path: folder + "/model.json")
        let batch = try InputBatch.load(path: TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy"), for: network)
        return (network, batch)
    }

    /// On the 360 test images: the reference predicts what the training script recorded, and the
    /// compiled design simulates to the reference's logits bit for bit (the reference runs once:
    /// it is the slow part in a debug build); every hidden code agrees on a prefix (`Verifier`).
    func testReferenceAndCompiledDesignAgreeWithTheTrainingCode() throws {
        let (network, batch) = try Self.load()
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/expected_accuracy.json"))
        let expected = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["test_predictions"] as? [Int])
        XCTAssertEqual(batch.count, 360)
        let reference = ReferenceNetwork(network)
        let outputs = try (0..<batch.count).map { i throws(ReferenceError) in try reference.evaluate(batch.frame(i)) }
        XCTAssertEqual(outputs.map { argmax($0.logits) }, expected)

        let design = try Pipeline(file: "model.json").compile(network)
        let result = Simulator(design: design).run(batch.values, count: batch.count, threads: 2)
        for i in 0..<batch.count {
            XCTAssertEqual(result.logits(i).map(\.bitPattern), outputs[i].logits.map(\.bitPattern), "image \(i)")
        }
        let prefix = InputBatch(count: 40, elements: batch.elements, values: Array(batch.values.prefix(40 * batch.elements)))
        XCTAssertEqual(try Verifier(network: network, design: design).run(prefix).failedInputs, 0)
    }

    /// The generated project on the first 40 test images: its testbench (sequential C-sim) and
    /// the threaded run over FIFOs of the emitted depths pass, and the threaded run's completion
    /// cycles equal the Swift cycle model's (`ThreadedCSimTests.assertCyclesAgree`); with a
    /// shortcut cut to depth 8 (both need 48, measured) it reports a deadlock.
    func testGeneratedProjectPassesTestbenchAndThreadedRun() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let (network, all) = try Self.load()
        let project = GeneratedProjectTests.Project(name: "digits_residual", network: network, folding: FoldingRequest(), vectors: 40)
        let batch = InputBatch(count: project.vectors, elements: all.elements, values: Array(all.values.prefix(project.vectors * all.elements)))
        let root = try TestPaths.temporaryDirectory("residual-example")
        defer { try? FileManager.default.removeItem(at: root) }
        let design = try Pipeline(file: "model.json").compile(network)
        let vectors = try Verifier(network: network, design: design).testVectors(batch)
        for generated in try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: "model.json")) {
            let url = root.appendingPathComponent(generated.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(generated.contents).write(to: url)
        }
        let top = try String(contentsOfFile: root.path + "/src/\(network.cName).cpp", encoding: .utf8)
        XCTAssertTrue(top.contains("bnn::JoinThresholds"), "the top has join stages")
        XCTAssertTrue(top.contains("bnn::Duplicate"), "the top duplicates the shortcut codes")
        let testbench = try runProcess("make", ["-s", "HLS_INCLUDE=\(include)"], in: root.path)
        XCTAssertEqual(testbench.status, 0, String(testbench.output.suffix(3000)))
        XCTAssertTrue(testbench.output.contains("\(project.vectors) passed, 0 failed"), String(testbench.output.suffix(2000)))
        let threaded = try runProcess("make", ["-s", "csim-threaded", "HLS_INCLUDE=\(include)"], in: root.path)
        XCTAssertEqual(threaded.status, 0, String(threaded.output.suffix(3000)))
        XCTAssertTrue(threaded.output.contains("\(project.vectors) passed, 0 failed"), String(threaded.output.suffix(2000)))
        try ThreadedCSimTests.assertCyclesAgree(threaded.output, project)
        // Both shortcuts cut far below what the long branch holds back: the threaded run
        // reports the deadlock (exit 3) where sequential C-sim would pass.
        for shortcut in ["shortcut0", "shortcut1"] {
            let cut = try runProcess("./build/\(network.cName)_tb_threaded", ["vectors"], in: root.path, environment: ["BNN_CSIM_DEPTHS": "\(shortcut)=8"])
            XCTAssertEqual(cut.status, 3, "\(shortcut)=8: \(cut.output.suffix(2000))")
            XCTAssertTrue(cut.output.contains("DEADLOCK"), String(cut.output.suffix(2000)))
        }
    }
}
