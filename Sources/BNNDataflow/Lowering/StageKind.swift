import BNNDesign

/// What a hardware stage is, with exactly the template parameters that decide its loop schedule
/// and its size (one case per function of the C++ layer library).
public enum StageKind: Sendable, Equatable {
    /// `bnn::Binarize`: one word in, one word out per cycle.
    case binarize(simd: Int, channels: Int, input: DesignInput.Encoding, thresholdType: IntegerType, words: Int)
    /// `bnn::StreamWidthConverter<IN, OUT, IN_WORDS>`.
    case widthConverter(inWidth: Int, outWidth: Int, inWords: Int)
    /// `bnn::StreamRepack`: drops the padding lanes of padded input vectors and pads the output
    /// vectors with `pad` lanes.
    case repack(Repack)
    /// `bnn::SlidingWindow`: SIMD channels per word, elements of `inBits` in and `outBits` out.
    case slidingWindow(SlidingWindowStage, simd: Int, inBits: Int, outBits: Int)
    /// `bnn::Mvau`, repeated once per output pixel.
    case mvau(LayerGeometry, Folding)
    /// A pool with the MVAU's PE as its SIMD: `bnn::MaxPoolBinary` over bits, `bnn::MaxPoolCodes`
    /// over multi-bit codes, `bnn::SumPool` for a sum (`PoolStage.kind`); one schedule for all three.
    case maxPool(PoolStage, simd: Int)
    /// `bnn::ArgMax` (`logits` false) or `bnn::LogitArgMax` over ceil(classes / pe) words.
    case argMax(classes: Int, pe: Int, accumulatorType: IntegerType, logits: Bool)

    public var name: String {
        switch self {
        case .binarize: return "Binarize"
        case .widthConverter: return "StreamWidthConverter"
        case .repack: return "StreamRepack"
        case .slidingWindow: return "SlidingWindow"
        case .mvau: return "Mvau"
        case .maxPool(let pool, _): return pool.kind == .sum ? "SumPool" : pool.bits > 1 ? "MaxPoolCodes" : "MaxPoolBinary"
        case .argMax(_, _, _, let logits): return logits ? "LogitArgMax" : "ArgMax"
        }
    }
}

/// The template parameters of `bnn::StreamRepack`: `frame` valid lanes of `laneBits` bits per
/// frame, arriving as vectors of `inVector` lanes in words of `inLanes` (a vector's last word
/// padded) and leaving as vectors of `outVector` lanes in words of `outLanes`.
public struct Repack: Sendable, Equatable {
    public var laneBits: Int
    public var inLanes: Int
    public var inVector: Int
    public var outLanes: Int
    public var outVector: Int
    public var frame: Int
    /// The lane value written into output padding.
    public var pad: Int

    public init(laneBits: Int, inLanes: Int, inVector: Int, outLanes: Int, outVector: Int, frame: Int, pad: Int) {
        self.laneBits = laneBits
        self.inLanes = inLanes
        self.inVector = inVector
        self.outLanes = outLanes
        self.outVector = outVector
        self.frame = frame
        self.pad = pad
    }

    public var inWords: Int { frame / max(inVector, 1) * Divisors.ceilDiv(inVector, inLanes) }
    public var outWords: Int { frame / max(outVector, 1) * Divisors.ceilDiv(outVector, outLanes) }
}
