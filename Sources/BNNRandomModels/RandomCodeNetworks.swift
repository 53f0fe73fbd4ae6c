import BNNModel

/// Seeded random version-2 networks: multi-bit weights (8-bit first and last layers too),
/// sign / quantize (every rounding mode, signed, narrow) / multithreshold (repeated thresholds)
/// activations and requantizations, shift / prelu (slope >= 0) / clamp chains, batchnorms with
/// negative and zero gammas and negative alphas (falling neurons), max-pools before and after
/// the quantizer, average pools, odd_even padding and a quantizer chain on the input.
public struct RandomCodeNetworks: SeededDraws {
    public enum Activation: Sendable { case sign, quantize, multithreshold, requantize, any }

    public enum PoolKind: Sendable { case maxBeforeQuantizer, maxAfterQuantizer, average }

    public struct Conv: Sendable {
        public var filters: Int
        public var kernel: Pair
        public var stride = Pair(1, 1)
        public var padding = Padding.none
        public var padValue: PadValue = 0
        public var weightBits = 1
        public var pool: PoolKind?
        /// The pool window (nil: the whole image, a global pool) and stride (nil: the window).
        public var poolSize: Pair? = Pair(2, 2)
        public var poolStride: Pair?

        public init(filters: Int, kernel: Pair) {
            self.filters = filters
            self.kernel = kernel
        }
    }

    public struct Options: Sendable {
        public var inputShape: Shape3
        public var encoding: InputEncoding = .bipolar
        public var scale = 1.0
        public var zeroPoint = 0
        /// Quantizers on the model input: 0, 1, or 2 (a requantization).
        public var inputQuantizers = 0
        /// The first input quantizer has scale 1 (signed, 2 bits), so +1 and -1 are codes.
        public var unitInputQuantizer = false
        public var convs: [Conv] = []
        /// Outputs of the dense layers (the last one: classes).
        public var sizes: [Int]
        /// Bits of each dense layer's weights, cycled (1 = signs).
        public var denseBits: [Int] = [1]
        public var activation = Activation.any
        /// shift / prelu / clamp steps between the compute layer and its quantizer.
        public var chains = true
        public var lastShift = false
        public var lastBatchnorm = true
        public var mode: OutputMode = .logits

        public init(inputShape: Shape3, sizes: [Int]) {
            self.inputShape = inputShape
            self.sizes = sizes
        }
    }

    private var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { rng.next() }

    public mutating func network(_ o: Options, name: String = "random_v2") -> Network {
        var builder = Builder(shape: o.inputShape)
        let inputMagnitude = o.encoding == .bipolar ? 1 : 64 * o.scale
        for q in 0..<o.inputQuantizers {
            let unit = Quantize(bits: 2, signed: true, narrow: false, scale: 1, rounding: pick(RoundingMode.allCases))
            builder.add(q == 0 && o.unitInputQuantizer ? [.quantize(unit)]
                            : quantizer(channels: o.inputShape.channels, kind: q == 0 ? .quantize : .any, magnitude: q == 0 ? inputMagnitude : 1),
                        "in_q\(q)")
        }
        // Mean and spread of the current activation's values, to centre each batchnorm on its sums.
        var stats: (center: Double, spread: Double)
        if let last = builder.layers.last { stats = Self.stats(last.kind) } else if o.encoding == .bipolar { stats = (0, 1) } else {
            let range = o.encoding.valueRange
            stats = (o.scale * (Double(range.lowerBound + range.upperBound) / 2 - Double(o.zeroPoint)), o.scale * Double(range.count) / 3.5)
        }
        for (g, spec) in o.convs.enumerated() {
            let c = builder.shape.channels
            let k = c * spec.kernel.height * spec.kernel.width
            let (signs, integers) = weights(rows: spec.filters, columns: k, bits: spec.weightBits)
            let conv = Conv2D(weights: signs, integerWeights: integers, inputChannels: c, kernel: spec.kernel, stride: spec.stride,
                              padding: spec.padding, padValue: spec.padValue, bias: biases(spec.filters, k), alpha: alphas(spec.filters))
            let sums = Self.sums(signs, integers, alpha: conv.alpha, bias: conv.bias, stats)
            builder.add(.conv2d(conv), "conv\(g)", output: conv.outputShape(builder.shape))
            let size = spec.poolSize ?? Pair(builder.shape.height, builder.shape.width)
            let stride = spec.poolStride ?? size
            hiddenSteps(&builder, g: "c\(g)", sums: sums, o: o,
                        maxPool: spec.pool == .maxBeforeQuantizer ? MaxPool2D(pool: size, stride: stride) : nil)
            stats = Self.stats(builder.layers[builder.layers.count - 1].kind)
            if spec.pool == .maxAfterQuantizer {
                let pool = MaxPool2D(pool: size, stride: stride)
                builder.add(.maxpool2d(pool), "cpool\(g)", output: pool.outputShape(builder.shape))
            } else if spec.pool == .average {
                let pool = AvgPool2D(pool: size, stride: stride)
                builder.add(.avgpool2d(pool), "cavg\(g)", output: pool.outputShape(builder.shape))
            }
        }
        for (l, m) in o.sizes.enumerated() {
            let k = builder.shape.count
            if builder.shape.height * builder.shape.width > 1 || (l == 0 && !o.convs.isEmpty) {
                builder.add(.flatten(Flatten(order: bool() ? .chw : .hwc)), "flat\(l)", output: .vector(k))
            }
            let bits = o.denseBits[l % o.denseBits.count]
            let (signs, integers) = weights(rows: m, columns: k, bits: bits)
            let dense = Dense(weights: signs, integerWeights: integers, bias: biases(m, k), alpha: alphas(m))
            builder.add(.dense(dense), "fc\(l)", output: .vector(m))
            let sums = Self.sums(signs, integers, alpha: dense.alpha, bias: dense.bias, stats)
            if l < o.sizes.count - 1 {
                hiddenSteps(&builder, g: "f\(l)", sums: sums, o: o, maxPool: nil)
                stats = Self.stats(builder.layers[builder.layers.count - 1].kind)
            } else {
                if o.lastBatchnorm { builder.add(.batchnorm(batchnorm(sums)), "bn_last") }
                if o.lastShift { builder.add(.shift(Shift(value: (0..<m).map { _ in uniform() - 0.5 })), "shift_last") }
            }
        }
        let input = InputSpec(shape: o.inputShape, encoding: o.encoding, scale: o.encoding == .bipolar ? 1 : o.scale,
                              zeroPoint: o.encoding == .bipolar ? 0 : o.zeroPoint)
        return Network(name: name, input: input, layers: builder.layers, outputMode: o.mode, labels: nil, version: 2)
    }

    /// Layers appended in order, each reading the previous one's shape (or, with `input`, the
    /// output of an earlier layer, as the version-2 key does).
    struct Builder {
        var shape: Shape3
        var layers: [Layer] = []

        mutating func add(_ kind: LayerKind, _ name: String, output: Shape3? = nil, input: Int? = nil) {
            let inShape = input.map { layers[$0].outputShape } ?? shape
            let out = output ?? inShape
            layers.append(Layer(index: layers.count, name: name, kind: kind, inputShape: inShape, outputShape: out, inputLayer: input))
            shape = out
        }

        mutating func add(_ kinds: [LayerKind], _ name: String) {
            for (i, kind) in kinds.enumerated() { add(kind, "\(name)_\(i)") }
        }
    }

    /// Mean and spread of the values a quantizer (or a pool of its codes) outputs.
    static func stats(_ kind: LayerKind) -> (center: Double, spread: Double) {
        switch kind {
        case .quantize(let q): return (q.scale * Double(q.kmin + q.kmax) / 2, q.scale * Double(q.kmax - q.kmin) / 3)
        case .multithreshold(let m):
            let n = Double(m.thresholds.first?.count ?? 1)
            return (m.outBias + m.outScale * n / 2, m.outScale * n / 3)
        default: return (0, 1)  // sign
        }
    }

    /// Per output: mean and spread of `alpha * sum + bias` for inputs with these statistics.
    static func sums(_ signs: SignMatrix, _ integers: IntegerMatrix?, alpha: [Double], bias: [Double],
                             _ input: (center: Double, spread: Double)) -> [(mean: Double, spread: Double)] {
        (0..<signs.rows).map { j in
            var (total, squares) = (0.0, 0.0)
            for c in 0..<signs.columns {
                let w = Double(integers?[j, c] ?? signs.value(row: j, column: c))
                total += w
                squares += w * w
            }
            return (alpha[j] * input.center * total + bias[j], abs(alpha[j]) * input.spread * squares.squareRoot() + 1e-3)
        }
    }

    /// batchnorm, then (with `chains`) shift / prelu / clamp in a random order, a max-pool at a
    /// random place among them, then the quantizer(s).
    mutating func hiddenSteps(_ b: inout Builder, g: String, sums: [(mean: Double, spread: Double)], o: Options, maxPool: MaxPool2D?) {
        let c = b.shape.channels
        var steps: [LayerKind] = [.batchnorm(batchnorm(sums))]
        if o.chains {
            if chance(50) { steps.append(.shift(Shift(value: (0..<c).map { _ in uniform() - 0.5 }))) }
            if chance(50) { steps.append(.prelu(PReLU(slope: (0..<c).map { _ in chance(20) ? 0 : uniform() * 1.5 }))) }
            if chance(40) { steps.append(.clamp(Clamp(min: -uniform() - 0.3, max: uniform() + 0.3))) }
            for i in stride(from: steps.count - 1, to: 1, by: -1) { steps.swapAt(i, 1 + below(i)) }
        }
        let poolAt = maxPool.map { _ in below(steps.count + 1) }
        for (i, step) in steps.enumerated() {
            if poolAt == i, let pool = maxPool { b.add(.maxpool2d(pool), "\(g)_pool", output: pool.outputShape(b.shape)) }
            b.add(step, "\(g)_s\(i)")
        }
        if poolAt == steps.count, let pool = maxPool { b.add(.maxpool2d(pool), "\(g)_pool", output: pool.outputShape(b.shape)) }
        b.add(quantizer(channels: c, kind: o.activation, magnitude: 1), "\(g)_q")
    }

    /// One quantizer, or two for a requantization.
    mutating func quantizer(channels c: Int, kind: Activation, magnitude: Double) -> [LayerKind] {
        let choice = kind == .any ? pick([Activation.sign, .quantize, .multithreshold, .requantize]) : kind
        switch choice {
        case .sign:
            return [.sign(Sign(offset: (0..<c).map { _ in (uniform() - 0.5) * 0.5 * magnitude }))]
        case .quantize, .any:
            let signed = bool()
            let narrow = signed ? chance(30) : chance(20)
            let bits = signed || narrow ? int(2...3) : int(1...3)
            let levels = Double(1 << bits)
            return [.quantize(Quantize(bits: bits, signed: signed, narrow: narrow, scale: magnitude * (uniform() * 2 + 0.5) / levels,
                                       rounding: pick(RoundingMode.allCases)))]
        case .multithreshold:
            let n = int(1...3)
            let rows = (0..<c).map { _ -> [Double] in
                var row = (0..<n).map { _ in (uniform() * 3 - 1.5) * magnitude }.sorted()
                if n > 1 && chance(30) { row[1] = row[0] }
                return row
            }
            return [.multithreshold(MultiThreshold(thresholds: rows, outScale: pick([0.5, 1, 0.75]), outBias: pick([0, -1.5, -0.5])))]
        case .requantize:
            return quantizer(channels: c, kind: pick([.quantize, .multithreshold]), magnitude: magnitude)
                + quantizer(channels: c, kind: .quantize, magnitude: 1)
        }
    }

    mutating func weights(rows: Int, columns: Int, bits: Int) -> (SignMatrix, IntegerMatrix?) {
        guard bits > 1 else {
            return (SignMatrix(rows: rows, columns: columns, isPositive: (0..<(rows * columns)).map { _ in bool() }), nil)
        }
        let range = IntegerMatrix.range(bits: bits)
        let values = (0..<(rows * columns)).map { _ in Int8(int(range)) }
        return (SignMatrix(rows: rows, columns: columns, isPositive: values.map { $0 >= 0 }),
                IntegerMatrix(rows: rows, columns: columns, bits: bits, values: values))
    }

    mutating func biases(_ n: Int, _ fanIn: Int) -> [Double] { (0..<n).map { _ in (uniform() - 0.5) * 0.5 } }

    /// Mostly positive, sometimes negative (falling neurons) or zero (constant ones).
    mutating func alphas(_ n: Int) -> [Double] {
        (0..<n).map { _ in chance(15) ? -(uniform() + 0.05) : chance(4) ? 0 : uniform() + 0.05 }
    }

    /// Centred near each output's typical value, so the codes after it vary with the input.
    mutating func batchnorm(_ sums: [(mean: Double, spread: Double)]) -> BatchNorm {
        BatchNorm(gamma: sums.map { _ in chance(5) ? 0 : chance(20) ? -(uniform() + 0.1) : uniform() * 2 + 0.1 },
                  beta: sums.map { _ in uniform() - 0.5 },
                  mean: sums.map { $0.mean + (uniform() - 0.5) * $0.spread * 0.5 },
                  variance: sums.map { $0.spread * $0.spread * (uniform() + 0.5) }, eps: 1e-5)
    }
}
