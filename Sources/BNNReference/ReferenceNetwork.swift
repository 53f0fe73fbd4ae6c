import BNNModel

/// The oracle: evaluates a network with the spec's semantics in float64.
///
/// Every golden vector (tests, generated testbenches) comes from here, never from the code it
/// checks. It is deliberately plain: one layer at a time, no packing, no thresholds. Exact
/// tensors stay exact (integer codes on an exact scale) until a float64 step reads them.
public struct ReferenceNetwork: Sendable {
    public let network: Network
    /// Each compute layer's weights as used (+-1 or the integers), by layer index.
    private let weights: [Int: ExactSums]
    /// For each layer read later through `input` or `from`: the last layer that reads it.
    private let lastReader: [Int: Int]

    public init(_ network: Network) {
        self.network = network
        var weights: [Int: ExactSums] = [:]
        var lastReader: [Int: Int] = [:]
        for layer in network.layers {
            switch layer.kind {
            case .dense(let d): weights[layer.index] = ExactSums(signs: d.weights, integers: d.integerWeights)
            case .conv2d(let c): weights[layer.index] = ExactSums(signs: c.weights, integers: c.integerWeights)
            case .add(let add): lastReader[add.from] = layer.index
            default: break
            }
            if let source = layer.inputLayer { lastReader[source] = max(lastReader[source] ?? 0, layer.index) }
        }
        self.weights = weights
        self.lastReader = lastReader
    }

    /// Evaluates one input, given as the encoding's integers in HWC order.
    public func evaluate(_ input: [Int]) throws(ReferenceError) -> ReferenceResult {
        guard input.count == network.input.shape.count else {
            throw ReferenceError(message: "input has \(input.count) elements, the network expects \(network.input.shape.count)")
        }
        let zeroPoint = network.input.zeroPoint
        let modelInput = ReferenceTensor.coded(CodedTensor(codes: input.map { $0 - zeroPoint }, step: network.input.scale))
        var previous = modelInput
        var kept: [Int: ReferenceTensor] = [:]
        var outputs: [[Double]] = []
        var sums: [Int: [Int]] = [:]
        for layer in network.layers {
            var x = previous
            if let source = layer.inputLayer {
                guard let earlier = kept[source] else { throw ReferenceError(message: "\(layer.label): the output of layers[\(source)] was not kept") }
                x = earlier
            }
            let y = try apply(layer, x, kept: kept, sums: &sums)
            if lastReader[layer.index] != nil { kept[layer.index] = y }
            for (source, reader) in lastReader where reader == layer.index { kept[source] = nil }
            outputs.append(y.realValues)
            previous = y
        }
        let logits = outputs.last ?? []
        return ReferenceResult(layerOutputs: outputs, sums: sums, logits: logits, prediction: argmax(logits))
    }

    private func apply(_ layer: Layer, _ x: ReferenceTensor, kept: [Int: ReferenceTensor], sums: inout [Int: [Int]]) throws(ReferenceError) -> ReferenceTensor {
        let channels = layer.inputShape.channels
        switch layer.kind {
        case .dense(let dense):
            let (real, exact) = try denseSums(layer, x)
            if let exact { sums[layer.index] = exact }
            return .real((0..<dense.units).map { dense.apply(real[$0], unit: $0) })
        case .conv2d(let conv):
            let (real, exact) = try convSums(conv, layer, x)
            if let exact { sums[layer.index] = exact }
            return .real((0..<real.count).map { conv.apply(real[$0], filter: $0 % conv.filters) })
        case .maxpool2d(let pool):
            return ReferencePooling.max(pool, x, input: layer.inputShape)
        case .avgpool2d(let pool):
            return try ReferencePooling.average(pool, x, input: layer.inputShape, label: layer.label)
        case .flatten(let flatten):
            return x.permuted(flatten.order, shape: layer.inputShape)
        case .batchnorm(let bn):
            return .real(x.realValues.enumerated().map { bn.apply($0.element, channel: $0.offset % channels) })
        case .sign(let sign):
            let codes = x.realValues.enumerated().map { ReferenceMath.sign($0.element, offset: sign.offset[$0.offset % channels]) ? 1 : -1 }
            return .coded(CodedTensor(codes: codes, step: 1))
        case .quantize(let q):
            return .coded(CodedTensor(codes: x.realValues.map { ReferenceMath.quantize($0, q) }, step: q.scale))
        case .multithreshold(let m):
            let codes = x.realValues.enumerated().map { ReferenceMath.multithreshold($0.element, row: m.thresholds[$0.offset % channels]) }
            return .coded(CodedTensor(codes: codes, step: m.outScale, offset: m.outBias))
        case .shift(let shift):
            return .real(x.realValues.enumerated().map { $0.element + shift.value[$0.offset % channels] })
        case .prelu(let prelu):
            return .real(x.realValues.enumerated().map { ReferenceMath.prelu($0.element, slope: prelu.slope[$0.offset % channels]) })
        case .clamp(let clamp):
            return .real(x.realValues.map { ReferenceMath.clamp($0, clamp) })
        case .add(let add):
            guard let z = kept[add.from] else { throw ReferenceError(message: "\(layer.label): the output of layers[\(add.from)] was not kept") }
            return .real(zip(x.realValues, z.realValues).map { $0 + $1 })
        }
    }

    /// Version 1 defines compute layers on the input and +-1 activations only (a float64 tensor
    /// whose values are all +-1 is taken as such); version 2 on any tensor.
    private func computeInput(_ x: ReferenceTensor, _ layer: Layer) throws(ReferenceError) -> ReferenceTensor {
        guard network.version < 2, case .real(let values) = x else { return x }
        guard values.allSatisfy({ $0 == 1 || $0 == -1 }) else {
            throw ReferenceError(message: "\(layer.label): input is not +-1; a compute layer must follow the input, a sign or a max-pool after a sign")
        }
        return .coded(CodedTensor(codes: values.map { Int($0) }, step: 1))
    }

    private func checkedSums(_ layer: Layer, _ x: ReferenceTensor, fanIn: Int) throws(ReferenceError) -> ExactSums {
        if case .coded(let coded) = x { try ExactSums.fits(coded, fanIn: fanIn, label: layer.label) }
        guard let sums = weights[layer.index] else { throw ReferenceError(message: "\(layer.label): no weights") }
        return sums
    }

    /// The exact sums of a dense layer, and its integer accumulators where the input has them.
    private func denseSums(_ layer: Layer, _ input: ReferenceTensor) throws(ReferenceError) -> (real: [Double], exact: [Int]?) {
        let x = try computeInput(input, layer)
        let m = try checkedSums(layer, x, fanIn: layer.inputShape.count)
        var real: [Double] = []
        var exact: [Int] = []
        real.reserveCapacity(m.rows)
        let (codes, values) = x.parts
        for j in 0..<m.rows {
            var t = ExactSums.Terms()
            let row = j * m.columns
            if values.isEmpty {
                for i in 0..<m.columns {
                    let w = Int(m.weights[row + i])
                    t.a += w * codes[i]
                    t.w += w
                }
            } else {
                for i in 0..<m.columns { t.reals.append((values[i], Int(m.weights[row + i]))) }
            }
            real.append(ExactSums.value(t, input: x))
            if let sum = ExactSums.integerSum(t, input: x) { exact.append(sum) }
        }
        return (real, exact.count == m.rows ? exact : nil)
    }

    /// The exact sums of a convolution, HWC: `A` over real positions and `P` over padded ones
    /// (each weight times the real pad value there), rounded to float64 once.
    private func convSums(_ conv: Conv2D, _ layer: Layer, _ input: ReferenceTensor) throws(ReferenceError) -> (real: [Double], exact: [Int]?) {
        let x = try computeInput(input, layer)
        let m = try checkedSums(layer, x, fanIn: conv.kernel.height * conv.kernel.width * conv.inputChannels)
        let shape = layer.inputShape
        let output = layer.outputShape
        var real: [Double] = []
        var exact: [Int] = []
        real.reserveCapacity(output.count)
        let (codes, values) = x.parts
        for oy in 0..<output.height {
            for ox in 0..<output.width {
                for o in 0..<conv.filters {
                    var t = ExactSums.Terms()
                    let row = o * m.columns
                    for ky in 0..<conv.kernel.height {
                        for kx in 0..<conv.kernel.width {
                            let y = oy * conv.stride.height + ky - conv.padding.top
                            let xx = ox * conv.stride.width + kx - conv.padding.left
                            let inside = y >= 0 && y < shape.height && xx >= 0 && xx < shape.width
                            let pad = inside ? 0 : conv.padValue.value(row: y, column: xx)
                            let base = (y * shape.width + xx) * shape.channels
                            for c in 0..<conv.inputChannels {
                                let w = Int(m.weights[row + conv.column(ky: ky, kx: kx, c: c)])
                                if !inside {
                                    t.p += w * pad
                                } else if values.isEmpty {
                                    t.a += w * codes[base + c]
                                    t.w += w
                                } else {
                                    t.reals.append((values[base + c], w))
                                }
                            }
                        }
                    }
                    real.append(ExactSums.value(t, input: x))
                    if let sum = ExactSums.integerSum(t, input: x) { exact.append(sum) }
                }
            }
        }
        return (real, exact.count == real.count ? exact : nil)
    }
}

/// What the reference computed for one input.
public struct ReferenceResult: Sendable {
    /// Each layer's output, in the layer's own numbering (flatten outputs in its order).
    public var layerOutputs: [[Double]]
    /// The exact integer sum of each compute layer, by layer index (A for the raw input, else sum of +-1 terms).
    public var sums: [Int: [Int]]
    public var logits: [Double]
    /// Index of the largest logit; the lowest index wins a tie.
    public var prediction: Int
}

public struct ReferenceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Index of the largest value; the lowest index wins a tie.
public func argmax(_ values: [Double]) -> Int {
    var best = 0
    for i in values.indices where values[i] > values[best] { best = i }
    return best
}
