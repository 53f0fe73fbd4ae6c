import BNNDesign
import BNNModel

/// The network in the hardware's integer domain: sign weights (rows flipped where the float
/// decision falls with the sum), one integer threshold per neuron, exact logit maps at the end.
public struct IntegerNetwork: Sendable {
    public var name: String
    public var input: DesignInput
    public var binarizer: IntegerBinarizer?
    public var layers: [IntegerLayer]
    public var output: OutputStage
    public var labels: [String]?
    /// A residual graph's nodes (nil: the chain of `layers`).
    public var nodes: [IntegerNode]? = nil
}

public struct IntegerBinarizer: Sendable {
    public var layerIndex: Int
    public var label: String
    /// Channel c's bit is `value >= thresholds[c]`.
    public var thresholds: [Int]
    public var thresholdType: IntegerType
    /// `[channel][level]` for a multi-level input quantizer (version 2); empty: `thresholds`.
    public var levelThresholds: [[Int]] = []
}

public struct IntegerLayer: Sendable {
    public var layerIndices: [Int]
    public var label: String
    /// Index of the dense layer in the model's `layers`.
    public var computeIndex: Int
    /// Name the `--fold` option uses.
    public var foldKey: String
    /// Row j = output neuron j, columns in stream order; a flipped row is negated.
    public var weights: SignMatrix
    /// Multi-bit weights (`weight_bits` 2...8) as used, columns in stream order (never negated:
    /// a falling neuron sets `multiThresholds.falling` instead). nil: the 1-bit `weights`.
    public var integerWeights: IntegerMatrix? = nil
    /// A multi-bit output code (or any layer with integer weights or code input): replaces
    /// `classThresholds`, which is then nil.
    public var multiThresholds: MultiLevelThresholds? = nil
    public var inputKind: MvauInput
    /// `[border class][neuron]`; `nil` for the last layer, which outputs accumulators. One class
    /// unless `border` is set (+-1 padding on the 8-bit input).
    public var classThresholds: [[Int]]?
    public var border: BorderClasses?
    /// Rows whose weights were negated so the decision rises with the accumulator.
    public var flipped: [Bool]
    public var accumulatorType: IntegerType
    public var window: SlidingWindowStage?
    public var pool: PoolStage?

    /// The thresholds of the first (usually only) border class.
    public var thresholds: [Int]? { classThresholds?.first }

    public var inputs: Int { weights.columns }
    public var outputs: Int { weights.rows }
    /// Bits per weight: 1, or the integer weights' width.
    public var weightBits: Int { integerWeights?.bits ?? 1 }
}

/// Several thresholds per neuron (FINN's MultiThreshold): neuron j's output code is how many of
/// `values[k][j]` (ascending) the accumulator reaches at border class k, comparing `-acc` where
/// `falling[j]` (see `MultiThresholdROM`).
public struct MultiLevelThresholds: Sendable, Equatable {
    /// Thresholds per neuron; every neuron has exactly this many.
    public var levels: Int
    /// Bits of the output code.
    public var outputBits: Int
    /// `[border class][neuron][level]`.
    public var values: [[[Int]]]
    public var falling: [Bool]

    public init(levels: Int, outputBits: Int, values: [[[Int]]], falling: [Bool]) {
        self.levels = levels
        self.outputBits = outputBits
        self.values = values
        self.falling = falling
    }
}

/// A node of a residual graph in the integer domain (see `DesignNode`): an MVAU (`layers[i]`) or
/// thresholds on a stream, reading `inputs` (`.node(n)` = node n).
public struct IntegerNode: Sendable {
    public enum Kind: Sendable {
        case layer(Int)
        case thresholds(IntegerThresholds)
    }

    public var kind: Kind
    public var inputs: [StreamSource]
}

/// A requantization or join before packing (see `ThresholdStage`): `thresholds.values` is
/// `[shortcut code][channel][level]`.
public struct IntegerThresholds: Sendable {
    public var label: String
    public var layerIndices: [Int]
    public var channels: Int
    public var pixels: Int
    public var mainType: IntegerType
    public var thresholdType: IntegerType
    public var shortcutBits: Int?
    public var thresholds: MultiLevelThresholds
    public var pool: PoolStage?
}
