/// A leading quantizer (`sign`, `quantize` or `multithreshold` on the model input): input
/// element of channel c becomes the code `count of l with value >= levelThresholds[c][l]`
/// (ascending), where value is the raw integer q (or +-1 for bipolar input). A `sign` has one
/// level: the code is the bit `value >= thresholds[c]`.
public struct BinarizerStage: Sendable {
    public var layerIndex: Int
    public var label: String
    public var simd: Int
    /// `[channel][level]`, each row ascending; every row has `levels` entries.
    public var levelThresholds: [[Int]]
    public var thresholdType: IntegerType

    public init(layerIndex: Int, label: String, simd: Int, thresholds: [Int], thresholdType: IntegerType) {
        self.init(layerIndex: layerIndex, label: label, simd: simd, levelThresholds: thresholds.map { [$0] }, thresholdType: thresholdType)
    }

    public init(layerIndex: Int, label: String, simd: Int, levelThresholds: [[Int]], thresholdType: IntegerType) {
        self.layerIndex = layerIndex
        self.label = label
        self.simd = simd
        self.levelThresholds = levelThresholds
        self.thresholdType = thresholdType
    }

    public var levels: Int { levelThresholds.first?.count ?? 1 }
    /// Bits per output code (1 for a sign).
    public var outputBits: Int { MultiThresholdROM.bits(levels: levels) }
    /// The first level's threshold per channel (a sign's only one).
    public var thresholds: [Int] { levelThresholds.map { $0.first ?? 0 } }

    /// The code of `value` in channel `c`.
    public func code(_ value: Int, channel c: Int) -> Int {
        levelThresholds[c].reduce(0) { $0 + (value >= $1 ? 1 : 0) }
    }
}

/// What the design's output stream carries.
public enum OutputStage: Sendable {
    /// The last layer's accumulators; `maps[c]` turns class c's into its logit.
    case logits(maps: [LogitMap])
    /// The class index, by comparing accumulators directly: valid because every class shares one
    /// strictly increasing map over the reachable range (checked by the compiler).
    case argmaxOfAccumulators(maps: [LogitMap])
    /// The class index, by comparing float64 logits computed in hardware (per-class maps differ).
    case argmaxOfLogits(maps: [LogitMap])

    public var maps: [LogitMap] {
        switch self {
        case .logits(let maps), .argmaxOfAccumulators(let maps), .argmaxOfLogits(let maps): return maps
        }
    }

    public var isArgmax: Bool {
        if case .logits = self { return false }
        return true
    }
}

/// Exactly the float64 steps of the last layer, from accumulator to logit:
/// `a = accScale*acc + accOffset` (the spec's integer sum), `s = inputScale * a` (then
/// `s = s / divisor` when the divisor is not 1: `inputScale * a` is exact there and IEEE division
/// rounds the exact sum once, e.g. after a 3x3 average pool),
/// `y = s*alpha + bias`, then optionally batchnorm with its `sqrt(var + eps)` precomputed, then
/// optionally a `shift` (`y + shift`, version 2).
public struct LogitMap: Sendable, Equatable {
    public var accScale: Int
    public var accOffset: Int
    public var inputScale: Double
    public var alpha: Double
    public var bias: Double
    public var batchnorm: BatchNormStep?
    /// A version-2 `shift` after the last layer (or its batchnorm), added last.
    public var shift: Double?
    /// A whole number the product is divided by (1: no division); see above.
    public var divisor: Double = 1

    public struct BatchNormStep: Sendable, Equatable {
        public var mean: Double
        public var gamma: Double
        public var stddev: Double
        public var beta: Double

        public init(mean: Double, gamma: Double, stddev: Double, beta: Double) {
            self.mean = mean
            self.gamma = gamma
            self.stddev = stddev
            self.beta = beta
        }
    }

    public init(accScale: Int, accOffset: Int, inputScale: Double, alpha: Double, bias: Double, batchnorm: BatchNormStep?) {
        self.accScale = accScale
        self.accOffset = accOffset
        self.inputScale = inputScale
        self.alpha = alpha
        self.bias = bias
        self.batchnorm = batchnorm
    }

    /// The spec's integer sum for accumulator `acc`.
    public func sum(_ acc: Int) -> Int { accScale * acc + accOffset }

    /// The logit, one rounding per step, as the generated C++ `bnn::Logit` computes it.
    public func logit(_ acc: Int) -> Double {
        var s = inputScale * Double(sum(acc))
        if divisor != 1 { s = s / divisor }
        let t = s * alpha
        var y = t + bias
        if let bn = batchnorm {
            let d = y - bn.mean
            let n = bn.gamma * d
            let q = n / bn.stddev
            y = q + bn.beta
        }
        if let shift { y = y + shift }
        return y
    }
}
