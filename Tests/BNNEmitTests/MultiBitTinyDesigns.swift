import BNNDesign
import BNNModel

/// Small multi-bit designs built by hand (not compiled from a model), covering every stage the
/// version-2 designs add, with ROMs filled from a fixed seed.
enum MultiBitTinyDesigns {
    /// uint8 6x6x2 -> input quantizer (3 levels, 2-bit codes) -> 3x3 conv with odd-even padding
    /// (code 3 even, 0 odd), ternary weights, 4 filters, 3-level multi-thresholds (some falling)
    /// -> 2x2/2 max-pool over codes (min on channels 1 and 3) -> dense 36 -> 3 with 2-bit weights
    /// on 2-bit codes -> logits with a shift.
    static func w2a2Conv() -> Design {
        var draw = Draw(seed: 1)
        let window = SlidingWindowStage(input: Shape3(height: 6, width: 6, channels: 2), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .parity(even: 3, odd: 0))
        let pool = PoolStage(label: "layers[3] (pool0)", layerIndex: 3, input: Shape3(height: 6, width: 6, channels: 4), pool: Pair(2, 2),
                             stride: Pair(2, 2), andChannels: [false, true, false, true], kind: .max, bits: 2)
        let conv = MvauStage(layerIndices: [1, 2], label: "layers[1] (conv0)", key: "conv0", inputs: 18, outputs: 4,
                             folding: Folding(pe: 2, simd: 2), inputKind: .codes(bits: 2),
                             weights: draw.weights(rows: 4, columns: 18, folding: Folding(pe: 2, simd: 2), bits: 2, range: -1...1),
                             activation: .multiThreshold(draw.levels(neurons: 4, pe: 2, levels: 3, spread: 8)),
                             accumulatorType: IntegerType(bits: 8, isSigned: true), window: window, pool: pool)
        let dense = MvauStage(layerIndices: [4], label: "layers[4] (fc)", key: "fc", inputs: 36, outputs: 3, folding: Folding(pe: 3, simd: 4),
                              inputKind: .codes(bits: 2), weights: draw.weights(rows: 3, columns: 36, folding: Folding(pe: 3, simd: 4), bits: 2, range: -2...1),
                              activation: .accumulator, accumulatorType: IntegerType(bits: 9, isSigned: true))
        let binarizer = BinarizerStage(layerIndex: 0, label: "layers[0] (quant_in)", simd: 2, levelThresholds: [[60, 120, 200], [30, 128, 129]],
                                       thresholdType: IntegerType(bits: 9, isSigned: false))
        return Design(name: "w2a2_conv", input: DesignInput(encoding: .uint8, count: 72, channels: 2, scale: 1, zeroPoint: 0),
                      binarizer: binarizer, layers: [conv, dense], output: .logits(maps: maps(3, shift: true)), labels: nil)
    }

    /// int8 5x5x3 (zero point -2, padded with it) -> 3x3 conv with 8-bit weights, 5 filters at
    /// PE 2 (a padding row) and SIMD 9 (a converter after the window), 2-level thresholds by
    /// border class -> 2x2/1 sum pool of the 2-bit codes (4 bits) -> dense 80 -> 4 with 1-bit
    /// weights on 4-bit codes at SIMD 12, PE 3 (a repack drops the pool's padding lanes and pads
    /// the vectors) -> argmax of shifted float64 logits.
    static func int8SumPool() -> Design {
        var draw = Draw(seed: 2)
        let window = SlidingWindowStage(input: Shape3(height: 5, width: 5, channels: 3), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .constant(-2 & 0xff))
        let pool = PoolStage(label: "layers[2] (avgpool0)", layerIndex: 2, input: Shape3(height: 5, width: 5, channels: 5), pool: Pair(2, 2),
                             stride: Pair(1, 1), andChannels: Array(repeating: false, count: 5), kind: .sum, bits: 2)
        var levels = draw.levels(neurons: 5, pe: 2, levels: 2, spread: 30000, classes: BorderClasses(window: window).count)
        levels.border = BorderClasses(window: window)
        let conv = MvauStage(layerIndices: [0, 1], label: "layers[0] (conv0)", key: "conv0", inputs: 27, outputs: 5,
                             folding: Folding(pe: 2, simd: 9), inputKind: .integer(bits: 8, isSigned: true, zeroPoint: -2),
                             weights: draw.weights(rows: 5, columns: 27, folding: Folding(pe: 2, simd: 9), bits: 8, range: -128...127),
                             activation: .multiThreshold(levels), accumulatorType: IntegerType(bits: 20, isSigned: true), window: window, pool: pool)
        let dense = MvauStage(layerIndices: [3], label: "layers[3] (fc)", key: "fc", inputs: 80, outputs: 4, folding: Folding(pe: 3, simd: 12),
                              inputKind: .codes(bits: 4), weights: draw.weights(rows: 4, columns: 80, folding: Folding(pe: 3, simd: 12), bits: 1, range: -1...1),
                              activation: .accumulator, accumulatorType: IntegerType(bits: 12, isSigned: true))
        return Design(name: "int8_sum_pool", input: DesignInput(encoding: .int8, count: 75, channels: 3, scale: 1, zeroPoint: -2),
                      binarizer: nil, layers: [conv, dense], output: .argmaxOfLogits(maps: maps(4, shift: true)), labels: nil)
    }

    static var all: [Design] { [w2a2Conv(), int8SumPool()] }

    /// Class c's map: shifts on every other class (the rest keep none).
    private static func maps(_ classes: Int, shift: Bool) -> [LogitMap] {
        (0..<classes).map { c in
            var m = LogitMap(accScale: 1, accOffset: c - 1, inputScale: 0.25, alpha: c == 1 ? -0.5 : 0.75, bias: Double(c) / 8,
                             batchnorm: c == 2 ? LogitMap.BatchNormStep(mean: 0.1, gamma: 1.5, stddev: 1.25, beta: -0.3) : nil)
            if shift && c % 2 == 0 { m.shift = 0.0625 * Double(c + 1) }
            return m
        }
    }

    /// Deterministic ROM contents.
    struct Draw {
        var state: UInt64

        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }

        /// Real rows and columns drawn from `range` (1-bit: +-1); padding rows drawn too, padding
        /// columns hold what the compiler stores (+1, or 0 for integer weights).
        mutating func weights(rows: Int, columns: Int, folding f: Folding, bits: Int, range: ClosedRange<Int>) -> WeightROM {
            let sf = f.synapseFold(inputs: columns)
            var rom = WeightROM(simd: f.simd, pe: f.pe, depth: f.neuronFold(outputs: rows) * sf, weightBits: bits)
            for r in 0..<f.paddedOutputs(rows) {
                for c in 0..<f.paddedInputs(columns) {
                    var w = c >= columns ? (bits == 1 ? 1 : 0) : next(range)
                    if bits == 1 && w == 0 { w = 1 }
                    rom.setWeight(w, bank: r % f.pe, address: (r / f.pe) * sf + c / f.simd, lane: c % f.simd)
                }
            }
            return rom
        }

        /// Ascending thresholds in -spread...spread per neuron and class, about a third falling.
        mutating func levels(neurons: Int, pe: Int, levels: Int, spread: Int, classes: Int = 1) -> MultiThresholdROM {
            let depth = (neurons + pe - 1) / pe
            var values = Array(repeating: 0, count: pe * classes * depth * levels)
            var falling = Array(repeating: false, count: pe * depth)
            for n in 0..<neurons {
                falling[(n % pe) * depth + n / pe] = next(0...2) == 0
                for k in 0..<classes {
                    let sorted = (0..<levels).map { _ in next(-spread...spread) }.sorted()
                    for (l, t) in sorted.enumerated() { values[(((n % pe) * classes + k) * depth + n / pe) * levels + l] = t }
                }
            }
            return MultiThresholdROM(pe: pe, depth: depth, levels: levels, outputBits: MultiThresholdROM.bits(levels: levels),
                                     values: values, falling: falling)
        }
    }
}
