import BNNCommandLine
import BNNModel

/// Seeded random binarized MLPs that exercise the corners of the format: odd sizes, negative
/// and zero gammas, bias, alpha (also negative and zero), sign offsets, 8-bit input with a zero
/// point, bipolar input, a leading sign, CHW flatten, both output modes.
public struct RandomNetworks {
    public struct Options: Sendable {
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

    public mutating func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
    public mutating func bool() -> Bool { rng.next() & 1 == 1 }

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
        for l in 0..<(o.sizes.count - 1) {
            let (k, m) = (o.sizes[l], o.sizes[l + 1])
            if l == 0, let order = o.flatten { add(.flatten(Flatten(order: order)), "flat", output: .vector(shape.count)) }
            let weights = SignMatrix(rows: m, columns: k, isPositive: (0..<(m * k)).map { _ in bool() })
            let spread = Double(k).squareRoot()
            let bias = (0..<m).map { _ in o.bias ? (uniform() - 0.5) * spread : 0 }
            let alpha = (0..<m).map { _ in o.alpha ? (int(0...9) == 0 ? -uniform() : (int(0...19) == 0 ? 0 : uniform() + 0.05)) : 1 }
            add(.dense(Dense(weights: weights, bias: bias, alpha: alpha)), "fc\(l + 1)", output: .vector(m))
            let isLast = l == o.sizes.count - 2
            if isLast ? o.lastBatchnorm : o.batchnorm {
                let scale = o.encoding == .bipolar || l > 0 ? spread : spread * 128 * o.scale
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
