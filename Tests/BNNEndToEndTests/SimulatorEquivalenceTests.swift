import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import BNNSimulator
import BNNTestSupport
import XCTest

/// Reference == simulator, on every hidden neuron, class sum, logit and prediction, for seeded
/// random MLPs covering the format's corners, each over several foldings.
final class SimulatorEquivalenceTests: XCTestCase {
    static func cases() -> [(String, RandomNetworks.Options)] {
        var cases: [(String, RandomNetworks.Options)] = []
        cases.append(("bipolar odd sizes", .init(sizes: [67, 45, 33, 7])))
        var wide = RandomNetworks.Options(sizes: [140, 130, 10])
        wide.mode = .argmax
        cases.append(("bipolar wide words, argmax", wide))
        var uint8 = RandomNetworks.Options(sizes: [30, 24, 5])
        uint8.encoding = .uint8
        uint8.zeroPoint = 17
        uint8.scale = 0.0123
        cases.append(("uint8 with zero point", uint8))
        var int8 = RandomNetworks.Options(sizes: [18, 20, 12, 3])
        int8.encoding = .int8
        int8.zeroPoint = -5
        int8.scale = 0.031
        int8.mode = .argmax
        cases.append(("int8 with zero point, argmax", int8))
        var leading = RandomNetworks.Options(sizes: [48, 16, 4])
        leading.encoding = .uint8
        leading.leadingSign = true
        leading.inputShape = Shape3(height: 4, width: 4, channels: 3)
        leading.flatten = .chw
        cases.append(("leading sign on uint8, CHW flatten", leading))
        var bipolarSign = RandomNetworks.Options(sizes: [12, 9, 2])
        bipolarSign.leadingSign = true
        cases.append(("leading sign on bipolar", bipolarSign))
        var plain = RandomNetworks.Options(sizes: [64, 64, 10])
        plain.bias = false
        plain.alpha = false
        plain.lastBatchnorm = false
        plain.mode = .argmax
        cases.append(("plain, integer argmax", plain))
        var single = RandomNetworks.Options(sizes: [20, 6])
        single.encoding = .uint8
        single.zeroPoint = 3
        cases.append(("single uint8 layer", single))
        return cases + cnnCases()
    }

    /// Small CNNs: zero / +1 / -1 / asymmetric padding, stride 2, 1x1 and 5x5 kernels, pools in
    /// every position (with negative gammas), odd channel counts, single-channel 8-bit input.
    static func cnnCases() -> [(String, RandomNetworks.Options)] {
        typealias Conv = RandomNetworks.ConvSpec
        var cases: [(String, RandomNetworks.Options)] = []
        var a = RandomNetworks.Options(sizes: [0, 4])
        a.inputShape = Shape3(height: 6, width: 7, channels: 3)
        var c1 = Conv(filters: 5, kernel: Pair(3, 3))
        c1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        c1.pool = Pair(2, 2)
        a.convs = [c1]
        a.flatten = .chw
        cases.append(("cnn zero padding, pool after sign, CHW", a))

        var b = RandomNetworks.Options(sizes: [0, 6, 3])
        b.inputShape = Shape3(height: 8, width: 8, channels: 1)
        b.encoding = .uint8
        b.zeroPoint = 3
        b.scale = 0.02
        var b1 = Conv(filters: 6, kernel: Pair(3, 3))
        b1.padding = Padding(top: 1, bottom: 0, left: 0, right: 2)
        b1.pool = Pair(2, 2)
        b1.poolPosition = .beforeBatchnorm
        let b2 = Conv(filters: 7, kernel: Pair(1, 1))
        b.convs = [b1, b2]
        cases.append(("cnn uint8 single channel, pool before batchnorm, 1x1", b))

        var c = RandomNetworks.Options(sizes: [0, 5])
        c.inputShape = Shape3(height: 9, width: 9, channels: 2)
        var c1b = Conv(filters: 4, kernel: Pair(5, 5))
        c1b.stride = Pair(2, 2)
        c1b.padding = Padding(top: 1, bottom: 0, left: 2, right: 1)
        c1b.padValue = 1
        c1b.pool = Pair(3, 3)
        c1b.poolStride = Pair(2, 1)
        c1b.poolPosition = .beforeSign
        c.convs = [c1b]
        c.mode = .argmax
        cases.append(("cnn 5x5 stride 2, +1 asymmetric padding, pool before sign", c))

        var d = RandomNetworks.Options(sizes: [0, 4])
        d.inputShape = Shape3(height: 5, width: 6, channels: 4)
        d.encoding = .int8
        d.zeroPoint = -7
        d.scale = 0.05
        var d1 = Conv(filters: 3, kernel: Pair(3, 3))
        d1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        d1.stride = Pair(2, 2)
        var d2 = Conv(filters: 9, kernel: Pair(2, 2))
        d2.padding = Padding(top: 0, bottom: 1, left: 1, right: 0)
        d2.padValue = -1
        d2.pool = Pair(2, 1)
        d2.poolPosition = .beforeBatchnorm
        d.convs = [d1, d2]
        d.flatten = .hwc
        cases.append(("cnn int8 zero-point padding, -1 padding, pool before batchnorm", d))

        var e = RandomNetworks.Options(sizes: [0, 3])
        e.inputShape = Shape3(height: 4, width: 5, channels: 3)
        var e1 = Conv(filters: 2, kernel: Pair(1, 1))
        e1.padding = Padding(top: 0, bottom: 2, left: 1, right: 0)
        e1.stride = Pair(2, 2)
        e.convs = [e1]
        cases.append(("cnn 1x1 with zero padding only windows", e))
        return cases
    }

    /// Foldings to try for a network: default, fully serial, the most parallel ones, divisors
    /// in between, and padded ones (PE and SIMD that divide nothing, SIMD above a convolution's
    /// channels).
    static func foldings(_ integer: IntegerNetwork) -> [FoldingRequest] {
        let serial = integer.layers.map { ($0.foldKey, Folding(pe: 1, simd: 1)) }
        let parallel = integer.layers.map { ($0.foldKey, Folding(pe: $0.outputs, simd: $0.inputs)) }
        let odd = integer.layers.map {
            ($0.foldKey, Folding(pe: Divisors.of($0.outputs).dropLast().last ?? 1,
                                 simd: Divisors.of($0.window?.input.channels ?? $0.inputs).dropFirst().first ?? 1))
        }
        return [FoldingRequest(), FoldingRequest(entries: serial), FoldingRequest(entries: parallel), FoldingRequest(entries: odd),
                FoldingRequest(entries: padded(integer))]
    }

    /// PE one short of MH (a last neuron fold of one real row), SIMD just over half of MW, or
    /// one more than a convolution's channels: padding wherever the sizes allow.
    static func padded(_ integer: IntegerNetwork) -> [(String, Folding)] {
        integer.layers.map { layer in
            let channels = layer.window?.input.channels ?? layer.inputs
            let simd = layer.window != nil && channels < layer.inputs ? channels + 1 : layer.inputs / 2 + 1
            return (layer.foldKey, Folding(pe: max(1, layer.outputs - 1), simd: min(simd, layer.inputs)))
        }
    }

    func testRandomNetworksAcrossFoldings() throws {
        for (seed, (name, options)) in Self.cases().enumerated() {
            var random = RandomNetworks(seed: UInt64(100 + seed))
            let network = random.network(options)
            let integer = try Pipeline(file: "random.json").run(network).integer
            for request in Self.foldings(integer) {
                let design = try Pipeline(file: "random.json", folding: request).compile(network)
                let report = try Verifier(network: network, design: design).run(
                    InputBatch.random(count: 150, for: network, seed: UInt64(seed)), threads: 2)
                XCTAssertEqual(report.failedInputs, 0, "\(name), \(design.layers.map(\.folding)): \(report.mismatches)")
                XCTAssertEqual(report.checked, 150)
            }
        }
    }

    /// The bipolar-input edge: all-ones and all-minus-ones inputs, where popcounts saturate.
    func testExtremeInputs() throws {
        var random = RandomNetworks(seed: 5)
        let network = random.network(.init(sizes: [50, 30, 4]))
        let design = try Pipeline(file: "r.json").compile(network)
        let batch = InputBatch(count: 2, elements: 50, values: Array(repeating: 1, count: 50) + Array(repeating: -1, count: 50))
        XCTAssertEqual(try Verifier(network: network, design: design).run(batch).failedInputs, 0)
    }

    /// The spec's worked CNN (zero padding, pool before a batchnorm with mixed-sign gammas,
    /// CHW flatten, argmax): reference logits bit for bit, simulator == reference.
    func testSpecTinyCNN() throws {
        let (network, design) = try checkSpecExample("tiny_cnn", classes: 2)
        XCTAssertEqual(try Verifier(network: network, design: design).run(InputBatch.random(count: 300, for: network, seed: 4)).failedInputs, 0)
    }

    /// The spec's worked MLP: our reference reproduces the independently computed logits bit
    /// for bit, and the simulator agrees with it.
    func testSpecTinyMLP() throws {
        _ = try checkSpecExample("tiny_mlp", classes: 2)
    }

    /// Loads shared/spec/examples/`name`.json, checks our reference's logits against the
    /// independently computed `name`.expected_logits.npy bit for bit and the simulator against
    /// the reference on `name`.inputs.npy; returns the network and its design.
    private func checkSpecExample(_ name: String, classes: Int) throws -> (Network, Design) {
        let base = TestPaths.sharedExamples + "/" + name
        try XCTSkipUnless(FileManager.default.fileExists(atPath: base + ".json"), "shared/spec/examples not beside the checkout")
        let network = try ModelLoader().load(path: base + ".json")
        let inputs = try InputBatch.load(path: base + ".inputs.npy", for: network)
        let expected = try NpyReader.read(Array(FileManager.default.contents(atPath: base + ".expected_logits.npy") ?? Data())).doubles()
        let reference = ReferenceNetwork(network)
        for i in 0..<inputs.count {
            let logits = try reference.evaluate(inputs.frame(i)).logits
            XCTAssertEqual(logits.map(\.bitPattern), expected[(i * classes)..<(i * classes + classes)].map(\.bitPattern), "input \(i)")
        }
        let design = try Pipeline(file: name + ".json").compile(network)
        XCTAssertEqual(try Verifier(network: network, design: design).run(inputs).failedInputs, 0)
        return (network, design)
    }
}
