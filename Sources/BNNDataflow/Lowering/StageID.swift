/// The stable name of one hardware stage, and of the stream it writes: independent of the order
/// in which the emitter numbers its streams, so a FIFO depth computed here lands on the right
/// `#pragma HLS STREAM` there.
public enum StageID: Hashable, Sendable, CustomStringConvertible {
    /// Thresholds the raw input into bits (a leading `sign` layer).
    case binarize
    /// Re-slices the stream in front of layer `layer` to its SIMD width.
    case converter(layer: Int)
    /// The sliding-window generator in front of convolution `layer`.
    case window(layer: Int)
    /// Re-packs the window stream of `layer` into padded SIMD words (SIMD does not divide the
    /// input channels).
    case windowRepack(layer: Int)
    /// The matrix-vector-activation unit of `layer`.
    case mvau(layer: Int)
    /// The max-pool after `layer`.
    case pool(layer: Int)
    /// The class index at the end (argmax over accumulators or over logits).
    case argmax

    public var description: String {
        switch self {
        case .binarize: return "binarize"
        case .converter(let l): return "layer\(l).converter"
        case .window(let l): return "layer\(l).window"
        case .windowRepack(let l): return "layer\(l).window_repack"
        case .mvau(let l): return "layer\(l).mvau"
        case .pool(let l): return "layer\(l).pool"
        case .argmax: return "argmax"
        }
    }
}
