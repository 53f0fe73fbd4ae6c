import BNNDataflow
import BNNDesign
import BNNModel

/// Multi-bit designs built by hand (shapes only: the estimates read no weight or threshold
/// values), until the compiler produces them.
enum MultiBitModels {
    /// BNN-PYNQ's CNV-W2A2 folding (PE, SIMD), from bnn/src/network/cnvW2A2/hw/config.h; its
    /// config pads the last layer to 64 rows, bnn-hls pads the 10 classes to PE 4 (12 rows).
    static let pynqCNVW2A2: [Folding] = [(8, 3), (16, 16), (8, 16), (8, 16), (4, 8), (1, 8), (1, 2), (2, 2), (4, 1)].map { Folding(pe: $0.0, simd: $0.1) }

    /// Cycles per frame of each layer in that config.h ("Ext Latency"), but the last (8192 for
    /// its 64 padded rows; 1536 for bnn-hls's 12).
    static let pynqCNVW2A2Cycles = [64800, 112896, 82944, 115200, 82944, 73728, 65536, 65536, 1536]

    /// CNV's shapes (3x32x32 uint8 input; conv3x3 64, 64, maxpool 2, 128, 128, maxpool 2, 256,
    /// 256; dense 512, 512, 10) with `weightBits`-bit weights and `codeBits`-bit codes between
    /// layers (2^codeBits - 1 thresholds per neuron), max-pools over codes, 8-bit input to the
    /// first layer, logits out.
    static func cnv(weightBits: Int = 2, codeBits: Int = 2, foldings: [Folding] = pynqCNVW2A2) -> Design {
        let levels = (1 << codeBits) - 1
        var layers: [MvauStage] = []
        var shape = Shape3(height: 32, width: 32, channels: 3)
        var input: MvauInput = .integer(bits: 8, isSigned: false, zeroPoint: 0)
        let convs: [(filters: Int, pool: Bool)] = [(64, false), (64, true), (128, false), (128, true), (256, false), (256, false)]
        for (i, conv) in convs.enumerated() {
            let window = SlidingWindowStage(input: shape, kernel: Pair(3, 3), stride: Pair(1, 1), padding: Padding(top: 0, bottom: 0, left: 0, right: 0), pad: .constant(0))
            let out = Shape3(height: window.output.height, width: window.output.width, channels: conv.filters)
            let pool = conv.pool ? PoolStage(label: "pool\(i)", layerIndex: 3 * i + 3, input: out, pool: Pair(2, 2), stride: Pair(2, 2),
                                             andChannels: Array(repeating: false, count: conv.filters), kind: .max, bits: codeBits) : nil
            layers.append(stage("conv\(i)", index: 3 * i, inputs: 9 * shape.channels, outputs: conv.filters, input: input, weightBits: weightBits,
                                levels: levels, folding: foldings[i], window: window, pool: pool))
            shape = pool?.output ?? out
            input = .codes(bits: codeBits)
        }
        var inputs = shape.count
        for (j, units) in [512, 512, 10].enumerated() {
            layers.append(stage("fc\(j + 6)", index: 18 + 3 * j, inputs: inputs, outputs: units, input: input, weightBits: weightBits,
                                levels: j == 2 ? nil : levels, folding: foldings[6 + j]))
            inputs = units
        }
        let maps = (0..<10).map { _ in LogitMap(accScale: 1, accOffset: 0, inputScale: 1, alpha: 1, bias: 0, batchnorm: nil) }
        return Design(name: "cnv_w\(weightBits)a\(codeBits)", input: DesignInput(encoding: .uint8, count: 3072, channels: 3, scale: 1.0 / 255, zeroPoint: 0),
                      binarizer: nil, layers: layers, output: .logits(maps: maps), labels: nil)
    }

    /// One MVAU with zero weights and thresholds; `levels` nil: the last layer (accumulators out).
    static func stage(_ name: String, index: Int, inputs: Int, outputs: Int, input: MvauInput, weightBits: Int, levels: Int?,
                      folding: Folding, window: SlidingWindowStage? = nil, pool: PoolStage? = nil) -> MvauStage {
        let sf = folding.synapseFold(inputs: inputs), nf = folding.neuronFold(outputs: outputs)
        let weights = WeightROM(simd: folding.simd, pe: folding.pe, depth: nf * sf, weightBits: weightBits)
        var activation = MvauActivation.accumulator
        if let levels {
            activation = .multiThreshold(MultiThresholdROM(pe: folding.pe, depth: nf, levels: levels, outputBits: MultiThresholdROM.bits(levels: levels),
                                                          values: Array(repeating: 0, count: folding.pe * nf * levels),
                                                          falling: Array(repeating: false, count: folding.pe * nf)))
        }
        return MvauStage(layerIndices: [index], label: "layers[\(index)] (\(name))", key: name, inputs: inputs, outputs: outputs, folding: folding,
                         inputKind: input, weights: weights, activation: activation,
                         accumulatorType: accumulatorType(inputs: inputs, input: input, weightBits: weightBits),
                         window: window, pool: pool)
    }

    /// Every sum of `inputs` products of a two's complement weight and an input element.
    static func accumulatorType(inputs: Int, input: MvauInput, weightBits: Int) -> IntegerType {
        let (wMin, wMax) = (-(1 << (weightBits - 1)), (1 << (weightBits - 1)) - 1)
        let (xMin, xMax): (Int, Int)
        switch input {
        case .integer(let bits, let signed, let zeroPoint):
            (xMin, xMax) = signed ? (-(1 << (bits - 1)) - zeroPoint, (1 << (bits - 1)) - 1 - zeroPoint) : (-zeroPoint, (1 << bits) - 1 - zeroPoint)
        case .codes(let bits): (xMin, xMax) = (0, (1 << bits) - 1)
        case .binary, .maskedBinary: (xMin, xMax) = (-1, 1)
        }
        let products = [wMin * xMin, wMin * xMax, wMax * xMin, wMax * xMax]
        return IntegerType(holding: (inputs * (products.min() ?? 0))...(inputs * (products.max() ?? 0)))
    }
}
