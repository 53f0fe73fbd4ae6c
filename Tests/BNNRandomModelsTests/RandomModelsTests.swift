import BNNModel
import BNNRandomModels
import Foundation
import XCTest

/// The shared random models: the published SplitMix64 sequence, the tensor encoding, and the
/// shapes the bench and the tests rely on.
final class RandomModelsTests: XCTestCase {
    func testSplitMix64MatchesThePublishedSequence() {
        // Vigna's reference splitmix64.c from state 0.
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual([rng.next(), rng.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4])
    }

    func testADrawOfOneConsumesNothing() {
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        XCTAssertEqual(a.int(3...3), 3)
        XCTAssertEqual(a.below(1), 0)
        XCTAssertEqual(a.pick(["only"]), "only")
        XCTAssertEqual(a.next(), b.next())
        for _ in 0..<200 {
            XCTAssertTrue((0..<1).contains(a.uniform()))
            XCTAssertTrue((-2...4).contains(a.int(-2...4)))
        }
    }

    func testBipolarBitsAndBase64Text() {
        // +1 at 0, 2, 8: byte 0 = 0b101, byte 1 = 0b1.
        let bytes = TensorText.bipolar([true, false, true, false, false, false, false, false, true])
        XCTAssertEqual(bytes, [0x05, 0x01])
        XCTAssertEqual(TensorText.bytes([1, -1, 0.5, -0.0], dtype: "bipolar"), [0x0D])
        XCTAssertEqual(TensorText.bytes([300, -300, -1.7], dtype: "int8"), [0x7F, 0x80, 0xFF])
        XCTAssertEqual(TensorText.bytes([1], dtype: "float32"), [0, 0, 0x80, 0x3F])
        XCTAssertEqual(TensorText.base64(shape: [3, 3], dtype: "bipolar", bytes: bytes),
                       #"{"shape": [3, 3], "dtype": "bipolar", "base64": "BQE="}"#)
    }

    func testBenchModelsHaveTheirTopologies() throws {
        let lfc = try ModelLoader().load(bytes: BenchmarkModels.lfcJSON(sizes: [784, 1024, 1024, 10], seed: 7), file: "lfc.json")
        XCTAssertEqual(lfc.layers.compactMap { if case .dense(let d) = $0.kind { d.weights.rows } else { nil } }, [1024, 1024, 10])
        let cnv = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11), file: "cnv.json")
        // 32 -> 30 -> 28 -> pool 14 -> 12 -> 10 -> pool 5 -> 3 -> 1, then 512, 512, 10.
        let convs = cnv.layers.filter { if case .conv2d = $0.kind { true } else { false } }
        XCTAssertEqual(convs.map { [$0.outputShape.height, $0.outputShape.channels] },
                       [[30, 64], [28, 64], [12, 128], [10, 128], [3, 256], [1, 256]])
        XCTAssertEqual(cnv.layers.last?.outputShape.count, 10)
        XCTAssertEqual(BenchmarkModels.cnvJSON(seed: 11), BenchmarkModels.cnvJSON(seed: 11))
        XCTAssertNotEqual(BenchmarkModels.cnvJSON(seed: 11), BenchmarkModels.cnvJSON(seed: 12))
    }

    /// CNV-W1A2 (the bench's): 1-bit weights (their signs) under the same 2-bit quantizers.
    func testW1A2CNVHasSignWeights() throws {
        let cnv = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11, weightBits: 1, activationBits: 2), file: "cnv_w1a2.json")
        XCTAssertEqual(cnv.version, 2)
        let convs = cnv.layers.compactMap { if case .conv2d(let c) = $0.kind { c } else { nil } }
        XCTAssertEqual(convs.map(\.weightBits), Array(repeating: 1, count: 6))
        let quantizers = cnv.layers.compactMap { if case .quantize(let q) = $0.kind { q.bits } else { nil } }
        XCTAssertEqual(quantizers, Array(repeating: 2, count: 8))
    }

    /// CNV-W2A2: version 2, the same shapes, 2-bit (ternary) weights, a 2-bit quantizer per group.
    func testMultiBitCNVHasItsTopology() throws {
        let cnv = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11, weightBits: 2, activationBits: 2), file: "cnv_w2a2.json")
        XCTAssertEqual(cnv.version, 2)
        let convs = cnv.layers.compactMap { if case .conv2d(let c) = $0.kind { c } else { nil } }
        XCTAssertEqual(convs.map(\.filters), [64, 64, 128, 128, 256, 256])
        XCTAssertEqual(convs.map(\.weightBits), Array(repeating: 2, count: 6))
        XCTAssertTrue(convs.allSatisfy { $0.integerWeights.map { m in (0..<m.rows).allSatisfy { r in (0..<m.columns).allSatisfy { (-1...1).contains(m[r, $0]) } } } ?? false })
        let quantizers = cnv.layers.compactMap { if case .quantize(let q) = $0.kind { q.bits } else { nil } }
        XCTAssertEqual(quantizers, Array(repeating: 2, count: 8))
        XCTAssertEqual(cnv.layers.last?.outputShape.count, 10)
    }

    func testRandomNetworksFollowTheirOptions() {
        var options = RandomNetworks.Options(sizes: [0, 5, 3])
        var conv = RandomNetworks.ConvSpec(filters: 4, kernel: Pair(3, 3))
        conv.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        conv.padValue = -1
        conv.pool = Pair(2, 2)
        options.convs = [conv]
        options.inputShape = Shape3(height: 6, width: 6, channels: 2)
        options.encoding = .uint8
        options.zeroPoint = 7
        options.flatten = .chw
        options.leadingSign = false
        var random = RandomNetworks(seed: 3)
        let network = random.network(options)
        XCTAssertEqual(network.input.encoding, .uint8)
        XCTAssertEqual(network.input.zeroPoint, 7)
        // conv (6x6x4 with padding 1), batchnorm, sign, pool 3x3x4, flatten 36, dense 5, bn, sign, dense 3, bn.
        XCTAssertEqual(network.layers.map(\.outputShape.count), [144, 144, 144, 36, 36, 5, 5, 5, 3, 3])
        guard case .conv2d(let c) = network.layers[0].kind else { return XCTFail("\(network.layers[0].kind)") }
        XCTAssertEqual(c.padValue, -1)
        var again = RandomNetworks(seed: 3)
        XCTAssertEqual(again.network(options).layers.map(\.name), network.layers.map(\.name))
    }
}
