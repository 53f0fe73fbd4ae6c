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
/// run (`make csim-threaded`) with the emitted depths, at the Swift cycle model's cycles.
final class ResidualExampleTests: XCTestCase {
    static let folder = TestPaths.inRepo("Examples/digits_residual")

    static func load() throws -> (network: Network, batch: InputBatch) {
        let network = try ModelLoader().load(path: folder + "/model.json")
        let batch = try InputBatch.load(path: TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy"), for: network)
        return (network, batch)
    }

    func testReferencePredictsWhatTheTrainingCodePredicted() throws {
        let (network, batch) = try Self.load()
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/expected_accuracy.json"))
        let expected = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["test_predictions"] as? [Int])
        XCTAssertEqual(batch.count, 360)
        let reference = ReferenceNetwork(network)
        let predictions = try (0..<batch.count).map { i throws(ReferenceError) in argmax(try reference.evaluate(batch.frame(i)).logits) }
        XCTAssertEqual(predictions, expected)
    }

    func testCompiledDesignSimulatesToTheReference() throws {
        let (network, batch) = try Self.load()
        let design = try Pipeline(file: "model.json").compile(network)
        let reference = ReferenceNetwork(network)
        let result = Simulator(design: design).run(batch.values, count: batch.count, threads: 2)
        for i in 0..<batch.count {
            let expected = try reference.evaluate(batch.frame(i))
            XCTAssertEqual(result.logits(i).map(\.bitPattern), expected.logits.map(\.bitPattern), "image \(i)")
        }
        XCTAssertEqual(try Verifier(network: network, design: design).run(batch).failedInputs, 0)
    }

    /// The generated project on the first 40 test images: its testbench (sequential C-sim) and
    /// the threaded run over FIFOs of the emitted depths pass, and the threaded run's completion
    /// cycles equal the Swift cycle model's (`ThreadedCSimTests.assertCyclesAgree`).
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
    }
}
