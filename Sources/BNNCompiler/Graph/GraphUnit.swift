import BNNDesign
import BNNModel
import BNNReference

/// One stage of a residual graph (`input`, `add`) after fusion, reading exact streams: the
/// design input (after the leading quantizers) or an earlier unit's output (`.node(u)` = unit u).
public struct GraphUnit: Sendable {
    public enum Kind: Sendable {
        /// A compute layer's group; with `group.add` it becomes an MVAU with accumulator output
        /// and a join reading the shortcut (`inputs[1]`).
        case compute(CodeGroup)
        /// Thresholds on codes: a requantization, a both-exact add, or a pool alone.
        case thresholds(ThresholdGroup)
    }

    public var kind: Kind
    /// `[main]`, or `[main, shortcut]` where the unit contains an `add`.
    public var inputs: [StreamSource]
}

/// Layers that turn exact codes into codes without a compute layer: an optional `add` of two
/// exact tensors (main = the tensor the add reads, shortcut = its `from`), elementwise steps, a
/// quantizer chain, then at most one pool over the codes. No quantizer: the codes pass
/// unchanged into the pool (an `avgpool2d` on a shortcut).
public struct ThresholdGroup: Sendable {
    public var first: Layer
    public var layerIndices: [Int]
    /// The main tensor's shape (the output's, before the pool).
    public var shape: Shape3
    public var add: Layer?
    public var steps: [ChainStep] = []
    public var quantizers: [Quantizer] = []
    public var codePool: CodePool?

    /// The output code in channel c for the main operand's float64 value `x` (and the
    /// shortcut's, `z`), step by step as the reference evaluates it.
    public func code(main x: Double, shortcut z: Double?, channel c: Int) -> Int {
        Quantizer.chain(quantizers, value(main: x, shortcut: z, channel: c), channel: c)
    }

    /// The float64 value the first quantizer reads.
    public func value(main x: Double, shortcut z: Double?, channel c: Int) -> Double {
        var y = x
        if let z { y = y + z }
        for step in steps { y = step.apply(y, channel: c) }
        return y
    }

    /// +1 when the code never falls as the main value grows, -1 when it never rises, 0 constant.
    public func direction(channel c: Int) -> Int {
        steps.reduce(1) { $0 * $1.direction(channel: c) }
    }
}
