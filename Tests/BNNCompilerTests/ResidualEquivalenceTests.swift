import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import BNNSimulator
import XCTest

/// Residual graphs (issue 13): the simulated design equals the float64 reference bit for bit
/// (every logit and prediction) on the shared random residual cases, several seeds each, over
/// default, serial, fully parallel and non-dividing foldings.
final class ResidualEquivalenceTests: XCTestCase {
    func testRandomResidualNetworksAcrossFoldings() throws {
        let cases = RandomCodeNetworks.residualCases()
        XCTAssertGreaterThanOrEqual(cases.count, 5)
        for (c, testCase) in cases.enumerated() {
            var predicted = 0
            var joins = 0
            for seed in 0..<4 {
                var random = RandomCodeNetworks(seed: UInt64(2000 * (c + 1) + seed))
                let network = random.residualNetwork(testCase.options)
                let stages = try Pipeline(file: "residual.json").run(network)
                let design = stages.design
                XCTAssertFalse(design.isChain, testCase.name)
                joins = design.nodes.filter { $0.thresholdStage?.isJoin == true }.count
                for request in MultiBitEquivalenceTests.foldings(stages.integer) {
                    let folded = try Pipeline(file: "residual.json", folding: request).compile(network)
                    predicted = max(predicted, try MultiBitEquivalenceTests.check(network, folded, count: 40, seed: UInt64(seed), "\(testCase.name) seed \(seed)"))
                }
            }
            XCTAssertGreaterThan(joins, 0, testCase.name)
            print("\(testCase.name): \(joins) joins, up to \(predicted) classes predicted")
        }
    }

    /// An average pool whose window is not a power of two right before the last layer: the logit
    /// maps divide by its size (in the graph case and the chain case alike), bit-exact.
    func testAverageOfNineBeforeTheLastLayerDivides() throws {
        let graph = RandomCodeNetworks.residualCases().first { $0.id == "res_conv_downsample_gap" }
        let chain = RandomCodeNetworks.cases().first { $0.id == "cnn_global_average_divisor" }
        var random = RandomCodeNetworks(seed: 5)
        for network in [graph.map { random.residualNetwork($0.options) }, chain.map { random.network($0.options) }] {
            guard let network else { return XCTFail("case missing") }
            let design = try Pipeline(file: "divisor.json").compile(network)
            XCTAssertEqual(design.output.maps.map(\.divisor), Array(repeating: 9, count: design.classCount))
            try MultiBitEquivalenceTests.check(network, design, count: 50, seed: 3, network.name)
        }
    }
}
