import BNNDataflow
import BNNDesign

/// One row of the report: a layer's stages (converter, window, MVAU, pool; the binarizer with
/// the first layer, the argmax with the last) taken together.
public struct LayerSummary: Sendable {
    public var index: Int
    public var geometry: LayerGeometry
    public var folding: Folding
    /// The slowest of its stages.
    public var cycles: Int
    /// Its stages and their output FIFOs.
    public var resources: Resources
    /// Depth of the FIFO in front of the MVAU (nil if the MVAU reads the `in` port).
    public var inputFIFODepth: Int?
    /// Depth of the FIFO the layer's last stage writes (nil for the `out` port).
    public var outputFIFODepth: Int?

    /// `MW x MH`, with the convolution's output pixels and the pool, as the report shows it.
    public var shape: String {
        var text = "\(geometry.inputs)x\(geometry.outputs)"
        if let w = geometry.window {
            text = "\(w.input.height)x\(w.input.width)x\(w.input.channels) k\(w.kernel.height)x\(w.kernel.width)"
                + (w.stride.height > 1 || w.stride.width > 1 ? " s\(w.stride.height)x\(w.stride.width)" : "")
                + " -> \(w.output.height)x\(w.output.width)x\(geometry.outputs)"
        }
        if let p = geometry.pool {
            text += ", pool \(p.pool.height)x\(p.pool.width) -> \(p.output.height)x\(p.output.width)"
        }
        if let precision { text += ", " + precision }
        if geometry.isPadded(folding) { text += ", MW x MH padded to \(paddedInputs)x\(paddedOutputs)" }
        return text
    }

    /// `W2 A2 -> 2-bit codes (3 thresholds)` for a layer with integer weights, code input or a
    /// code output; nil for the W1A1 path (and an 8-bit first layer with binary weights and a bit output).
    public var precision: String? {
        guard geometry.isMultiBit else { return nil }
        var text = "W\(geometry.weightBits) A\(geometry.inputKind.bits)"
        if geometry.hasThresholds {
            text += " -> \(geometry.outputBits)-bit codes (\(geometry.thresholdLevels) threshold\(geometry.thresholdLevels == 1 ? "" : "s"))"
        }
        return text
    }

    /// MW and MH rounded up to whole folds (the padded matrix the MVAU runs).
    public var paddedInputs: Int { folding.paddedInputs(geometry.inputs) }
    public var paddedOutputs: Int { folding.paddedOutputs(geometry.outputs) }
}
