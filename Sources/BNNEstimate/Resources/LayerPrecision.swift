import BNNDataflow
import BNNDesign

extension LayerGeometry {
    /// Whether the layer leaves the W1A1 path: integer weights, code input or a multi-level
    /// output. Such a layer's activation is a multi-threshold (with falling flags; the compiler
    /// uses one for every group that reads codes, has integer weights or outputs codes).
    public var isMultiThreshold: Bool {
        guard hasThresholds else { return false }
        return isMultiBit
    }

    /// Integer weights, code input or a multi-level output.
    public var isMultiBit: Bool {
        if case .codes = inputKind { return true }
        return weightBits > 1 || thresholdLevels > 1
    }
}
