import BNNDesign
import BNNModel
import BNNSimulator
import XCTest

/// The simulator on tiny designs built by hand (weights written into FINN's ROM layout), against
/// outputs worked out by hand from the spec's sums.
final class HandBuiltDesignTests: XCTestCase {
    /// A ROM for `rows` (+1 = true) in FINN's layout: row r at bank r % PE, address
    /// (r / PE) * SF + c / SIMD, lane c % SIMD.
    static func rom(_ rows: [[Bool]], _ folding: Folding) -> WeightROM {
        let sf = folding.synapseFold(inputs: rows[0].count)
        var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: folding.neuronFold(outputs: rows.count) * sf)
        for (r, row) in rows.enumerated() {
            for (c, positive) in row.enumerated() where positive {
                rom.setBit(bank: r % folding.pe, address: (r / folding.pe) * sf + c / folding.simd, lane: c % folding.simd)
            }
        }
        return rom
    }

    static func signs(_ values: [Int]) -> [Bool] { values.map { $0 > 0 } }

    /// Bipolar 4 -> 2 (thresholds) -> 2 (accumulators). Binary accumulators count agreeing bits.
    static func mlp(output: OutputStage) -> Design {
        let hiddenFolding = Folding(pe: 2, simd: 2)
        let hidden = MvauStage(
            layerIndices: [0, 1, 2], label: "fc1", key: "fc1", inputs: 4, outputs: 2, folding: hiddenFolding, inputKind: .binary,
            weights: rom([signs([1, 1, -1, 1]), signs([-1, -1, -1, 1])], hiddenFolding),
            // Neuron 0 fires at 2 agreeing bits or more, neuron 1 at 3 or more: bank n % 2, address 0.
            activation: .thresholds(ThresholdROM(pe: 2, depth: 1, values: [2, 3])),
            accumulatorType: IntegerType(holding: 0...4))
        let lastFolding = Folding(pe: 1, simd: 1)
        let last = MvauStage(
            layerIndices: [3], label: "fc2", key: "fc2", inputs: 2, outputs: 2, folding: lastFolding, inputKind: .binary,
            weights: rom([signs([1, -1]), signs([-1, 1])], lastFolding), activation: .accumulator,
            accumulatorType: IntegerType(holding: 0...2))
        return Design(name: "tiny", input: DesignInput(encoding: .bipolar, count: 4, channels: 4, scale: 1, zeroPoint: 0),
                      binarizer: nil, layers: [hidden, last], output: output, labels: nil)
    }

    /// sum = 2 * acc - MW (MW = 2), logit = sum.
    static let sumMaps = Array(repeating: LogitMap(accScale: 2, accOffset: -2, inputScale: 1, alpha: 1, bias: 0, batchnorm: nil), count: 2)

    func testBinaryMLPByHand() {
        // x = [+1, -1, +1, +1]: neuron 0 (+ + - +) agrees at 0 and 3 (2 >= 2: fires), neuron 1
        // (- - - +) at 1 and 3 (2 < 3: does not). Hidden [+1, -1]: class 0 (+ -) agrees twice,
        // class 1 (- +) never: accumulators [2, 0], sums [2, -2].
        // x = all -1: neuron 0 agrees once (no), neuron 1 three times (fires); hidden [-1, +1]:
        // accumulators [0, 2], sums [-2, 2].
        let design = Self.mlp(output: .logits(maps: Self.sumMaps))
        let result = Simulator(design: design).run([1, -1, 1, 1, -1, -1, -1, -1], count: 2)
        XCTAssertEqual(result.count, 2)
        XCTAssertEqual(result.accumulators(0), [2, 0])
        XCTAssertEqual(result.accumulators(1), [0, 2])
        XCTAssertEqual(result.sums(0), [2, -2])
        XCTAssertEqual(result.logits(1), [-2, 2])
        XCTAssertEqual([result.prediction(0), result.prediction(1)], [0, 1])
        XCTAssertEqual((0..<2).map { result.bit(stage: 0, image: 0, neuron: $0, neurons: 2) }, [true, false])
        XCTAssertEqual((0..<2).map { result.bit(stage: 0, image: 1, neuron: $0, neurons: 2) }, [false, true])
    }

    func testEveryInputAgainstTheDefinition() {
        // Every 4-bit input, against agreement counts taken straight from the weights above, and
        // split over three workers.
        let hiddenRows = [[1, 1, -1, 1], [-1, -1, -1, 1]], thresholds = [2, 3], lastRows = [[1, -1], [-1, 1]]
        func agreements(_ w: [Int], _ x: [Int]) -> Int { zip(w, x).filter { $0 == $1 }.count }
        let inputs = (0..<16).map { n in (0..<4).map { (n >> $0) & 1 == 1 ? 1 : -1 } }
        let design = Self.mlp(output: .argmaxOfAccumulators(maps: Self.sumMaps))
        let one = Simulator(design: design).run(inputs.flatMap { $0 }, count: 16)
        for (image, x) in inputs.enumerated() {
            let hidden = zip(hiddenRows, thresholds).map { agreements($0, x) >= $1 ? 1 : -1 }
            let acc = lastRows.map { agreements($0, hidden) }
            XCTAssertEqual((0..<2).map { one.bit(stage: 0, image: image, neuron: $0, neurons: 2) ? 1 : -1 }, hidden, "input \(x)")
            XCTAssertEqual(one.accumulators(image), acc, "input \(x)")
            // A tie goes to the lowest index.
            XCTAssertEqual(one.prediction(image), acc[1] > acc[0] ? 1 : 0, "input \(x)")
        }
        XCTAssertEqual(Simulator(design: design).run(inputs.flatMap { $0 }, count: 16, threads: 3).accumulators, one.accumulators)
    }

    func testEightBitInputSubtractsTheZeroPoint() {
        // uint8 input, zero point 10, one neuron with weights (+1, -1, -1): acc = sum +-(q - 10).
        // q = (13, 4, 10): 3 - (-6) - 0 = 9; q = (0, 255, 7): -10 - 245 - (-3) = -252.
        let folding = Folding(pe: 1, simd: 2)
        let stage = MvauStage(
            layerIndices: [0], label: "fc1", key: "fc1", inputs: 3, outputs: 1, folding: folding,
            inputKind: .integer(bits: 8, isSigned: false, zeroPoint: 10),
            weights: Self.rom([Self.signs([1, -1, -1])], folding), activation: .accumulator,
            accumulatorType: IntegerType(holding: -765...765))
        let map = LogitMap(accScale: 1, accOffset: 0, inputScale: 0.5, alpha: 1, bias: 0, batchnorm: nil)
        let design = Design(name: "eight", input: DesignInput(encoding: .uint8, count: 3, channels: 3, scale: 0.5, zeroPoint: 10),
                            binarizer: nil, layers: [stage], output: .logits(maps: [map]), labels: nil)
        let result = Simulator(design: design).run([13, 4, 10, 0, 255, 7], count: 2)
        XCTAssertEqual(result.accumulators, [9, -252])
        XCTAssertEqual(result.logits(0), [4.5])
        XCTAssertEqual(result.logits(1), [-126])
    }

    func testConvolutionWithPoolByHand() {
        // 3x3x1 bipolar image, one 2x2 filter (+ + / - +), window columns (ky, kx, c) c fastest,
        // fires at 3 agreeing taps or more; a 2x2 OR pool; then one input to 2 classes (+, -).
        let convFolding = Folding(pe: 1, simd: 4), lastFolding = Folding(pe: 1, simd: 1)
        let conv = MvauStage(
            layerIndices: [0, 1, 2, 3], label: "conv1", key: "conv1", inputs: 4, outputs: 1, folding: convFolding, inputKind: .binary,
            weights: Self.rom([Self.signs([1, 1, -1, 1])], convFolding), activation: .thresholds(ThresholdROM(pe: 1, depth: 1, values: [3])),
            accumulatorType: IntegerType(holding: 0...4),
            window: SlidingWindowStage(input: Shape3(height: 3, width: 3, channels: 1), kernel: Pair(2, 2), stride: Pair(1, 1),
                                       padding: Padding(top: 0, bottom: 0, left: 0, right: 0), pad: .constant(0)),
            pool: PoolStage(label: "pool1", layerIndex: 3, input: Shape3(height: 2, width: 2, channels: 1), pool: Pair(2, 2),
                            stride: Pair(2, 2), andChannels: [false]))
        let last = MvauStage(
            layerIndices: [4], label: "fc1", key: "fc1", inputs: 1, outputs: 2, folding: lastFolding, inputKind: .binary,
            weights: Self.rom([[true], [false]], lastFolding), activation: .accumulator, accumulatorType: IntegerType(holding: 0...1))
        let map = LogitMap(accScale: 2, accOffset: -1, inputScale: 1, alpha: 1, bias: 0, batchnorm: nil)
        let design = Design(name: "conv", input: DesignInput(encoding: .bipolar, count: 9, channels: 1, scale: 1, zeroPoint: 0),
                            binarizer: nil, layers: [conv, last], output: .logits(maps: [map, map]), labels: nil)
        // Image 0 (+ - + / - + + / + + -): the windows agree with the filter at 3, 2, 2, 2 taps,
        // so only the top-left pixel fires and the pool outputs +1: accumulators [1, 0].
        // Image 1 (all -1): every window agrees at 1 tap, nothing fires: [0, 1].
        let images = [[1, -1, 1, -1, 1, 1, 1, 1, -1], Array(repeating: -1, count: 9)]
        let result = Simulator(design: design).run(images.flatMap { $0 }, count: 2)
        XCTAssertEqual(result.accumulators, [1, 0, 0, 1])
        XCTAssertEqual(result.sums(0), [1, -1])
    }
}
