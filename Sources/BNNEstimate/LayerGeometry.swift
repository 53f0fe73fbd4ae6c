import BNNDesign

/// What the cost model needs to know about one matrix-vector unit, whatever its folding: the
/// optimizer prices foldings it has not packed.
public struct LayerGeometry: Sendable, Equatable {
    /// The `--fold` name of the layer.
    public var key: String
    public var label: String
    /// MW: input elements per output neuron.
    public var inputs: Int
    /// MH: output neurons.
    public var outputs: Int
    public var inputKind: MvauInput
    public var accumulatorBits: Int
    /// False for the last layer, which outputs its accumulators.
    public var hasThresholds: Bool
    public var window: SlidingWindowStage?
    public var pool: PoolStage?

    public init(key: String, label: String, inputs: Int, outputs: Int, inputKind: MvauInput, accumulatorBits: Int,
                hasThresholds: Bool, window: SlidingWindowStage? = nil, pool: PoolStage? = nil) {
        self.key = key
        self.label = label
        self.inputs = inputs
        self.outputs = outputs
        self.inputKind = inputKind
        self.accumulatorBits = accumulatorBits
        self.hasThresholds = hasThresholds
        self.window = window
        self.pool = pool
    }

    public init(stage: MvauStage) {
        var thresholds = false
        if case .thresholds = stage.activation { thresholds = true }
        self.init(key: stage.key, label: stage.label, inputs: stage.inputs, outputs: stage.outputs, inputKind: stage.inputKind,
                  accumulatorBits: stage.accumulatorType.bits, hasThresholds: thresholds, window: stage.window, pool: stage.pool)
    }

    /// Matrix-vector products per frame: one per output pixel of a convolution.
    public var pixels: Int { window?.outputPixels ?? 1 }

    /// SIMD must divide this: MW, or a convolution's input channels (the window generator
    /// streams whole channel folds).
    public var simdBound: Int { window?.input.channels ?? inputs }

    /// Multiply-accumulates per frame (binary ones, but for an 8-bit first layer).
    public var macs: Int { Divisors.product(Divisors.product(inputs, outputs), pixels) }

    /// The legal foldings: PE divides MH, SIMD divides `simdBound`.
    public var peChoices: [Int] { Divisors.of(outputs) }
    public var simdChoices: [Int] { Divisors.of(simdBound) }

    public func isLegal(_ folding: Folding) -> Bool {
        folding.pe >= 1 && folding.simd >= 1 && outputs % folding.pe == 0 && simdBound % folding.simd == 0
    }
}
