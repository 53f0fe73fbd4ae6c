import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNModel
import BNNReference
import BNNSimulator
import Foundation
import XCTest

/// Examples/digits_cnn_a2's trained W1A2 and W2A2 models (version 2): the Swift loader reads
/// them and the float64 reference predicts, on the 360 test images, exactly what the training
/// script's numpy inference predicted (recorded in expected_accuracy.json); the compiled
/// designs simulate to the reference's logits bit for bit.
final class MultiBitExamplesTests: XCTestCase {
    func testReferencePredictsWhatTheTrainingCodePredicted() throws {
        let inputs = TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy")
        for example in ["w1a2", "w2a2"] {
            let folder = TestPaths.inRepo("Examples/digits_cnn_a2/\(example)")
            let network = try ModelLoader().load(path: folder + "/model.json")
            let batch = try InputBatch.load(path: inputs, for: network)
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/expected_accuracy.json"))
            let expected = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["test_predictions"] as? [Int])
            XCTAssertEqual(batch.count, 360, example)
            XCTAssertEqual(expected.count, batch.count, example)
            let reference = ReferenceNetwork(network)
            var predictions: [Int] = []
            for i in 0..<batch.count {
                predictions.append(argmax(try reference.evaluate(batch.frame(i)).logits))
            }
            XCTAssertEqual(predictions, expected, example)
        }
    }

    func testCompiledDesignsSimulateToTheReference() throws {
        let inputs = TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy")
        for example in ["w1a2", "w2a2"] {
            let folder = TestPaths.inRepo("Examples/digits_cnn_a2/\(example)")
            let network = try ModelLoader().load(path: folder + "/model.json")
            let batch = try InputBatch.load(path: inputs, for: network)
            let reference = ReferenceNetwork(network)
            let expected = try (0..<batch.count).map { i throws(ReferenceError) in try reference.evaluate(batch.frame(i)) }
            for fold in [FoldingRequest(), FoldingRequest(entries: [("conv1", Folding(pe: 3, simd: 1)), ("conv2", Folding(pe: 5, simd: 7)), ("fc3", Folding(pe: 4, simd: 9))])] {
                let design = try Pipeline(file: "model.json", folding: fold).compile(network)
                // The second folding on a prefix of the images, to keep the test short.
                let count = fold.entries.isEmpty ? batch.count : 60
                let result = Simulator(design: design).run(Array(batch.values.prefix(count * network.input.shape.count)), count: count, threads: 2)
                for i in 0..<count {
                    XCTAssertEqual(result.logits(i).map(\.bitPattern), expected[i].logits.map(\.bitPattern), "\(example) image \(i)")
                    XCTAssertEqual(result.prediction(i), expected[i].prediction, "\(example) image \(i)")
                }
            }
        }
    }

    /// `verify` compares every hidden code with the reference's value: it passes on the
    /// compiled W2A2 design and names the first layer whose codes a damaged threshold changes.
    func testVerifierChecksHiddenCodes() throws {
        let network = try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_cnn_a2/w2a2/model.json"))
        let all = try InputBatch.load(path: TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy"), for: network)
        let batch = InputBatch(count: 40, elements: all.elements, values: Array(all.values.prefix(40 * all.elements)))
        var design = try Pipeline(file: "model.json").compile(network)
        XCTAssertEqual(try Verifier(network: network, design: design).run(batch).failedInputs, 0)
        guard case .multiThreshold(var rom) = design.layers[0].activation else { return XCTFail("conv1 has no multi-threshold") }
        // Neuron 0 never reaches its top level.
        rom.values[rom.levels - 1] = Int(Int32.max)
        design.layers[0].activation = .multiThreshold(rom)
        let report = try Verifier(network: network, design: design).run(batch)
        XCTAssertGreaterThan(report.failedInputs, 0)
        XCTAssertTrue(report.mismatches.first?.place.hasPrefix("layers[3] (pool1) neuron ") ?? false, "\(report.mismatches.first.map(\.description) ?? "none")")
    }
}
