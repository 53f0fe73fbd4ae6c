import BNNModel
import BNNReference

/// A version-2 group: `[flatten] dense|conv2d`, the elementwise steps after it (at most one
/// max-pool among them), a chain of quantizers (the first decides, the others requantize its
/// exact output), then at most one pool over the codes. The last group has no quantizer and
/// ends in `[batchnorm] [shift]`.
public struct CodeGroup: Sendable {
    public var compute: Layer
    /// Signs (the shape, and the weights when `integerWeights` is nil), columns in stream order.
    public var weights: SignMatrix
    public var integerWeights: IntegerMatrix?
    public var alpha: [Double]
    public var bias: [Double]
    public var convolution: Conv2D?
    public var flatten: Flatten?
    /// Elementwise steps after the compute layer, in order.
    public var steps: [ChainStep] = []
    /// A max-pool among the steps: it stands before `steps[prePool.position]`.
    public var prePool: (layer: Layer, pool: MaxPool2D, position: Int)?
    /// Empty for the last group.
    public var quantizers: [Quantizer] = []
    /// A pool over the output codes.
    public var codePool: CodePool?
    public var layerIndices: [Int]
    public var readsRawInput: Bool
    /// A residual `add` among the steps (graphs only): it stands before `steps[add.position]`
    /// and adds the exact operand the group's shortcut stream carries.
    public var add: (layer: Layer, position: Int)?

    public var foldKey: String { compute.name ?? "layers[\(compute.index)]" }
    public var outputs: Int { weights.rows }

    /// Weight of neuron j at column c as used.
    public func weight(_ j: Int, _ c: Int) -> Int { integerWeights?[j, c] ?? weights.value(row: j, column: c) }

    /// The output code of neuron j for the exact sum's float64 value `s`, step by step as the
    /// reference evaluates it (the pool, if any, is left out: it commutes with the code).
    public func code(_ s: Double, unit j: Int) -> Int {
        var y = ReferenceMath.affine(s, alpha: alpha[j], bias: bias[j])
        for step in steps { y = step.apply(y, channel: j) }
        return Quantizer.chain(quantizers, y, channel: j)
    }

    /// The output code of a group with an `add`, for the shortcut's float64 value `z`: the
    /// reference's steps with `y + z` (one rounding) where the add stands.
    public func code(_ s: Double, unit j: Int, shortcut z: Double) -> Int {
        Quantizer.chain(quantizers, value(s, unit: j, shortcut: z), channel: j)
    }

    /// The float64 value the first quantizer reads, for a group with an `add`.
    public func value(_ s: Double, unit j: Int, shortcut z: Double) -> Double {
        var y = ReferenceMath.affine(s, alpha: alpha[j], bias: bias[j])
        let at = add?.position ?? steps.count
        for (n, step) in steps.enumerated() {
            if n == at { y = y + z }
            y = step.apply(y, channel: j)
        }
        if at == steps.count { y = y + z }
        return y
    }

    /// The float64 value before the quantizers, for overflow checks.
    public func preQuantizer(_ s: Double, unit j: Int) -> [Double] {
        var values = [s, ReferenceMath.affine(s, alpha: alpha[j], bias: bias[j])]
        for step in steps { values.append(step.apply(values[values.count - 1], channel: j)) }
        return values
    }

    /// +1 when the output code never falls as the sum grows, -1 when it never rises, 0 when it
    /// is constant, over the steps from `first` on (the affine map counts as step -1).
    public func direction(unit j: Int, from first: Int = -1) -> Int {
        var sign = first <= -1 ? (alpha[j] > 0 ? 1 : alpha[j] < 0 ? -1 : 0) : 1
        for step in steps.dropFirst(max(first, 0)) { sign *= step.direction(channel: j) }
        return sign
    }
}

/// An elementwise float64 step between the compute layer and the quantizer.
public enum ChainStep: Sendable {
    case batchnorm(BatchNorm)
    case shift(Shift)
    case prelu(PReLU)
    case clamp(Clamp)

    public func apply(_ y: Double, channel c: Int) -> Double {
        switch self {
        case .batchnorm(let bn): return bn.apply(y, channel: c)
        case .shift(let shift): return y + shift.value[c]
        case .prelu(let prelu): return ReferenceMath.prelu(y, slope: prelu.slope[c])
        case .clamp(let clamp): return ReferenceMath.clamp(y, clamp)
        }
    }

    /// +1 non-decreasing, -1 non-increasing, 0 constant (prelu slopes are >= 0 by then).
    func direction(channel c: Int) -> Int {
        switch self {
        case .batchnorm(let bn): return bn.gamma[c] > 0 ? 1 : bn.gamma[c] < 0 ? -1 : 0
        case .shift, .prelu: return 1
        case .clamp(let clamp): return clamp.min < clamp.max ? 1 : 0
        }
    }
}

/// A pool over a group's output codes: max of codes, or an `avgpool2d` as the sum of codes.
public struct CodePool: Sendable {
    public var layer: Layer
    public var isAverage: Bool
    public var pool: Pair
    public var stride: Pair
}
