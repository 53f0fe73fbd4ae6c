import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import BNNSimulator
import XCTest

/// Version 2, non-residual: the simulated design equals the float64 reference bit for bit
/// (every logit and prediction) on random inputs, for seeded random W1A2 / W2A2 MLPs and CNNs
/// over several foldings, including PE and SIMD that divide nothing.
final class MultiBitEquivalenceTests: XCTestCase {
    /// Default, serial, fully parallel and non-dividing foldings.
    static func foldings(_ integer: IntegerNetwork) -> [FoldingRequest] {
        let serial = integer.layers.map { ($0.foldKey, Folding(pe: 1, simd: 1)) }
        let parallel = integer.layers.map { ($0.foldKey, Folding(pe: $0.outputs, simd: $0.inputs)) }
        let odd = integer.layers.map { layer in
            (layer.foldKey, Folding(pe: max(1, layer.outputs - 1), simd: min(layer.inputs, (layer.window?.input.channels ?? layer.inputs) / 2 + 1)))
        }
        return [FoldingRequest(), FoldingRequest(entries: serial), FoldingRequest(entries: parallel), FoldingRequest(entries: odd)]
    }

    static func inputs(_ network: Network, count: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        let range = network.input.encoding.valueRange
        return (0..<(count * network.input.shape.count)).map { _ in
            network.input.encoding == .bipolar ? (rng.next() & 1 == 1 ? 1 : -1) : range.lowerBound + Int(rng.next() % UInt64(range.count))
        }
    }

    /// Simulator logits and predictions == reference, bit for bit; returns how many distinct
    /// predictions the reference made (so a test can see the network is not degenerate).
    @discardableResult
    static func check(_ network: Network, _ design: Design, count: Int, seed: UInt64, _ name: String) throws -> Int {
        let x = inputs(network, count: count, seed: seed)
        let n = network.input.shape.count
        let result = Simulator(design: design).run(x, count: count)
        let reference = ReferenceNetwork(network)
        var classes = Set<Int>()
        for i in 0..<count {
            let want = try reference.evaluate(Array(x[(i * n)..<((i + 1) * n)]))
            classes.insert(want.prediction)
            if !design.output.isArgmax {
                XCTAssertEqual(result.logits(i).map(\.bitPattern), want.logits.map(\.bitPattern), "\(name) \(design.layers.map(\.folding)) input \(i)")
            }
            XCTAssertEqual(result.prediction(i), want.prediction, "\(name) \(design.layers.map(\.folding)) input \(i)")
            if result.prediction(i) != want.prediction { return classes.count }
        }
        return classes.count
    }

    func testRandomMultiBitNetworksAcrossFoldings() throws {
        for (c, testCase) in RandomCodeNetworks.cases().enumerated() {
            let name = testCase.name
            var predicted = 0
            var codes = 0
            defer {
                // Not degenerate: the hidden layers use several codes and the networks tell
                // classes apart.
                XCTAssertGreaterThan(codes, 1, name)
                XCTAssertGreaterThan(predicted, 1, name)
                print("\(name): up to \(predicted) classes predicted, \(codes) distinct hidden codes")
            }
            for seed in 0..<4 {
                var random = RandomCodeNetworks(seed: UInt64(1000 * c + seed))
                let network = random.network(testCase.options)
                let stages = try Pipeline(file: "random.json").run(network)
                let integer = stages.integer
                let sample = Simulator(design: stages.design).run(Self.inputs(network, count: 60, seed: 9), count: 60)
                codes = max(codes, sample.stageCodes.map { Set($0).count }.max() ?? 0, sample.stageBits.contains { !$0.isEmpty } ? 2 : 0)
                for request in Self.foldings(integer) {
                    let design = try Pipeline(file: "random.json", folding: request).compile(network)
                    predicted = max(predicted, try Self.check(network, design, count: 60, seed: UInt64(seed), "\(name) seed \(seed)"))
                }
            }
        }
    }
}
