/// Where a node reads a stream: the design input (after the binarizer, if any) or an earlier
/// node's output (`Design.nodes[i]`).
public enum StreamSource: Hashable, Sendable {
    case input
    case node(Int)
}

/// One stage of the design's dataflow graph, in topological order (every input comes earlier).
/// A node's output read by more than one later node is duplicated in hardware (lowering inserts
/// the duplicate); only exact (code) streams are ever read twice.
public struct DesignNode: Sendable {
    public enum Kind: Sendable {
        /// `Design.layers[layer]`. Its output is its codes (after its pool), or its raw
        /// accumulators when its activation is `.accumulator`: the last layer, or the main
        /// input of the join that follows it.
        case mvau(layer: Int)
        /// Codes out of thresholds: a requantization (no shortcut) or a join (see `ThresholdStage`).
        case threshold(ThresholdStage)
    }

    public var kind: Kind
    /// Port order: `[main]` for an MVAU and a requantization; `[main, shortcut]` for a join.
    public var inputs: [StreamSource]

    public init(kind: Kind, inputs: [StreamSource]) {
        self.kind = kind
        self.inputs = inputs
    }

    /// The MVAU's index in `Design.layers`, nil for a threshold stage.
    public var layer: Int? {
        if case .mvau(let layer) = kind { return layer }
        return nil
    }

    /// The threshold stage, nil for an MVAU.
    public var thresholdStage: ThresholdStage? {
        if case .threshold(let stage) = kind { return stage }
        return nil
    }

    /// The chain of version 1: MVAU i reads node i - 1 (the first one reads the input).
    public static func chain(layers: Int) -> [DesignNode] {
        (0..<layers).map { DesignNode(kind: .mvau(layer: $0), inputs: [$0 == 0 ? .input : .node($0 - 1)]) }
    }
}

/// Multi-level thresholds on a stream that is not an MVAU's own output, one struct for three uses:
/// - requantization: `main` carries codes, no shortcut (a quantizer after a quantizer);
/// - join after a compute layer: `main` carries that MVAU's raw accumulators (its activation is
///   `.accumulator`), `shortcut` the codes of the exact operand of the group's `add`;
/// - both-exact add: `main` carries operand A's codes, `shortcut` operand B's codes.
/// Element e of a frame (HWC order, pixel-major) in channel c = e % channels has output code
/// `code(main: m, channel: c, shortcut: s)` for its main value m and shortcut code s.
public struct ThresholdStage: Sendable {
    /// How messages and comments name the stage, e.g. `layers[5] (b1_add)`.
    public var label: String
    /// The model layers fused into this stage (the add, the steps, the quantizers, the pool).
    public var layerIndices: [Int]
    /// Elements per pixel.
    public var channels: Int
    /// Pixels per frame, H*W (1 for a dense tensor).
    public var pixels: Int
    /// Lanes per stream word: the producing MVAU's PE for a join after a compute layer.
    /// Channel c is bank c % pe, address c / pe of `thresholds`.
    public var pe: Int
    /// What one main element carries: the accumulator type of a join after a compute layer, else
    /// unsigned codes of the main operand.
    public var mainType: IntegerType
    /// Holds every threshold and every main value (negated, for a falling channel): the type
    /// the comparators work in.
    public var thresholdType: IntegerType
    /// Bits of one shortcut code; nil for a requantization.
    public var shortcutBits: Int?
    /// Per (channel, shortcut code, level), laid out like an MVAU's: bank = channel % pe,
    /// address = channel / pe, and the ROM's class dimension indexed by the shortcut code
    /// (`thresholds.classes == 1 << shortcutBits`, 1 for a requantization; `border` is nil).
    /// A falling channel compares the negated main value, as in an MVAU.
    public var thresholds: MultiThresholdROM
    /// A pool over the output codes (max, or the sum of an `avgpool2d`), if the group has one.
    public var pool: PoolStage?

    public init(label: String, layerIndices: [Int], channels: Int, pixels: Int, pe: Int, mainType: IntegerType,
                thresholdType: IntegerType, shortcutBits: Int?, thresholds: MultiThresholdROM, pool: PoolStage? = nil) {
        self.label = label
        self.layerIndices = layerIndices
        self.channels = channels
        self.pixels = pixels
        self.pe = pe
        self.mainType = mainType
        self.thresholdType = thresholdType
        self.shortcutBits = shortcutBits
        self.thresholds = thresholds
        self.pool = pool
    }

    /// True when the stage joins a shortcut stream into the main one.
    public var isJoin: Bool { shortcutBits != nil }
    /// Shortcut codes the thresholds cover: 2^shortcutBits (1 for a requantization).
    public var shortcutCodes: Int { shortcutBits.map { 1 << $0 } ?? 1 }
    /// Bits of one output code, before any pool.
    public var codeBits: Int { thresholds.outputBits }
    /// Bits of one output element, after the pool.
    public var outputBits: Int { pool?.outputBits ?? thresholds.outputBits }
    /// Output elements per frame, after the pool.
    public var outputCount: Int { pool?.output.count ?? pixels * channels }

    /// The output code (before the pool) of main value `main` in `channel` with shortcut code
    /// `shortcut` (0 for a requantization), as the hardware computes it.
    public func code(main: Int, channel: Int, shortcut: Int = 0) -> Int {
        thresholds.code(main, bank: channel % pe, address: channel / pe, borderClass: shortcut)
    }
}
