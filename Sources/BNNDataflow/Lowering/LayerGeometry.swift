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
    /// The accumulator's (and thresholds') C++ type.
    public var accumulatorType: IntegerType
    /// False for the last layer, which outputs its accumulators.
    public var hasThresholds: Bool
    /// Border classes of a +-1-padded convolution on 8-bit input: a threshold per neuron and
    /// class, and class tables of one entry per output row and column (1: one threshold per neuron).
    public var thresholdClasses: Int = 1
    /// Entries of the row and column class tables (0 without border classes).
    public var classTableEntries: Int = 0
    /// Bits per weight: 1 (signs) or 2...8 (integer weights).
    public var weightBits: Int = 1
    /// Thresholds per neuron and class: 1 for a sign, the levels of a multi-threshold.
    public var thresholdLevels: Int = 1
    public var window: SlidingWindowStage?
    public var pool: PoolStage?

    public init(key: String, label: String, inputs: Int, outputs: Int, inputKind: MvauInput, accumulatorBits: Int,
                accumulatorSigned: Bool = false, hasThresholds: Bool, window: SlidingWindowStage? = nil, pool: PoolStage? = nil) {
        self.key = key
        self.label = label
        self.inputs = inputs
        self.outputs = outputs
        self.inputKind = inputKind
        self.accumulatorType = IntegerType(bits: accumulatorBits, isSigned: accumulatorSigned)
        self.hasThresholds = hasThresholds
        self.window = window
        self.pool = pool
    }

    public init(stage: MvauStage) {
        var thresholds = false
        var border: BorderClasses?
        var levels = 1
        switch stage.activation {
        case .thresholds(let rom):
            thresholds = true
            border = rom.border
        case .multiThreshold(let rom):
            thresholds = true
            border = rom.border
            levels = rom.levels
        case .accumulator:
            break
        }
        self.init(key: stage.key, label: stage.label, inputs: stage.inputs, outputs: stage.outputs, inputKind: stage.inputKind,
                  accumulatorType: stage.accumulatorType, hasThresholds: thresholds, border: border,
                  window: stage.window, pool: stage.pool)
        weightBits = stage.weights.weightBits
        thresholdLevels = levels
    }

    /// A layer with thresholds in `border`'s classes (one class when nil).
    public init(key: String, label: String, inputs: Int, outputs: Int, inputKind: MvauInput, accumulatorType: IntegerType,
                hasThresholds: Bool, border: BorderClasses?, window: SlidingWindowStage?, pool: PoolStage?) {
        self.init(key: key, label: label, inputs: inputs, outputs: outputs, inputKind: inputKind, accumulatorBits: accumulatorType.bits,
                  accumulatorSigned: accumulatorType.isSigned, hasThresholds: hasThresholds, window: window, pool: pool)
        if let border {
            thresholdClasses = border.count
            classTableEntries = border.rowClasses.count + border.columnClasses.count
        }
    }

    /// Matrix-vector products per frame: one per output pixel of a convolution.
    public var pixels: Int { window?.outputPixels ?? 1 }

    public var accumulatorBits: Int { accumulatorType.bits }

    /// Bits per element of the MVAU's output stream: a threshold code (1 bit for a sign), or the
    /// accumulator of the last layer.
    public var outputBits: Int { hasThresholds ? MultiThresholdROM.bits(levels: thresholdLevels) : accumulatorBits }

    /// Bits per element after the layer's pool (a sum pool widens them), or of the MVAU without one.
    public var pooledBits: Int {
        guard let pool else { return outputBits }
        return pool.kind == .sum ? pool.outputBits : outputBits
    }

    /// Multiply-accumulates per frame (binary ones, but for an 8-bit first layer).
    public var macs: Int { Divisors.product(Divisors.product(inputs, outputs), pixels) }

    /// The foldings worth considering: for every neuron-fold count the smallest PE reaching it,
    /// likewise SIMD. Every divisor is one; the others pad MH or MW up to whole folds, which
    /// costs weight memory but can balance a pipeline that divisors cannot.
    public var peChoices: [Int] { Self.leastPerFold(outputs) }
    public var simdChoices: [Int] { Self.leastPerFold(inputs) }

    /// A folding the compiler accepts: 1 <= PE <= MH and 1 <= SIMD <= MW (padding up to whole
    /// folds where they do not divide).
    public func isLegal(_ folding: Folding) -> Bool {
        folding.pe >= 1 && folding.simd >= 1 && folding.pe <= outputs && folding.simd <= inputs
    }

    /// Whether `folding` pads MH or MW.
    public func isPadded(_ folding: Folding) -> Bool {
        outputs % folding.pe != 0 || inputs % folding.simd != 0
    }

    /// The distinct values of ceil(n / p) for p in 1...n, each with the least p giving it, ascending.
    static func leastPerFold(_ n: Int) -> [Int] {
        var choices: [Int] = []
        var p = 1
        while true {
            choices.append(p)
            let folds = Divisors.ceilDiv(n, p)
            if folds <= 1 { return choices }
            // The least p with ceil(n / p) <= folds - 1.
            p = Divisors.ceilDiv(n, folds - 1)
        }
    }
}
