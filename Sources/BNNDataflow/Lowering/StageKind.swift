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
    /// `bnn::Duplicate`: each word of `words` per frame read once and written to both outputs.
    case duplicate(width: Int, words: Int)
    /// `bnn::JoinThresholds` (a shortcut) or `bnn::Requantize` (none): one word of each input
    /// in, one word of codes out per iteration.
    case join(JoinShape)

    public var name: String {
        switch self {
        case .binarize: return "Binarize"
        case .widthConverter: return "StreamWidthConverter"
        case .repack: return "StreamRepack"
        case .slidingWindow: return "SlidingWindow"
        case .mvau: return "Mvau"
        case .maxPool(let pool, _): return pool.kind == .sum ? "SumPool" : pool.bits > 1 ? "MaxPoolCodes" : "MaxPoolBinary"
        case .argMax(_, _, _, let logits): return logits ? "LogitArgMax" : "ArgMax"
        case .duplicate: return "Duplicate"
        case .join(let j): return j.shortcutBits == nil ? "Requantize" : "JoinThresholds"
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

/// The template parameters of `bnn::JoinThresholds` / `bnn::Requantize` (bnn_join.hpp): per
/// pixel ceil(channels / pe) words of `pe` lanes on every input.
public struct JoinShape: Sendable, Equatable {
    public var channels: Int
    public var pixels: Int
    public var pe: Int
    public var mainType: IntegerType
    /// Bits per shortcut code; nil for a requantization.
    public var shortcutBits: Int?
    /// Thresholds per (channel, shortcut code) and the bits of an output code.
    public var levels: Int
    public var outputBits: Int
    /// What the comparators work in (every threshold, the main value and its negation).
    public var thresholdType: IntegerType

    public init(channels: Int, pixels: Int, pe: Int, mainType: IntegerType, shortcutBits: Int?, levels: Int, outputBits: Int, thresholdType: IntegerType) {
        self.channels = channels
        self.pixels = pixels
        self.pe = pe
        self.mainType = mainType
        self.shortcutBits = shortcutBits
        self.levels = levels
        self.outputBits = outputBits
        self.thresholdType = thresholdType
    }

    /// Words per frame on each input and on the output.
    public var words: Int { Divisors.product(pixels, Divisors.ceilDiv(channels, pe)) }
    /// Shortcut codes the thresholds cover (1 for a requantization).
    public var codes: Int { shortcutBits.map { 1 << $0 } ?? 1 }
}
