import BNNModel

/// The sliding-window (im2col) generator in front of a convolution's MVAU: for every output
/// pixel it streams the window's (ky, kx, c) elements, c fastest.
public struct SlidingWindowStage: Sendable, Equatable {
    public var input: Shape3
    public var kernel: Pair
    public var stride: Pair
    public var padding: Padding
    public var pad: WindowPad

    public init(input: Shape3, kernel: Pair, stride: Pair, padding: Padding, pad: WindowPad) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.pad = pad
    }

    public var output: Shape3 {
        Shape3(height: (input.height + padding.top + padding.bottom - kernel.height) / stride.height + 1,
               width: (input.width + padding.left + padding.right - kernel.width) / stride.width + 1,
               channels: 0)
    }

    public var outputPixels: Int { output.height * output.width }

    /// Channels per word the generator streams for an MVAU with this SIMD: SIMD itself when it
    /// divides the channels (the window words feed the MVAU directly), else the smallest divisor
    /// of the channels above it (or all of them), re-packed into padded SIMD words after the window.
    public func channelsPerWord(simd: Int) -> Int {
        let channels = max(input.channels, 1)
        guard simd < channels else { return channels }
        return Divisors.of(channels).first { $0 >= simd } ?? channels
    }
}

/// What a padded position holds on the stream.
public enum WindowPad: Sendable, Equatable {
    /// No padding, or a constant element: a bit (pad_value +1 -> 1, -1 -> 0), or the 8-bit
    /// zero point (pad_value 0 on the raw input, so `q - zero_point` adds nothing).
    case constant(Int)
    /// pad_value 0 on binary activations: elements carry a valid bit and padded ones add nothing.
    case masked
    /// pad_value "odd_even": the padded element at row i, column j of the unpadded input's
    /// coordinates (negative above and left of the image) holds code `even` when i + j is even,
    /// `odd` when it is odd (the codes of +1 and -1).
    case parity(even: Int, odd: Int)
}

/// A pool after a convolution's MVAU, over its output elements of `bits` bits.
///
/// `.max`: the maximum of the window's codes (OR of bits), or the minimum (AND of bits) for
/// channels where the pooled maximum becomes a minimum after thresholding (pool before a
/// batchnorm with a negative scale, or a falling chain). `.sum`: an `avgpool2d` as the integer
/// sum of the window's codes, `bits + ceil(log2(window))` bits wide; the next layer's exact map
/// divides by the window size.
public struct PoolStage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case max
        case sum
    }

    public var label: String
    public var layerIndex: Int
    public var input: Shape3
    public var pool: Pair
    public var stride: Pair
    /// `.max` only: true where the channel takes the minimum.
    public var andChannels: [Bool]
    public var kind: Kind
    /// Bits per input element (1 for a binary max-pool).
    public var bits: Int

    public init(label: String, layerIndex: Int, input: Shape3, pool: Pair, stride: Pair, andChannels: [Bool],
                kind: Kind = .max, bits: Int = 1) {
        self.label = label
        self.layerIndex = layerIndex
        self.input = input
        self.pool = pool
        self.stride = stride
        self.andChannels = andChannels
        self.kind = kind
        self.bits = bits
    }

    /// Bits per output element: the input's for a max, wide enough for the window's sum for a sum.
    public var outputBits: Int {
        guard kind == .sum else { return bits }
        let largest = ((1 << bits) - 1) * pool.height * pool.width
        var b = bits
        while (1 << b) - 1 < largest { b += 1 }
        return b
    }

    public var output: Shape3 {
        Shape3(height: (input.height - pool.height) / stride.height + 1,
               width: (input.width - pool.width) / stride.width + 1, channels: input.channels)
    }

    /// The pool as the hardware runs it after an MVAU with padding rows: over `channels` lanes
    /// per pixel, the padding ones pooled with OR and dropped afterwards.
    public func padded(channels: Int) -> PoolStage {
        var padded = self
        padded.input = Shape3(height: input.height, width: input.width, channels: max(channels, input.channels))
        padded.andChannels += Array(repeating: false, count: padded.input.channels - andChannels.count)
        return padded
    }
}
