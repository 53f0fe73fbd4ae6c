import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEstimate
import BNNModel
import BNNRandomModels
import BNNReference
import BNNTestSupport
import XCTest

/// pad_value +1/-1 on a convolution reading 8-bit input: the sum is `scale * A + P` rounded once
/// (P from the padded taps), which the compiler reproduces with thresholds per border class.
/// Reference == simulator on random networks over many foldings and inputs.
final class EightBitPaddingTests: XCTestCase {
    /// Random 8-bit-input CNNs whose first convolution is +-1-padded: symmetric and asymmetric
    /// padding, stride 2, uint8 and int8 with odd zero points, scales 0.1, 1/3, 1/16, 3.7,
    /// negative gammas and alphas (RandomNetworks draws them), a max-pool before the batchnorm.
    static func cases() -> [(String, RandomNetworks.Options)] {
        typealias Conv = RandomNetworks.ConvSpec
        var cases: [(String, RandomNetworks.Options)] = []

        var a = RandomNetworks.Options(sizes: [0, 4])
        a.inputShape = Shape3(height: 6, width: 7, channels: 3)
        a.encoding = .uint8
        a.zeroPoint = 17
        a.scale = 0.1
        var a1 = Conv(filters: 6, kernel: Pair(3, 3))
        a1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        a1.padValue = 1
        a.convs = [a1]
        a.flatten = .chw
        cases.append(("uint8 +1 symmetric, scale 0.1", a))

        var b = RandomNetworks.Options(sizes: [0, 5, 3])
        b.inputShape = Shape3(height: 9, width: 8, channels: 2)
        b.encoding = .int8
        b.zeroPoint = -3
        b.scale = 1.0 / 3
        var b1 = Conv(filters: 7, kernel: Pair(3, 4))
        b1.padding = Padding(top: 2, bottom: 0, left: 1, right: 3)
        b1.padValue = -1
        b1.stride = Pair(2, 2)
        b.convs = [b1]
        cases.append(("int8 -1 asymmetric, stride 2, scale 1/3", b))

        var c = RandomNetworks.Options(sizes: [0, 3])
        c.inputShape = Shape3(height: 8, width: 8, channels: 1)
        c.encoding = .uint8
        c.zeroPoint = 129
        c.scale = 1.0 / 16
        var c1 = Conv(filters: 5, kernel: Pair(5, 5))
        c1.padding = Padding(top: 2, bottom: 1, left: 0, right: 2)
        c1.padValue = 1
        c1.pool = Pair(2, 2)
        c1.poolPosition = .beforeBatchnorm
        let c2 = Conv(filters: 4, kernel: Pair(2, 2))
        c.convs = [c1, c2]
        c.mode = .argmax
        cases.append(("uint8 +1 5x5, pool before batchnorm, scale 1/16", c))

        var d = RandomNetworks.Options(sizes: [0, 4])
        d.inputShape = Shape3(height: 7, width: 5, channels: 4)
        d.encoding = .int8
        d.zeroPoint = 5
        d.scale = 3.7
        var d1 = Conv(filters: 9, kernel: Pair(3, 3))
        d1.padding = Padding(top: 1, bottom: 2, left: 2, right: 1)
        d1.padValue = -1
        d1.stride = Pair(2, 1)
        d1.pool = Pair(2, 1)
        d1.poolPosition = .beforeBatchnorm
        d.convs = [d1]
        d.flatten = .hwc
        cases.append(("int8 -1, stride 2x1, pool before batchnorm, scale 3.7", d))
        return cases
    }

    /// Uniform random frames, plus frames pushed towards the encoding's ends (every value low,
    /// every value high, or a mix), so sums reach far from the middle of their range.
    static func inputs(for network: Network, seed: UInt64) -> InputBatch {
        let uniform = InputBatch.random(count: 100, for: network, seed: seed)
        var rng = SplitMix64(seed: seed &+ 1)
        let range = network.input.encoding.valueRange
        let n = network.input.shape.count
        var values = uniform.values
        for frame in 0..<60 {
            let spread = [4, 40, 255][frame % 3]
            for _ in 0..<n {
                let end = (frame / 3) % 2 == 0 ? range.lowerBound : range.upperBound - spread
                values.append(end + Int(rng.next() % UInt64(spread + 1)))
            }
        }
        return InputBatch(count: 160, elements: n, values: values)
    }

    func testRandomNetworksAcrossFoldings() throws {
        for (seed, (name, options)) in Self.cases().enumerated() {
            var random = RandomNetworks(seed: UInt64(700 + seed))
            let network = random.network(options)
            let integer = try Pipeline(file: "random.json").run(network).integer
            XCTAssertNotNil(integer.layers[0].border, name)
            for request in SimulatorEquivalenceTests.foldings(integer) {
                let design = try Pipeline(file: "random.json", folding: request).compile(network)
                let report = try Verifier(network: network, design: design).run(Self.inputs(for: network, seed: UInt64(seed)), threads: 2)
                XCTAssertEqual(report.failedInputs, 0, "\(name), \(design.layers.map(\.folding)): \(report.mismatches)")
                XCTAssertEqual(report.checked, 160)
            }
        }
    }

    /// Every output pixel, every channel, every accumulator the pixel's real taps can reach:
    /// the hardware decision (the pixel's class from the design's tables, the possibly negated
    /// row's accumulator against that class's threshold) equals the float64 chain on
    /// `scale * A + P`, with the padded taps and P found here from the geometry.
    func testEveryReachableSumOfEveryPixelAndChannel() throws {
        for (seed, (name, options)) in Self.cases().enumerated() {
            var random = RandomNetworks(seed: UInt64(700 + seed))
            let network = random.network(options)
            let stages = try Pipeline(file: "random.json").run(network)
            let group = stages.fused.groups[0]
            let layer = stages.integer.layers[0]
            guard case .conv2d(let conv) = network.layers[0].kind, let border = layer.border,
                  let thresholds = layer.classThresholds else { return XCTFail(name) }
            let input = network.layers[0].inputShape
            let output = network.layers[0].outputShape
            let values = network.input.encoding.valueRange
            let (low, high) = (values.lowerBound - network.input.zeroPoint, values.upperBound - network.input.zeroPoint)
            var checked = 0
            for oy in 0..<output.height {
                for ox in 0..<output.width {
                    let k = border.classOf(pixel: oy * output.width + ox)
                    for j in 0..<conv.filters {
                        var (positives, negatives, pad) = (0, 0, 0)
                        for ky in 0..<conv.kernel.height {
                            for kx in 0..<conv.kernel.width {
                                let y = oy * conv.stride.height + ky - conv.padding.top
                                let x = ox * conv.stride.width + kx - conv.padding.left
                                let inside = y >= 0 && y < input.height && x >= 0 && x < input.width
                                for c in 0..<conv.inputChannels {
                                    let positive = conv.weights[j, conv.column(ky: ky, kx: kx, c: c)]
                                    if !inside { pad += positive ? conv.padValue.value(row: y, column: x) : -conv.padValue.value(row: y, column: x) }
                                    else if positive { positives += 1 }
                                    else { negatives += 1 }
                                }
                            }
                        }
                        for a in (positives * low - negatives * high)...(positives * high - negatives * low) {
                            let s = Double(pad).addingProduct(network.input.scale, Double(a))
                            var y = ReferenceMath.affine(s, alpha: conv.alpha[j], bias: conv.bias[j])
                            if let bn = group.batchnorm { y = bn.apply(y, channel: j) }
                            let reference = ReferenceMath.sign(y, offset: group.sign?.offset[j] ?? 0)
                            let acc = layer.flipped[j] ? -a : a
                            if (acc >= thresholds[k][j]) != reference {
                                return XCTFail("\(name): pixel (\(oy), \(ox)) class \(k) channel \(j) A \(a): reference \(reference), threshold \(thresholds[k][j])")
                            }
                            checked += 1
                        }
                    }
                }
            }
            XCTAssertGreaterThan(checked, 10_000, name)
        }
    }

    /// A 3x3 image, one 3x3 filter of all +1 weights, padding 1 with +1, scale 0.25, batchnorm
    /// (mean 10, var 1, eps 0, gamma 1, beta 0). At a corner 5 taps are padding (P = 5) and 4
    /// real, at an edge P = 3, in the middle P = 0; the decision is `0.25 * A + P - 10 >= 0`,
    /// exactly 0 (sign(0) = +1 fires) at A = 4 * (10 - P): 20, 28 and 40. Negating gamma
    /// turns each into `A <= 4 * (10 - P)`, also firing at equality (the row is negated:
    /// thresholds -20, -28, -40 on -A).
    func testThresholdsLandExactlyOnReachableSums() throws {
        for gamma in [1.0, -1.0] {
            let network = Self.latticeNetwork(gamma: gamma)
            let stages = try Pipeline(file: "lattice.json").run(network)
            let layer = stages.integer.layers[0]
            guard let border = layer.border, let thresholds = layer.classThresholds else {
                return XCTFail("no border classes")
            }
            let corner = border.classOf(pixel: 0)
            let edge = border.classOf(pixel: 1)
            let middle = border.classOf(pixel: 4)
            XCTAssertEqual(border.count, 9)
            XCTAssertEqual(layer.flipped, [gamma < 0])
            let expected = gamma > 0 ? [20, 28, 40] : [-20, -28, -40]
            XCTAssertEqual([thresholds[corner][0], thresholds[edge][0], thresholds[middle][0]], expected)

            // The reference decides so at and next to the corner's boundary: the corner (0,0)
            // sees pixels (0,0), (0,1), (1,0), (1,1).
            let reference = ReferenceNetwork(network)
            for a in [19, 20, 21] {
                var image = [Int](repeating: 0, count: 9)
                for p in [0, 1, 3, 4] { image[p] = a / 4 }
                image[0] += a % 4
                let out = try reference.evaluate(image).layerOutputs[2][0]
                XCTAssertEqual(out == 1, gamma > 0 ? a >= 20 : a <= 20, "corner A = \(a)")
            }
            // And the simulator matches the reference on frames at and beside every boundary.
            let design = try Pipeline(file: "lattice.json").compile(network)
            let batch = InputBatch(count: 6, elements: 9, values: [
                5, 5, 0, 5, 5, 0, 0, 0, 0, 4, 5, 0, 5, 5, 0, 0, 0, 0,  // corner (0,0): A = 20, 19
                5, 5, 5, 5, 4, 4, 4, 4, 4, 5, 5, 5, 4, 4, 4, 4, 4, 4,  // middle: 40, 39
                5, 5, 5, 5, 4, 4, 0, 0, 0, 5, 5, 5, 4, 4, 4, 0, 0, 0,  // edge (0,1): 28, 27
            ])
            let report = try Verifier(network: network, design: design).run(batch)
            XCTAssertEqual(report.failedInputs, 0, "\(report.mismatches)")
        }
    }

    /// The estimate counts a threshold per neuron and border class, and the class tables: the
    /// lattice layer (1 neuron, 3 x 3 classes, 3 output rows and columns) against the same
    /// network zero-padded (one class, no tables).
    func testEstimateCountsThresholdsPerBorderClass() throws {
        func memories(_ network: Network) throws -> [MemoryShape] {
            let design = try Pipeline(file: "lattice.json").compile(network)
            let estimate = DesignEstimate(design: design, clockNs: 10)
            return estimate.stages.first { $0.stage.id == .mvau(layer: 0) }?.cost.memories ?? []
        }
        let padded = try memories(Self.latticeNetwork(gamma: 1))
        XCTAssertEqual(padded.first { $0.role == "thresholds" }?.depth, 9)
        XCTAssertEqual(padded.first { $0.role == "border classes" }?.depth, 6)
        var zero = Self.latticeNetwork(gamma: 1)
        if case .conv2d(var conv) = zero.layers[0].kind {
            conv.padValue = 0
            zero.layers[0].kind = .conv2d(conv)
        }
        let plain = try memories(zero)
        XCTAssertEqual(plain.first { $0.role == "thresholds" }?.depth, 1)
        XCTAssertNil(plain.first { $0.role == "border classes" })
    }

    static func latticeNetwork(gamma: Double) -> Network {
        let conv = Conv2D(weights: SignMatrix(rows: 1, columns: 9, isPositive: Array(repeating: true, count: 9)), inputChannels: 1,
                          kernel: Pair(3, 3), stride: Pair(1, 1), padding: Padding(top: 1, bottom: 1, left: 1, right: 1), padValue: 1,
                          bias: [0], alpha: [1])
        let image = Shape3(height: 3, width: 3, channels: 1)
        let bn = BatchNorm(gamma: [gamma], beta: [0], mean: [10], variance: [1], eps: 0)
        let dense = Dense(weights: SignMatrix(rows: 2, columns: 9, isPositive: (0..<18).map { $0 % 3 != 0 }), bias: [0, 0], alpha: [1, 1])
        let layers = [
            Layer(index: 0, name: "conv", kind: .conv2d(conv), inputShape: image, outputShape: image),
            Layer(index: 1, name: "bn", kind: .batchnorm(bn), inputShape: image, outputShape: image),
            Layer(index: 2, name: "sign", kind: .sign(Sign(offset: [0])), inputShape: image, outputShape: image),
            Layer(index: 3, name: "flat", kind: .flatten(Flatten(order: .hwc)), inputShape: image, outputShape: .vector(9)),
            Layer(index: 4, name: "fc", kind: .dense(dense), inputShape: .vector(9), outputShape: .vector(2)),
        ]
        return Network(name: "lattice", input: InputSpec(shape: image, encoding: .uint8, scale: 0.25, zeroPoint: 0),
                       layers: layers, outputMode: .logits, labels: nil)
    }
}
