import BNNModel

/// Seeded random binarized MLPs that exercise the corners of the format: odd sizes, negative
/// and zero gammas, bias, alpha (also negative and zero), sign offsets, 8-bit input with a zero
/// point, bipolar input, a leading sign, CHW flatten, both output modes.
public struct RandomNetworks: SeededDraws {
    /// One convolution group of a random CNN.
    public struct ConvSpec: Sendable {
        public var filters: Int
        public var kernel: Pair
        public var stride = Pair(1, 1)
        public var padding = Padding.none
        public var padValue: PadValue = 0
        public var pool: Pair?
        public var poolStride: Pair?
        public var poolPosition = PoolPlace.afterSign

        public enum PoolPlace: Sendable { case beforeBatchnorm, beforeSign, afterSign }

        public init(filters: Int, kernel: Pair) {
            self.filters = filters
            self.kernel = kernel
        }
    }

    public struct Options: Sendable {
        /// Convolution groups before the dense layers (the input shape is `inputShape`).
        public var convs: [ConvSpec] = []
        public var sizes: [Int]
        public var encoding: InputEncoding = .bipolar
        public var zeroPoint: Int = 0
        public var scale: Double = 1
        public var inputShape: Shape3?
        public var flatten: FlattenOrder?
        public var leadingSign = false
        public var bias = true
        public var alpha = true
        public var batchnorm = true
        public var offsets = true
        public var lastBatchnorm = true
        public var mode: OutputMode = .logits

        public init(sizes: [Int]) { self.sizes = sizes }
    }

    private var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { rng.next() }

    /// A per-channel value that is sometimes exactly zero, negative or tiny.
    private mutating func gammaLike() -> Double {
        switch int(0...9) {
        case 0: return 0
        case 1: return -(uniform() + 0.1)
        case 2: return 1e-300
        default: return uniform() * 2 + 0.01
        }
    }

    public mutating func network(_ o: Options, name: String = "random") -> Network {
        let inputShape = o.inputShape ?? .vector(o.sizes[0])
        var layers: [Layer] = []
        var shape = inputShape
        func add(_ kind: LayerKind, _ name: String?, output: Shape3) {
            layers.append(Layer(index: layers.count, name: name, kind: kind, inputShape: shape, outputShape: output))
            shape = output
        }
        if o.leadingSign {
            let offsets = (0..<shape.channels).map { _ in o.encoding == .bipolar ? uniform() * 3 - 1.5 : uniform() * 2 - 0.5 }
            add(.sign(Sign(offset: offsets)), "sign0", output: shape)
        }
        for (g, spec) in o.convs.enumerated() {
            let k = shape.channels * spec.kernel.height * spec.kernel.width
            let weights = SignMatrix(rows: spec.filters, columns: k, isPositive: (0..<(spec.filters * k)).map { _ in bool() })
            let spread = Double(k).squareRoot()
            let conv = Conv2D(weights: weights, inputChannels: shape.channels, kernel: spec.kernel, stride: spec.stride,
                              padding: spec.padding, padValue: spec.padValue,
                              bias: (0..<spec.filters).map { _ in o.bias ? (uniform() - 0.5) * spread : 0 },
                              alpha: (0..<spec.filters).map { _ in o.alpha ? (int(0...5) == 0 ? -uniform() - 0.05 : uniform() + 0.05) : 1 })
            add(.conv2d(conv), "conv\(g + 1)", output: conv.outputShape(shape))
            func pool(_ place: ConvSpec.PoolPlace) {
                guard spec.poolPosition == place, let p = spec.pool else { return }
                let mp = MaxPool2D(pool: p, stride: spec.poolStride ?? p)
                add(.maxpool2d(mp), "pool\(g + 1)", output: mp.outputShape(shape))
            }
            pool(.beforeBatchnorm)
            let c = spec.filters
            let scale = g == 0 && o.encoding != .bipolar ? spread * 128 * o.scale : spread
            add(.batchnorm(BatchNorm(
                gamma: (0..<c).map { _ in gammaLike() }, beta: (0..<c).map { _ in uniform() - 0.5 },
                mean: (0..<c).map { _ in (uniform() - 0.5) * scale }, variance: (0..<c).map { _ in uniform() * scale * scale + 0.01 },
                eps: 1e-5)), "cbn\(g + 1)", output: shape)
            pool(.beforeSign)
            add(.sign(Sign(offset: (0..<c).map { _ in o.offsets ? (uniform() - 0.5) * 0.5 : 0 })), "csign\(g + 1)", output: shape)
            pool(.afterSign)
        }
        var sizes = o.sizes
        if !o.convs.isEmpty { sizes[0] = shape.count }
        for l in 0..<(sizes.count - 1) {
            let (k, m) = (sizes[l], sizes[l + 1])
            if l == 0, let order = o.flatten { add(.flatten(Flatten(order: order)), "flat", output: .vector(shape.count)) }
            let weights = SignMatrix(rows: m, columns: k, isPositive: (0..<(m * k)).map { _ in bool() })
            let spread = Double(k).squareRoot()
            let bias = (0..<m).map { _ in o.bias ? (uniform() - 0.5) * spread : 0 }
            let alpha = (0..<m).map { _ in o.alpha ? (int(0...9) == 0 ? -uniform() : (int(0...19) == 0 ? 0 : uniform() + 0.05)) : 1 }
            add(.dense(Dense(weights: weights, bias: bias, alpha: alpha)), "fc\(l + 1)", output: .vector(m))
            let isLast = l == sizes.count - 2
            if isLast ? o.lastBatchnorm : o.batchnorm {
                let scale = o.encoding == .bipolar || l > 0 || !o.convs.isEmpty ? spread : spread * 128 * o.scale
                let bn = BatchNorm(
                    gamma: (0..<m).map { _ in gammaLike() }, beta: (0..<m).map { _ in uniform() - 0.5 },
                    mean: (0..<m).map { _ in (uniform() - 0.5) * scale }, variance: (0..<m).map { _ in uniform() * scale * scale + 0.01 },
                    eps: int(0...3) == 0 ? 0 : 1e-5)
                add(.batchnorm(bn), "bn\(l + 1)", output: shape)
            }
            if !isLast {
                let offsets = (0..<m).map { _ in o.offsets ? (uniform() - 0.5) * 0.5 : 0 }
                add(.sign(Sign(offset: offsets)), "sign\(l + 1)", output: shape)
            }
        }
        let input = InputSpec(shape: inputShape, encoding: o.encoding, scale: o.encoding == .bipolar ? 1 : o.scale,
                              zeroPoint: o.encoding == .bipolar ? 0 : o.zeroPoint)
        return Network(name: name, input: input, layers: layers, outputMode: o.mode, labels: nil)
    }
}
