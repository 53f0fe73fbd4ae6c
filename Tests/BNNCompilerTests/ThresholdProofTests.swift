import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import Foundation
import XCTest

/// Proves, neuron by neuron, that the integer threshold reproduces the float64 decision for
/// every reachable accumulator value: both sides evaluated over the whole range.
final class ThresholdProofTests: XCTestCase {
    /// Hardware side: the (possibly flipped) row's accumulator against its threshold. Reference
    /// side: the float64 chain on the exact sum of the original row.
    func proveAllNeurons(_ network: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        let stages = try Pipeline(file: "test.json").run(network)
        for (g, group) in stages.fused.groups.enumerated() {
            let layer = stages.integer.layers[g]
            guard let thresholds = layer.thresholds else { continue }
            let k = layer.inputs
            for j in 0..<layer.outputs {
                let ranges: ClosedRange<Int>
                switch layer.inputKind {
                case .binary:
                    ranges = 0...k
                case .maskedBinary:
                    ranges = -k...k
                case .integer(_, _, let zp):
                    // Reachable sums of this (hardware) row: each term +-(q - zp) over q's range.
                    let values = network.input.encoding.valueRange
                    let (low, high) = (values.lowerBound - zp, values.upperBound - zp)
                    let positives = (0..<k).filter { layer.weights[j, $0] }.count
                    let negatives = k - positives
                    ranges = (positives * low - negatives * high)...(positives * high - negatives * low)
                case .codes:
                    return XCTFail("\(layer.label): a version-1 group reads codes", file: file, line: line)
                }
                for acc in ranges {
                    // The original row's accumulator for this hardware accumulator.
                    let original: Int
                    let sum: Double
                    switch layer.inputKind {
                    case .binary:
                        original = layer.flipped[j] ? k - acc : acc
                        sum = Double(2 * original - k)
                    case .maskedBinary:
                        original = layer.flipped[j] ? -acc : acc
                        sum = Double(original)
                    case .integer, .codes:
                        original = layer.flipped[j] ? -acc : acc
                        sum = network.input.scale * Double(original)
                    }
                    var y = group.affine(sum, unit: j)
                    if let bn = group.batchnorm { y = bn.apply(y, channel: j) }
                    let reference = ReferenceMath.sign(y, offset: group.sign?.offset[j] ?? 0)
                    let hardware = acc >= thresholds[j]
                    if reference != hardware {
                        XCTFail("\(layer.label) neuron \(j), acc \(acc): reference \(reference), threshold \(thresholds[j]) gives \(hardware)", file: file, line: line)
                        return
                    }
                }
            }
        }
    }

    func testRandomBipolarNetworks() throws {
        for seed in 1...6 {
            var random = RandomNetworks(seed: UInt64(seed))
            try proveAllNeurons(random.network(.init(sizes: [random.int(1...70), random.int(1...40), random.int(1...33), 3])))
        }
    }

    func testRandomEightBitInputWithZeroPoint() throws {
        for (seed, encoding) in [(11, InputEncoding.uint8), (12, .int8), (13, .uint8)] {
            var random = RandomNetworks(seed: UInt64(seed))
            var options = RandomNetworks.Options(sizes: [random.int(1...12), random.int(1...20), 4])
            options.encoding = encoding
            options.zeroPoint = encoding == .uint8 ? random.int(0...255) : random.int(-128...127)
            options.scale = random.uniform() * 0.05 + 0.001
            try proveAllNeurons(random.network(options))
        }
    }

    /// Convolutions: popcount, masked (zero-padded) and 8-bit domains.
    func testRandomConvolutions() throws {
        var random = RandomNetworks(seed: 21)
        var options = RandomNetworks.Options(sizes: [0, 3])
        options.inputShape = Shape3(height: 5, width: 5, channels: 3)
        var masked = RandomNetworks.ConvSpec(filters: 6, kernel: Pair(3, 3))
        masked.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        var plain = RandomNetworks.ConvSpec(filters: 5, kernel: Pair(2, 2))
        plain.padValue = 1
        plain.padding = Padding(top: 1, bottom: 0, left: 0, right: 0)
        options.convs = [masked, plain]
        try proveAllNeurons(random.network(options))
        options.encoding = .uint8
        options.zeroPoint = 128
        options.scale = 0.01
        try proveAllNeurons(random.network(options))
    }

    /// Every neuron of every example model, over its whole reachable range (version-2 models
    /// by `MultiBitThresholdProofTests`' proof of the layers that read codes, residual graphs'
    /// joins and requantizations by `JoinThresholdProofTests`').
    func testEveryNeuronOfTheExamples() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples")
        let models = (FileManager.default.enumerator(atPath: examples.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("expected_accuracy.json") }.sorted()
        XCTAssertFalse(models.isEmpty)
        var proved = 0
        for model in models {
            let network = try ModelLoader().load(path: examples.appendingPathComponent(model).path)
            if network.version == 2 {
                var count = try MultiBitThresholdProofTests.proveNetwork(network)
                // Residual graphs: every join and requantization, over every shortcut code.
                let design = try Pipeline(file: model).compile(network)
                if !design.isChain { count += try JoinThresholdProofTests.proveNodes(design, network, model).pairs }
                XCTAssertGreaterThan(count, 0, model)
            } else {
                try proveAllNeurons(network)
            }
            proved += 1
        }
        XCTAssertGreaterThan(proved, 0)
    }

    /// Thresholds that land exactly on an integer: the float64 value is exactly 0 at a reachable
    /// sum, where sign(0) = +1 must fire.
    func testThresholdOnExactInteger() throws {
        // s = 2p - 4 for 4 inputs; bias -2 makes y = s - 2 = 0 exactly at p = 3.
        let weights = SignMatrix(rows: 1, columns: 4, isPositive: [true, true, true, true])
        let net = network([
            .dense(Dense(weights: weights, bias: [-2], alpha: [1])), .sign(Sign(offset: [0])),
            .dense(Dense(weights: SignMatrix(rows: 2, columns: 1, isPositive: [true, false]), bias: [0, 0], alpha: [1, 1])),
        ], inputs: 4)
        let stages = try Pipeline(file: "t.json").run(net)
        XCTAssertEqual(stages.integer.layers[0].thresholds, [3])
        try proveAllNeurons(net)
    }

    /// float64 and real arithmetic disagree: 3 * 0.1 - 0.30000000000000004 is exactly 0 in
    /// float64 (so sign gives +1 at s = 3) but negative in real numbers, and the closed form
    /// ceil(0.30000000000000004 / 0.1) = 4 would miss s = 3. The search must follow float64.
    func testThresholdFollowsFloat64RoundingNotRealArithmetic() throws {
        XCTAssertEqual(3 * 0.1 - 0.30000000000000004, 0)
        let weights = SignMatrix(rows: 1, columns: 5, isPositive: Array(repeating: true, count: 5))
        let net = network([
            .dense(Dense(weights: weights, bias: [-0.30000000000000004], alpha: [0.1])), .sign(Sign(offset: [0])),
            .dense(Dense(weights: SignMatrix(rows: 2, columns: 1, isPositive: [true, false]), bias: [0, 0], alpha: [1, 1])),
        ], inputs: 5)
        // s = 2p - 5 = 3 at p = 4 agreeing bits.
        XCTAssertEqual(try Pipeline(file: "t.json").run(net).integer.layers[0].thresholds, [4])
        try proveAllNeurons(net)
    }

    /// gamma*alpha < 0 flips the row; gamma = 0 and alpha = 0 make constant outputs, saturated
    /// to "always" or "never".
    func testNegativeZeroAndSaturatedScales() throws {
        let weights = SignMatrix(rows: 4, columns: 3, isPositive: Array(repeating: true, count: 12))
        let bn = BatchNorm(gamma: [-1, 0, 0, 1], beta: [0, 0.5, -0.5, 100], mean: [0, 0, 0, 0], variance: [1, 1, 1, 1], eps: 0)
        let net = network([
            .dense(Dense(weights: weights, bias: [0.5, 0, 0, 0], alpha: [1, 1, 1, 1])), .batchnorm(bn), .sign(Sign(offset: [0, 0, 0, 0])),
            .dense(Dense(weights: SignMatrix(rows: 2, columns: 4, isPositive: Array(repeating: true, count: 8)), bias: [0, 0], alpha: [1, 1])),
        ], inputs: 3)
        let layer = try Pipeline(file: "t.json").run(net).integer.layers[0]
        XCTAssertEqual(layer.flipped, [true, false, false, false])
        // Neuron 1: beta 0.5 -> always +1 (threshold 0); neuron 2: always -1 (threshold MW + 1 = 4);
        // neuron 3: beta 100 -> always +1.
        XCTAssertEqual(Array(layer.thresholds?[1...] ?? []), [0, 4, 0])
        try proveAllNeurons(net)
    }

    private func network(_ kinds: [LayerKind], inputs: Int) -> Network {
        var shape = Shape3.vector(inputs)
        var layers: [Layer] = []
        for (i, kind) in kinds.enumerated() {
            var output = shape
            if case .dense(let d) = kind { output = .vector(d.units) }
            layers.append(Layer(index: i, name: nil, kind: kind, inputShape: shape, outputShape: output))
            shape = output
        }
        return Network(name: "t", input: InputSpec(shape: .vector(inputs), encoding: .bipolar), layers: layers, outputMode: .logits, labels: nil)
    }
}
