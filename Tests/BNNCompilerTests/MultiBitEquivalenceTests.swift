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
    typealias Options = RandomCodeNetworks.Options
    typealias Conv = RandomCodeNetworks.Conv

    static func mlpCases() -> [(String, Options)] {
        var cases: [(String, Options)] = []
        var w1a2 = Options(inputShape: .vector(37), sizes: [29, 17, 5])
        w1a2.activation = .quantize
        cases.append(("W1A2 MLP, quantize", w1a2))
        var w2a2 = Options(inputShape: .vector(24), sizes: [19, 13, 4])
        w2a2.denseBits = [2]
        w2a2.activation = .multithreshold
        w2a2.lastShift = true
        cases.append(("W2A2 MLP, multithreshold, last shift", w2a2))
        var eight = Options(inputShape: .vector(20), sizes: [16, 11, 3])
        eight.encoding = .uint8
        eight.zeroPoint = 9
        eight.scale = 0.0137
        eight.denseBits = [8, 2, 8]
        eight.mode = .argmax
        cases.append(("8-bit first and last layer, uint8, argmax", eight))
        var requant = Options(inputShape: .vector(18), sizes: [14, 9, 3])
        requant.encoding = .int8
        requant.zeroPoint = -3
        requant.scale = 0.021
        requant.inputQuantizers = 2
        requant.activation = .requantize
        requant.denseBits = [3, 1, 4]
        cases.append(("requantized input and activations, int8", requant))
        var mixed = Options(inputShape: .vector(33), sizes: [21, 30, 6])
        mixed.denseBits = [1, 2, 5]
        mixed.inputQuantizers = 1
        cases.append(("mixed activations, quantized bipolar input", mixed))
        var plain = Options(inputShape: .vector(26), sizes: [15, 4])
        plain.activation = .sign
        plain.denseBits = [2, 1]
        plain.chains = false
        plain.lastBatchnorm = false
        cases.append(("sign with 2-bit weights (codes of one bit)", plain))
        return cases
    }

    static func cnnCases() -> [(String, Options)] {
        var cases: [(String, Options)] = []
        var a = Options(inputShape: Shape3(height: 6, width: 6, channels: 2), sizes: [5])
        var a1 = Conv(filters: 4, kernel: Pair(3, 3))
        a1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        a1.padValue = .oddEven
        a1.pool = .maxBeforeQuantizer
        var a2 = Conv(filters: 5, kernel: Pair(2, 2))
        a2.weightBits = 2
        a2.pool = .maxAfterQuantizer
        a.convs = [a1, a2]
        a.activation = .quantize
        cases.append(("W1A2 CNN, odd_even padding, max-pools before and after", a))

        var b = Options(inputShape: Shape3(height: 7, width: 7, channels: 1), sizes: [6, 3])
        b.encoding = .uint8
        b.zeroPoint = 4
        b.scale = 0.019
        var b1 = Conv(filters: 5, kernel: Pair(3, 3))
        b1.weightBits = 8
        b1.padding = Padding(top: 1, bottom: 0, left: 2, right: 1)
        b1.padValue = -1
        b1.pool = .average
        b1.poolSize = Pair(3, 3)
        b1.poolStride = Pair(2, 2)
        var b2 = Conv(filters: 6, kernel: Pair(2, 2))
        b2.weightBits = 2
        b2.padding = Padding(top: 1, bottom: 1, left: 0, right: 1)
        b2.padValue = 0
        b.convs = [b1, b2]
        b.denseBits = [2, 8]
        b.activation = .multithreshold
        cases.append(("8-bit CNN, -1 border classes, 3x3 average pool, zero padding on codes", b))

        var c = Options(inputShape: Shape3(height: 4, width: 4, channels: 3), sizes: [4])
        var c1 = Conv(filters: 6, kernel: Pair(3, 3))
        c1.weightBits = 2
        c1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        c1.padValue = 1
        var c2 = Conv(filters: 7, kernel: Pair(1, 1))
        c2.weightBits = 2
        c2.pool = .average
        c2.poolSize = nil
        c.convs = [c1, c2]
        c.denseBits = [2]
        c.activation = .requantize
        c.lastShift = true
        cases.append(("W2A2 CNN, +1 padding, global average pool, requantization", c))

        var d = Options(inputShape: Shape3(height: 5, width: 5, channels: 2), sizes: [7, 3])
        d.inputQuantizers = 1
        d.unitInputQuantizer = true
        d.encoding = .int8
        d.zeroPoint = 2
        d.scale = 0.03
        var d1 = Conv(filters: 3, kernel: Pair(2, 2))
        d1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        d1.padValue = .oddEven
        d1.pool = .average
        d.convs = [d1]
        d.activation = .sign
        d.mode = .argmax
        cases.append(("quantized input, odd_even on codes, 2x2 average pool of signs", d))

        var e = Options(inputShape: Shape3(height: 6, width: 6, channels: 2), sizes: [5, 3])
        e.encoding = .uint8
        e.zeroPoint = 11
        e.scale = 0.013
        var e1 = Conv(filters: 5, kernel: Pair(3, 3))
        e1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        e1.padValue = 1
        e1.pool = .maxBeforeQuantizer
        var e2 = Conv(filters: 4, kernel: Pair(2, 2))
        e2.pool = .maxAfterQuantizer
        e.convs = [e1, e2]
        e.activation = .sign
        e.denseBits = [1, 2]
        cases.append(("8-bit input, 1-bit weights and sign (v1 thresholds with negated rows), +1 border classes", e))
        return cases
    }

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
        for (c, (name, options)) in (Self.mlpCases() + Self.cnnCases()).enumerated() {
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
                let network = random.network(options)
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
