import BNNModel

/// The oracle: evaluates a network with the spec's semantics in float64.
///
/// Every golden vector (tests, generated testbenches) comes from here, never from the code it
/// checks. It is deliberately plain: one layer at a time, no packing, no thresholds.
public struct ReferenceNetwork: Sendable {
    public let network: Network

    public init(_ network: Network) { self.network = network }

    /// Evaluates one input, given as the encoding's integers in HWC order.
    public func evaluate(_ input: [Int]) throws(ReferenceError) -> ReferenceResult {
        guard input.count == network.input.shape.count else {
            throw ReferenceError(message: "input has \(input.count) elements, the network expects \(network.input.shape.count)")
        }
        var state = Activation.raw(input)
        var outputs: [[Double]] = []
        var sums: [Int: [Int]] = [:]
        for layer in network.layers {
            switch layer.kind {
            case .dense(let dense):
                let (real, exact) = try denseSums(dense, state, layer)
                sums[layer.index] = exact
                state = .real((0..<dense.units).map { dense.apply(real[$0], unit: $0) })
            case .conv2d(let conv):
                let (real, exact) = try convSums(conv, state, layer)
                sums[layer.index] = exact
                state = .real((0..<real.count).map { conv.apply(real[$0], filter: $0 % conv.filters) })
            case .maxpool2d(let pool):
                state = .real(maxpool(pool, realValues(state), input: layer.inputShape))
            case .batchnorm(let bn):
                let x = realValues(state)
                state = .real(x.enumerated().map { bn.apply($0.element, channel: $0.offset % layer.inputShape.channels) })
            case .sign(let sign):
                let x = realValues(state)
                state = .real(x.enumerated().map {
                    ReferenceMath.sign($0.element, offset: sign.offset[$0.offset % layer.inputShape.channels]) ? 1 : -1
                })
            case .flatten(let flatten):
                state = state.permuted(flatten.order, shape: layer.inputShape)
            }
            outputs.append(realValues(state))
        }
        let logits = outputs.last ?? []
        return ReferenceResult(layerOutputs: outputs, sums: sums, logits: logits, prediction: argmax(logits))
    }

    private enum Activation {
        /// The network input before any layer: encoded integers.
        case raw([Int])
        case real([Double])

        func permuted(_ order: FlattenOrder, shape: Shape3) -> Activation {
            switch self {
            case .raw(let v): return .raw(Self.permute(v, order, shape))
            case .real(let v): return .real(Self.permute(v, order, shape))
            }
        }

        private static func permute<T>(_ values: [T], _ order: FlattenOrder, _ shape: Shape3) -> [T] {
            var result = values
            for p in 0..<values.count { result[order.index(ofStreamPosition: p, shape: shape)] = values[p] }
            return result
        }
    }

    private func realValues(_ state: Activation) -> [Double] {
        switch state {
        case .real(let v): return v
        case .raw(let q): return q.map { ReferenceMath.scaledSum($0 - network.input.zeroPoint, scale: network.input.scale) }
        }
    }

    /// Integer terms of the layer input: `q - zero_point` on the raw input (with its scale), or
    /// the +-1 activations themselves.
    private func integerTerms(_ state: Activation, _ layer: Layer) throws(ReferenceError) -> (terms: [Int], scale: Double) {
        switch state {
        case .raw(let q):
            return (q.map { $0 - network.input.zeroPoint }, network.input.scale)
        case .real(let x):
            guard x.allSatisfy({ $0 == 1 || $0 == -1 }) else {
                throw ReferenceError(message: "\(layer.label): input is not +-1; a compute layer must follow the input, a sign or a max-pool after a sign")
            }
            return (x.map { Int($0) }, 1)
        }
    }

    /// The exact sums of a convolution, HWC: `A` over real positions and `P` over padded ones
    /// (each `+-pad_value`), the real sum `scale * A + P` rounded to float64 once (a fused
    /// multiply-add rounds exactly once, `ReferenceMath.paddedSum`).
    private func convSums(_ conv: Conv2D, _ state: Activation, _ layer: Layer) throws(ReferenceError) -> (real: [Double], exact: [Int]) {
        let (terms, scale) = try integerTerms(state, layer)
        let input = layer.inputShape
        let output = layer.outputShape
        var real: [Double] = []
        var exact: [Int] = []
        real.reserveCapacity(output.count)
        for oy in 0..<output.height {
            for ox in 0..<output.width {
                for o in 0..<conv.filters {
                    var a = 0
                    var p = 0
                    for ky in 0..<conv.kernel.height {
                        for kx in 0..<conv.kernel.width {
                            let y = oy * conv.stride.height + ky - conv.padding.top
                            let x = ox * conv.stride.width + kx - conv.padding.left
                            let inside = y >= 0 && y < input.height && x >= 0 && x < input.width
                            for c in 0..<conv.inputChannels {
                                let positive = conv.weights[o, conv.column(ky: ky, kx: kx, c: c)]
                                if inside {
                                    let t = terms[(y * input.width + x) * input.channels + c]
                                    a += positive ? t : -t
                                } else {
                                    p += positive ? conv.padValue : -conv.padValue
                                }
                            }
                        }
                    }
                    exact.append(scale == 1 ? a + p : a)
                    real.append(ReferenceMath.paddedSum(a, scale: scale, padding: p))
                }
            }
        }
        return (real, exact)
    }

    private func maxpool(_ pool: MaxPool2D, _ x: [Double], input: Shape3) -> [Double] {
        let output = pool.outputShape(input)
        var result: [Double] = []
        result.reserveCapacity(output.count)
        for oy in 0..<output.height {
            for ox in 0..<output.width {
                for c in 0..<input.channels {
                    var best = -Double.infinity
                    for ky in 0..<pool.pool.height {
                        for kx in 0..<pool.pool.width {
                            let y = oy * pool.stride.height + ky
                            let xx = ox * pool.stride.width + kx
                            best = max(best, x[(y * input.width + xx) * input.channels + c])
                        }
                    }
                    result.append(best)
                }
            }
        }
        return result
    }

    /// The exact sums of a dense layer: on the raw input `A = sum +-(q - zero_point)` scaled once;
    /// on +-1 activations the integer sum itself.
    private func denseSums(_ dense: Dense, _ state: Activation, _ layer: Layer) throws(ReferenceError) -> (real: [Double], exact: [Int]) {
        let (terms, scale) = try integerTerms(state, layer)
        var exact = [Int](repeating: 0, count: dense.units)
        for j in 0..<dense.units {
            var a = 0
            for i in 0..<dense.inputs { a += dense.weights[j, i] ? terms[i] : -terms[i] }
            exact[j] = a
        }
        return (exact.map { ReferenceMath.scaledSum($0, scale: scale) }, exact)
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
