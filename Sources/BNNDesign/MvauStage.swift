/// One matrix-vector-activation unit: a compute layer fused with its batchnorm and sign.
///
/// Accumulator domain: with binary input, `acc` counts agreeing bits (XNOR popcount, 0...MW, so
/// the spec's sum is `2*acc - MW`); with integer input, `acc = sum +-(q - zero_point)`.
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

    public init(layerIndices: [Int], label: String, key: String, inputs: Int, outputs: Int, folding: Folding, inputKind: MvauInput,
                weights: WeightROM, activation: MvauActivation, accumulatorType: IntegerType) {
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
    }

    /// Neuron folds (MH / PE) and synapse folds (MW / SIMD).
    public var neuronFold: Int { outputs / folding.pe }
    public var synapseFold: Int { inputs / folding.simd }
}

public enum MvauInput: Sendable, Equatable {
    /// +-1 activations as bits (1 = +1).
    case binary
    /// The raw network input: `bits`-bit integers q, used as `q - zeroPoint`.
    case integer(bits: Int, isSigned: Bool, zeroPoint: Int)

    public var bits: Int {
        switch self {
        case .binary: return 1
        case .integer(let bits, _, _): return bits
        }
    }
}

public enum MvauActivation: Sendable {
    /// Output bit = `acc >= threshold`, one threshold per neuron.
    case thresholds(ThresholdROM)
    /// Output the accumulator itself (the last layer).
    case accumulator
}
