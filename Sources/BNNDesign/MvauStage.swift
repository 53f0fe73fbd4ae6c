/// One matrix-vector-activation unit: a compute layer fused with its batchnorm and sign.
///
/// Accumulator domain: with binary input, `acc` counts agreeing bits (XNOR popcount, 0...MW, so
/// the spec's sum is `2*acc - MW`); with masked binary input it is the signed sum over valid
/// positions; with integer input, `acc = sum +-(q - zero_point)`.
public struct MvauStage: Sendable {
    /// The model layers this stage implements, e.g. `layers[0] (fc1)` .. `layers[2] (sign1)`.
    public var layerIndices: [Int]
    /// How messages and comments name the stage (its compute layer's label).
    public var label: String
    /// The compute layer's name (or `layers[i]`), as `--fold` and folding.json name it.
    public var key: String
    /// MW: input elements per output neuron.
    public var inputs: Int
    /// MH: output neurons.
    public var outputs: Int
    public var folding: Folding
    public var inputKind: MvauInput
    public var weights: WeightROM
    public var activation: MvauActivation
    /// Holds every reachable accumulator value (and every threshold).
    public var accumulatorType: IntegerType
    /// The window generator feeding a convolution (nil for a dense layer).
    public var window: SlidingWindowStage?
    /// The max-pool after the thresholds, if the group has one.
    public var pool: PoolStage?

    public init(layerIndices: [Int], label: String, key: String, inputs: Int, outputs: Int, folding: Folding, inputKind: MvauInput,
                weights: WeightROM, activation: MvauActivation, accumulatorType: IntegerType,
                window: SlidingWindowStage? = nil, pool: PoolStage? = nil) {
        self.layerIndices = layerIndices
        self.label = label
        self.key = key
        self.inputs = inputs
        self.outputs = outputs
        self.folding = folding
        self.inputKind = inputKind
        self.weights = weights
        self.activation = activation
        self.accumulatorType = accumulatorType
        self.window = window
        self.pool = pool
    }

    /// Matrix-vector products per frame: one per output pixel of a convolution.
    public var pixels: Int { window?.outputPixels ?? 1 }

    /// Bits per output element: 1 for thresholds, the code width for multi-thresholds, the
    /// accumulator's for the last layer (before any sum pool widens it).
    public var outputBits: Int {
        switch activation {
        case .thresholds: return 1
        case .multiThreshold(let rom): return rom.outputBits
        case .accumulator: return accumulatorType.bits
        }
    }

    /// Output elements per frame, after the pool.
    public var outputCount: Int {
        if let pool { return pool.output.count }
        return pixels * outputs
    }

    /// Neuron folds ceil(MH / PE) and synapse folds ceil(MW / SIMD).
    public var neuronFold: Int { folding.neuronFold(outputs: outputs) }
    public var synapseFold: Int { folding.synapseFold(inputs: inputs) }

    /// MH and MW rounded up to whole folds: rows past MH and columns past MW are padding.
    public var paddedOutputs: Int { folding.paddedOutputs(outputs) }
    public var paddedInputs: Int { folding.paddedInputs(inputs) }
}

public enum MvauInput: Sendable, Equatable {
    /// +-1 activations as bits (1 = +1).
    case binary
    /// Bits with a valid flag (zero-padded convolution): `acc = sum of valid (w == x ? 1 : -1)`,
    /// the spec's sum itself.
    case maskedBinary
    /// The raw network input: `bits`-bit integers q, used as `q - zeroPoint`.
    case integer(bits: Int, isSigned: Bool, zeroPoint: Int)
    /// Unsigned `bits`-bit codes u of an exact tensor (a quantizer's output, possibly max- or
    /// sum-pooled), used as the integer u itself: `acc = sum w * u`. The compiler maps u back to
    /// the exact value `offset + step * u` in the thresholds and logit maps, never the hardware.
    case codes(bits: Int)

    public var bits: Int {
        switch self {
        case .binary: return 1
        case .maskedBinary: return 2
        case .integer(let bits, _, _): return bits
        case .codes(let bits): return bits
        }
    }
}

public enum MvauActivation: Sendable {
    /// Output bit = `acc >= threshold`, one threshold per neuron.
    case thresholds(ThresholdROM)
    /// Output code = levels reached, several thresholds per neuron (see `MultiThresholdROM`).
    case multiThreshold(MultiThresholdROM)
    /// Output the accumulator itself (the last layer).
    case accumulator
}
