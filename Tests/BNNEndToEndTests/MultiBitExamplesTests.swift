import BNNCommandLine
import BNNModel
import BNNReference
import Foundation
import XCTest

/// Examples/digits_cnn_a2's trained W1A2 and W2A2 models (version 2, not compilable yet): the
/// Swift loader reads them and the float64 reference predicts, on the 360 test images, exactly
/// what the training script's numpy inference predicted (recorded in expected_accuracy.json).
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
}
