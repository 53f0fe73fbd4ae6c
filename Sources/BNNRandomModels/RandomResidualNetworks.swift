import BNNModel

/// Seeded random residual graphs (version 2 `input` and `add`): a stem compute layer and its
/// quantizer, then blocks whose main branch (dense or conv2d, batchnorm, optional shift/prelu)
/// adds a shortcut before the next quantizer, then `[avgpool2d] [flatten] dense batchnorm`.
/// Shortcuts are the block input itself, a requantization of it (`input`), an average pool of
/// it (downsampling), or a both-exact add after the main branch's own quantizer.
extension RandomCodeNetworks {
    public enum Shortcut: Sendable {
        /// `add.from` the block's input.
        case direct
        /// A quantizer reading the block's input (`input`) is the shortcut; the main branch reads
        /// another quantizer of it (as the spec's tiny_residual does).
        case requantized
        /// An `avgpool2d` 2x2 of the block's input (`input`); the main conv has stride 2.
        case averagePool
        /// The main branch ends in its own quantizer, then adds the block's input: a join without
        /// a compute layer.
        case bothExact
    }

    public struct Block: Sendable {
        public var shortcut: Shortcut
        /// Bits of the block's output codes (the next block's shortcut): 1 (sign) or 2 (quantize).
        public var bits: Int
        public var weightBits = 1
        public var padValue: PadValue = 0

        public init(_ shortcut: Shortcut, bits: Int) {
            self.shortcut = shortcut
            self.bits = bits
        }
    }

    public struct ResidualOptions: Sendable {
        /// `[1, 1, n]` for a dense network.
        public var inputShape: Shape3
        public var encoding: InputEncoding = .bipolar
        public var scale = 1.0
        public var zeroPoint = 0
        /// A quantizer on the input (then the stem's shortcut may be the design input itself).
        public var inputQuantizer = false
        /// Bits of the stem's output codes.
        public var stemBits = 2
        public var stemWeightBits = 1
        public var blocks: [Block]
        /// A global average pool (a 3x3 image: the logit maps divide by 9) before the last layer.
        public var globalAverage = false
        public var classes = 3
        public var mode: OutputMode = .logits

        public init(inputShape: Shape3, blocks: [Block]) {
            self.inputShape = inputShape
            self.blocks = blocks
        }

        var isConv: Bool { inputShape.height * inputShape.width > 1 }
    }

    public mutating func residualNetwork(_ o: ResidualOptions, name: String = "random_residual") -> Network {
        var b = Builder(shape: o.inputShape)
        var stats: (center: Double, spread: Double) = o.encoding == .bipolar ? (0, 1) : (o.scale * 64, o.scale * 60)
        if o.inputQuantizer {
            b.add(.quantize(Quantize(bits: 2, signed: true, narrow: false, scale: 1, rounding: pick(RoundingMode.allCases))), "in_q")
            stats = Self.stats(b.layers[b.layers.count - 1].kind)
        }
        // The stem: no shortcut. Its output is the first block's input.
        var x = b.layers.count - 1
        if !o.inputQuantizer || bool() {
            stats = compute(&b, o, stride: 1, weightBits: o.stemWeightBits, padValue: 0, stats: stats, name: "stem")
            b.add(blockQuantizer(bits: o.stemBits, channels: b.shape.channels), "stem_q")
            x = b.layers.count - 1
            stats = Self.stats(b.layers[x].kind)
        }
        for (n, block) in o.blocks.enumerated() {
            let g = "b\(n)"
            var mainInput = x
            var from = x
            switch block.shortcut {
            case .direct, .bothExact:
                break
            case .requantized:
                b.add(blockQuantizer(bits: 1, channels: b.layers[x].outputShape.channels), "\(g)_main", input: x)
                mainInput = b.layers.count - 1
                b.add(blockQuantizer(bits: int(1...2), channels: b.layers[x].outputShape.channels), "\(g)_short", input: x)
                from = b.layers.count - 1
            case .averagePool:
                let pool = AvgPool2D(pool: Pair(2, 2), stride: Pair(2, 2))
                b.add(.avgpool2d(pool), "\(g)_pool", output: pool.outputShape(b.layers[x].outputShape), input: x)
                from = b.layers.count - 1
            }
            let inputStats = Self.stats(b.layers[mainInput].kind)
            _ = compute(&b, o, stride: block.shortcut == .averagePool ? 2 : 1, weightBits: block.weightBits, padValue: block.padValue,
                        stats: inputStats, name: g, input: mainInput == b.layers.count - 1 ? nil : mainInput)
            if block.shortcut == .bothExact {
                b.add(blockQuantizer(bits: int(1...2), channels: b.shape.channels), "\(g)_qa")
            }
            b.add(.add(Add(from: from)), "\(g)_add")
            if chance(50) { b.add(.shift(Shift(value: (0..<b.shape.channels).map { _ in uniform() - 0.5 })), "\(g)_shift") }
            if chance(50) { b.add(.prelu(PReLU(slope: (0..<b.shape.channels).map { _ in uniform() })), "\(g)_prelu") }
            b.add(blockQuantizer(bits: block.bits, channels: b.shape.channels), "\(g)_q")
            x = b.layers.count - 1
            stats = Self.stats(b.layers[x].kind)
        }
        if o.globalAverage {
            let pool = AvgPool2D(pool: Pair(b.shape.height, b.shape.width), stride: Pair(b.shape.height, b.shape.width))
            b.add(.avgpool2d(pool), "gap", output: pool.outputShape(b.shape))
        }
        if b.shape.height * b.shape.width > 1 {
            b.add(.flatten(Flatten(order: bool() ? .chw : .hwc)), "flat", output: .vector(b.shape.count))
        }
        let k = b.shape.count
        let (signs, integers) = weights(rows: o.classes, columns: k, bits: pick([1, 2, 8]))
        let dense = Dense(weights: signs, integerWeights: integers, bias: biases(o.classes, k), alpha: alphas(o.classes))
        b.add(.dense(dense), "fc", output: .vector(o.classes))
        b.add(.batchnorm(batchnorm(Self.sums(signs, integers, alpha: dense.alpha, bias: dense.bias, stats))), "fc_bn")
        let input = InputSpec(shape: o.inputShape, encoding: o.encoding, scale: o.encoding == .bipolar ? 1 : o.scale,
                              zeroPoint: o.encoding == .bipolar ? 0 : o.zeroPoint)
        return Network(name: name, input: input, layers: b.layers, outputMode: o.mode, labels: nil, version: 2)
    }

    /// A dense layer (or a same-shape conv2d: 3x3 padded by 1, or 2x2 with stride 2) keeping the
    /// channel count, and a batchnorm centred on its sums; returns the sums' statistics.
    @discardableResult
    private mutating func compute(_ b: inout Builder, _ o: ResidualOptions, stride: Int, weightBits: Int, padValue: PadValue,
                                  stats: (center: Double, spread: Double), name: String, input: Int? = nil) -> (center: Double, spread: Double) {
        let shape = input.map { b.layers[$0].outputShape } ?? b.shape
        let channels = name == "stem" ? (o.isConv ? int(2...3) : int(5...9)) : shape.channels
        let sums: [(mean: Double, spread: Double)]
        if o.isConv {
            let kernel = stride == 2 ? Pair(2, 2) : Pair(3, 3)
            let padding = stride == 2 ? Padding.none : Padding(top: 1, bottom: 1, left: 1, right: 1)
            let k = shape.channels * kernel.height * kernel.width
            let (signs, integers) = weights(rows: channels, columns: k, bits: weightBits)
            let conv = Conv2D(weights: signs, integerWeights: integers, inputChannels: shape.channels, kernel: kernel, stride: Pair(stride, stride),
                              padding: padding, padValue: padValue, bias: biases(channels, k), alpha: alphas(channels))
            sums = Self.sums(signs, integers, alpha: conv.alpha, bias: conv.bias, stats)
            b.add(.conv2d(conv), name + "_conv", output: conv.outputShape(shape), input: input)
        } else {
            let (signs, integers) = weights(rows: channels, columns: shape.count, bits: weightBits)
            let dense = Dense(weights: signs, integerWeights: integers, bias: biases(channels, shape.count), alpha: alphas(channels))
            sums = Self.sums(signs, integers, alpha: dense.alpha, bias: dense.bias, stats)
            b.add(.dense(dense), name + "_fc", output: Shape3(height: 1, width: 1, channels: channels), input: input)
        }
        b.add(.batchnorm(batchnorm(sums)), name + "_bn")
        let mean = sums.map(\.mean).reduce(0, +) / Double(max(sums.count, 1))
        return (mean, sums.map(\.spread).max() ?? 1)
    }

    /// A sign (1 bit) or an unsigned or signed 2-bit quantize of scale about 1/2.
    private mutating func blockQuantizer(bits: Int, channels c: Int) -> LayerKind {
        guard bits > 1 else { return .sign(Sign(offset: (0..<c).map { _ in (uniform() - 0.5) * 0.5 })) }
        return .quantize(Quantize(bits: 2, signed: bool(), narrow: false, scale: uniform() * 0.75 + 0.25, rounding: pick(RoundingMode.allCases)))
    }
}
