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

    /// The exact sums of a dense layer: on the raw input `A = sum +-(q - zero_point)` scaled once;
    /// on +-1 activations the integer sum itself.
    private func denseSums(_ dense: Dense, _ state: Activation, _ layer: Layer) throws(ReferenceError) -> (real: [Double], exact: [Int]) {
        let terms: [Int]
        let scale: Double
        switch state {
        case .raw(let q):
            terms = q.map { $0 - network.input.zeroPoint }
            scale = network.input.scale
        case .real(let x):
            guard x.allSatisfy({ $0 == 1 || $0 == -1 }) else {
                throw ReferenceError(message: "\(layer.label): input is not +-1; a compute layer must follow the input or a sign layer")
            }
            terms = x.map { Int($0) }
            scale = 1
        }
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
