import BNNDesign

/// What a hardware stage is, with exactly the template parameters that decide its loop schedule
/// and its size (one case per function of the C++ layer library).
public enum StageKind: Sendable, Equatable {
    /// `bnn::Binarize`: one word in, one word out per cycle.
    case binarize(simd: Int, channels: Int, inputBits: Int, thresholdBits: Int, words: Int)
    /// `bnn::StreamWidthConverter<IN, OUT, IN_WORDS>`.
    case widthConverter(inWidth: Int, outWidth: Int, inWords: Int)
    /// `bnn::SlidingWindow`: SIMD channels per word, elements of `inBits` in and `outBits` out.
    case slidingWindow(SlidingWindowStage, simd: Int, inBits: Int, outBits: Int)
    /// `bnn::Mvau`, repeated once per output pixel.
    case mvau(LayerGeometry, Folding)
    /// `bnn::MaxPoolBinary` with the MVAU's PE as its SIMD.
    case maxPool(PoolStage, simd: Int)
    /// `bnn::ArgMax` (`logits` false) or `bnn::LogitArgMax` over `classes / pe` words.
    case argMax(classes: Int, pe: Int, accumulatorBits: Int, logits: Bool)

    public var name: String {
        switch self {
        case .binarize: return "Binarize"
        case .widthConverter: return "StreamWidthConverter"
        case .slidingWindow: return "SlidingWindow"
        case .mvau: return "Mvau"
        case .maxPool: return "MaxPoolBinary"
        case .argMax(_, _, _, let logits): return logits ? "LogitArgMax" : "ArgMax"
        }
    }
}
