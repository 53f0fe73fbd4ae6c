import BNNModel

/// The network regrouped into what the hardware computes: an optional leading `sign`, then one
/// group per compute layer holding the layers folded into it.
public struct FusedNetwork: Sendable {
    public var network: Network
    /// A `sign` straight on the input: it binarizes the raw input.
    public var leadingSign: LeadingSign?
    /// In stream order; the last group has no sign.
    public var groups: [FusedGroup]

    public struct LeadingSign: Sendable {
        public var layer: Layer
        public var sign: Sign
    }
}

/// `[flatten] dense [batchnorm] [sign]`: one matrix-vector unit with its threshold (or, last,
/// its logit map).
public struct FusedGroup: Sendable {
    public var compute: Layer
    /// Weights with columns in stream (HWC) order once `PermuteFlatten` has run.
    public var dense: Dense
    public var flatten: Flatten?
    public var batchnorm: BatchNorm?
    public var sign: Sign?
    public var layerIndices: [Int]
    /// True when the group reads the raw network input (integers q) rather than bits.
    public var readsRawInput: Bool

    /// How the `--fold` option and messages name this group: the compute layer's name, or `layers[i]`.
    public var foldKey: String { compute.name ?? "layers[\(compute.index)]" }
}
