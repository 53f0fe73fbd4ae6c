import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNModel
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
        return cases
    }

    /// Foldings to try for a network: default, fully serial, and the most parallel legal ones.
    static func foldings(_ integer: IntegerNetwork) -> [FoldingRequest] {
        let serial = integer.layers.map { ($0.foldKey, Folding(pe: 1, simd: 1)) }
        let parallel = integer.layers.map { ($0.foldKey, Folding(pe: $0.outputs, simd: $0.inputs)) }
        let odd = integer.layers.map {
            ($0.foldKey, Folding(pe: ChooseFolding.divisors(of: $0.outputs).dropLast().last ?? 1,
                                 simd: ChooseFolding.divisors(of: $0.inputs).dropFirst().first ?? 1))
        }
        return [FoldingRequest(), FoldingRequest(entries: serial), FoldingRequest(entries: parallel), FoldingRequest(entries: odd)]
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

    /// The spec's worked MLP: our reference reproduces the independently computed logits bit
    /// for bit, and the simulator agrees with it.
    func testSpecTinyMLP() throws {
        let dir = TestPaths.sharedExamples
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir + "/tiny_mlp.json"), "shared/spec/examples not beside the checkout")
        let network = try ModelLoader().load(path: dir + "/tiny_mlp.json")
        let inputs = try InputBatch.load(path: dir + "/tiny_mlp.inputs.npy", for: network)
        let expected = try NpyReader.read(Array(FileManager.default.contents(atPath: dir + "/tiny_mlp.expected_logits.npy") ?? Data())).doubles()
        let reference = ReferenceNetwork(network)
        for i in 0..<inputs.count {
            let logits = try reference.evaluate(inputs.frame(i)).logits
            XCTAssertEqual(logits.map(\.bitPattern), expected[(i * 2)..<(i * 2 + 2)].map(\.bitPattern), "input \(i)")
        }
        let design = try Pipeline(file: "tiny_mlp.json").compile(network)
        XCTAssertEqual(try Verifier(network: network, design: design).run(inputs).failedInputs, 0)
    }
}
