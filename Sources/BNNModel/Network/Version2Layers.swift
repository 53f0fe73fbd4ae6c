/// The layer types version 2 adds. Their float64 meaning is `BNNReference`'s; the compiler
/// does not map them to hardware yet.

/// `u = x / scale`, `r` = `u` rounded by `rounding`, `k = clamp(r, kmin, kmax)`; output the exact `k * scale`.
public struct Quantize: Sendable, Equatable {
    public var bits: Int
    public var signed: Bool
    public var narrow: Bool
    public var scale: Double
    public var rounding: RoundingMode

    public init(bits: Int, signed: Bool, narrow: Bool, scale: Double, rounding: RoundingMode) {
        self.bits = bits
        self.signed = signed
        self.narrow = narrow
        self.scale = scale
        self.rounding = rounding
    }

    /// Smallest code: `-2^(b-1)` signed (narrow: `+1`), 0 unsigned.
    public var kmin: Int { signed ? -(1 << (bits - 1)) + (narrow ? 1 : 0) : 0 }
    /// Largest code: `2^(b-1) - 1` signed, `2^b - 1` unsigned (narrow: `- 1`).
    public var kmax: Int { signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1 - (narrow ? 1 : 0) }
}

/// How `quantize` rounds `u` to an integer; ties are values exactly halfway between two integers.
public enum RoundingMode: String, Sendable, CaseIterable {
    /// Ties to even (PyTorch, numpy, Brevitas).
    case halfEven = "half_even"
    /// `floor(u + 1/2)` computed exactly: ties toward +infinity.
    case halfUp = "half_up"
    /// Ties away from zero (C `round`).
    case halfAway = "half_away"
    case floor
    case ceil
    case toZero = "to_zero"
}

/// QONNX's MultiThreshold: `k` = how many of `thresholds[c]` are `<= x[c]`; output the exact
/// `outBias + outScale * k`.
public struct MultiThreshold: Sendable, Equatable {
    /// One non-decreasing row per channel.
    public var thresholds: [[Double]]
    public var outScale: Double
    public var outBias: Double

    public init(thresholds: [[Double]], outScale: Double, outBias: Double) {
        self.thresholds = thresholds
        self.outScale = outScale
        self.outBias = outBias
    }
}

/// `y = x + value[c]`.
public struct Shift: Sendable, Equatable {
    public var value: [Double]
    public init(value: [Double]) { self.value = value }
}

/// `y = x` if `x >= 0`, else `slope[c] * x`.
public struct PReLU: Sendable, Equatable {
    public var slope: [Double]
    public init(slope: [Double]) { self.slope = slope }
}

/// `y = min(max(x, min), max)` (hardtanh), no rounding.
public struct Clamp: Sendable, Equatable {
    public var min: Double
    public var max: Double
    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }
}

/// The exact mean of each window, no padding, floor mode.
public struct AvgPool2D: Sendable, Equatable {
    public var pool: Pair
    public var stride: Pair

    public init(pool: Pair, stride: Pair) {
        self.pool = pool
        self.stride = stride
    }

    public func outputShape(_ input: Shape3) -> Shape3 {
        MaxPool2D(pool: pool, stride: stride).outputShape(input)
    }
}

/// `y = x + z`, `z` the output of layer `from` (an earlier layer, same shape).
public struct Add: Sendable, Equatable {
    /// Index in `layers` of the layer named by `from`.
    public var from: Int

    public init(from: Int) { self.from = from }
}
