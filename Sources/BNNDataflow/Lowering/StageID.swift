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
    /// Residual graphs: copies the output of `Design.nodes[node]` (node -1: the design input),
    /// read by several nodes; `copy` numbers the duplicates of one stream (k readers: k - 1 in a
    /// row). Its first output is this stream, its second `shortcut(index)`.
    case duplicate(node: Int, copy: Int)
    /// The second output of a duplicate: the copy the later reader (a join's shortcut) takes,
    /// numbered in graph order so `BNN_CSIM_DEPTHS=shortcut0=1` can cut it.
    case shortcut(Int)
    /// Re-slices input `port` (0 main, 1 shortcut) of threshold node `node` to its PE lanes.
    case joinConverter(node: Int, port: Int)
    /// A threshold node: a join (main + shortcut) or a requantization (main only).
    case join(node: Int)
    /// The pool after threshold node `node`.
    case joinPool(node: Int)

    public var description: String {
        switch self {
        case .binarize: return "binarize"
        case .converter(let l): return "layer\(l).converter"
        case .window(let l): return "layer\(l).window"
        case .windowRepack(let l): return "layer\(l).window_repack"
        case .mvau(let l): return "layer\(l).mvau"
        case .pool(let l): return "layer\(l).pool"
        case .argmax: return "argmax"
        case .duplicate(let n, let copy): return (n < 0 ? "input" : "node\(n)") + ".duplicate" + (copy > 0 ? "\(copy)" : "")
        case .shortcut(let k): return "shortcut\(k)"
        case .joinConverter(let n, let port): return "node\(n).\(port == 0 ? "main" : "shortcut")_converter"
        case .join(let n): return "node\(n).join"
        case .joinPool(let n): return "node\(n).pool"
        }
    }
}
