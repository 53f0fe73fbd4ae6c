import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNEstimate
import BNNModel
import XCTest

/// The optimizer as the folding pass's strategy: it prices the network before packing, the
/// pipeline packs once with its answer, and `--fold` layers keep their folding.
final class OptimizingStrategyTests: XCTestCase {
    /// The geometry read off the integer network is the one read off the packed design, for
    /// every example (8-bit inputs with border classes, convolutions, pools, argmax endings).
    func testGeometryBeforePackingMatchesThePackedDesign() throws {
        for model in ["digits_mlp/model.json", "digits_cnn/model.json", "digits_cnn/model_argmax.json", "larq_digits/model.json", "torch_digits/model.json",
                      "digits_cnn_a2/w1a2/model.json", "digits_cnn_a2/w2a2/model.json"] {
            let network = try ModelLoader().load(path: TestModels.repo.appendingPathComponent("Examples/" + model).path)
            let stages = try Pipeline(file: model).run(network)
            let before = NetworkGeometry(stages.integer)
            let after = NetworkGeometry(design: stages.design)
            XCTAssertEqual(before.layers, after.layers, model)
            XCTAssertEqual(before.output, after.output, model)
            XCTAssertEqual(before.binarizerThresholdType, after.binarizerThresholdType, model)
            XCTAssertEqual(before.binarizerLevels, after.binarizerLevels, model)
        }
    }

    func testPipelinePacksTheStrategysFoldingKeepingPinnedLayers() throws {
        let network = try ModelLoader().load(path: TestModels.digitsCNN)
        let request = FoldingRequest(entries: [("conv1", Folding(pe: 2, simd: 1))])
        let strategy = OptimizingStrategy(goal: .maximumThroughput, budget: ResourceBudget(lanes: 64), clockNs: 10)
        let stages = try Pipeline(file: "cnn.json", folding: request, strategy: strategy).run(network)
        let result = try XCTUnwrap(stages.choice?.details as? OptimizationResult)
        XCTAssertEqual(stages.design.layers.map(\.folding), result.foldings)
        XCTAssertEqual(stages.design.layers[0].folding, Folding(pe: 2, simd: 1))
        XCTAssertLessThanOrEqual(result.estimate.lanes, 64)
        // The optimizer's estimate is the packed design's.
        XCTAssertEqual(DesignEstimate(design: stages.design, clockNs: 10).bottleneckCycles, result.estimate.bottleneckCycles)
        XCTAssertEqual(DesignEstimate(design: stages.design, clockNs: 10).totals, result.estimate.totals)
    }
}
