import BNNModel
import BNNReference

/// The network regrouped into what the hardware computes: an optional leading `sign`, then one
/// group per compute layer holding the layers folded into it.
public struct FusedNetwork: Sendable {
    public var network: Network
    /// A `sign` straight on the input: it binarizes the raw input.
    public var leadingSign: LeadingSign?
    /// In stream order; the last group has no sign.
    public var groups: [FusedGroup]
    /// Version 2 (see `FuseCodeLayers`): the quantizers on the model input, and the groups in
    /// place of `groups` (which is then empty).
    public var leadingQuantizers: [(layer: Layer, quantizer: Quantizer)] = []
    public var codeGroups: [CodeGroup] = []
    /// Residual graphs (see `FuseGraph`): the units in topological order, unit u reading
    /// `.node(u)` streams of earlier units; `groups` and `codeGroups` are then empty.
    public var graph: [GraphUnit] = []

    public struct LeadingSign: Sendable {
        public var layer: Layer
        public var sign: Sign
    }
}

/// `[flatten] dense|conv2d [maxpool2d] [batchnorm] [maxpool2d] [sign] [maxpool2d]` (at most one
/// max-pool): one matrix-vector unit with its thresholds (or, last, its logit maps).
public struct FusedGroup: Sendable {
    public var compute: Layer
    /// Rows = output channels; columns in stream order (HWC for dense once `PermuteFlatten` has
    /// run, (ky, kx, c) for convolutions).
    public var weights: SignMatrix
    public var alpha: [Double]
    public var bias: [Double]
    /// The window geometry when the compute layer is a convolution.
    public var convolution: Conv2D?
    public var flatten: Flatten?
    public var batchnorm: BatchNorm?
    public var sign: Sign?
    public var pool: FusedPool?
    public var layerIndices: [Int]
    /// True when the group reads the raw network input (integers q) rather than bits.
    public var readsRawInput: Bool

    /// How the `--fold` option and messages name this group: the compute layer's name, or `layers[i]`.
    public var foldKey: String { compute.name ?? "layers[\(compute.index)]" }

    /// Output channel `j`'s compute-layer value for the exact sum's float64 value `s`.
    public func affine(_ s: Double, unit j: Int) -> Double {
        ReferenceMath.affine(s, alpha: alpha[j], bias: bias[j])
    }
}

/// A max-pool fused into a group, and where it stands.
public struct FusedPool: Sendable {
    public enum Position: Sendable, Equatable {
        /// On the compute layer's outputs, before any batchnorm.
        case beforeBatchnorm
        /// After the batchnorm, before the sign.
        case beforeSign
        /// On the bits after the sign.
        case afterSign
    }

    public var layer: Layer
    public var pool: MaxPool2D
    public var position: Position
}
