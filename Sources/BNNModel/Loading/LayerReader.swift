/// Reads one entry of `layers`, checking it against the shape that flows into it.
struct LayerReader {
    let decoder: TensorDecoder
    let index: Int

    private static let supportedTypes = ["dense", "batchnorm", "sign", "flatten"]
    private static let laterTypes = ["conv2d", "maxpool2d"]

    func read(_ rawNode: Node, input: Shape3) throws(Diagnostic) -> Layer {
        let raw = try rawNode.object()
        var name: String?
        if let nameNode = raw.optional("name") {
            name = try nameNode.string()
            guard !(name ?? "").isEmpty else { throw nameNode.error("must not be empty") }
        }
        let typeNode = try raw.required("type")
        let type = try typeNode.string()
        // From here on, paths carry the layer's label: `layers[3] (bn1).gamma`.
        let node = Node(value: rawNode.value, path: Layer.label(index: index, name: name, type: type), file: rawNode.file)
        let object = try node.object()
        let kind: LayerKind
        let output: Shape3
        switch type {
        case "dense":
            try object.checkKeys(allowed: ["type", "name", "units", "weight", "bias", "alpha"], what: "a dense layer")
            let dense = try readDense(object, input: input)
            kind = .dense(dense)
            output = .vector(dense.units)
        case "batchnorm":
            try object.checkKeys(allowed: ["type", "name", "gamma", "beta", "mean", "var", "eps"], what: "a batchnorm layer")
            kind = .batchnorm(try readBatchNorm(object, channels: input.channels))
            output = input
        case "sign":
            try object.checkKeys(allowed: ["type", "name", "offset"], what: "a sign layer")
            let offset = try object.optional("offset").map { node throws(Diagnostic) in
                try decoder.decodeVector(node, count: input.channels)
            } ?? Array(repeating: 0, count: input.channels)
            kind = .sign(Sign(offset: offset))
            output = input
        case "flatten":
            try object.checkKeys(allowed: ["type", "name", "order"], what: "a flatten layer")
            let orderNode = try object.required("order")
            let orderName = try orderNode.string()
            guard let order = FlattenOrder(rawValue: orderName) else {
                throw orderNode.error("unknown order \"\(orderName)\"; expected \"CHW\" (PyTorch) or \"HWC\" (Keras)")
            }
            kind = .flatten(Flatten(order: order))
            output = .vector(input.count)
        default:
            if Self.laterTypes.contains(type) {
                throw typeNode.error("layer type \"\(type)\" is not supported yet (this version compiles dense networks: \(Self.supportedTypes.joined(separator: ", ")))")
            }
            throw typeNode.error("unknown layer type \"\(type)\"; expected one of \((Self.supportedTypes + Self.laterTypes).joined(separator: ", "))")
        }
        return Layer(index: index, name: name, kind: kind, inputShape: input, outputShape: output)
    }

    private func readDense(_ object: ObjectNode, input: Shape3) throws(Diagnostic) -> Dense {
        let unitsNode = try object.required("units")
        let units = try unitsNode.integer(in: 1...(1 << 24))
        let weightNode = try object.required("weight")
        let weight = try decoder.decode(weightNode)
        guard weight.shape == [units, input.count] else {
            throw weightNode.error("expected shape [\(units), \(input.count)] (units x inputs, inputs = \(input.count) from input shape \(input)), got \(describe(weight.shape))")
        }
        let signs = SignMatrix(rows: units, columns: input.count, isPositive: weight.values.map { $0 >= 0 })
        let bias = try object.optional("bias").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: units) }
        let alpha = try object.optional("alpha").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: units) }
        return Dense(weights: signs, bias: bias ?? Array(repeating: 0, count: units),
                     alpha: alpha ?? Array(repeating: 1, count: units))
    }

    private func readBatchNorm(_ object: ObjectNode, channels: Int) throws(Diagnostic) -> BatchNorm {
        func vector(_ key: String) throws(Diagnostic) -> [Double] {
            try decoder.decodeVector(try object.required(key), count: channels)
        }
        let gamma = try vector("gamma")
        let beta = try vector("beta")
        let mean = try vector("mean")
        let variance = try vector("var")
        var eps = 1e-5
        if let epsNode = object.optional("eps") {
            eps = try epsNode.number()
            guard eps >= 0 else { throw epsNode.error("must be >= 0, got \(formatNumber(eps))") }
        }
        let varNode = try object.required("var")
        let scalar: Bool
        if case .number = varNode.value { scalar = true } else { scalar = false }
        for (c, v) in variance.enumerated() {
            let place = scalar ? varNode : varNode.element(c, .null)
            guard v >= 0 else { throw place.error("must be >= 0, got \(formatNumber(v))") }
            guard v + eps > 0 else { throw place.error("var + eps must be > 0, got var = \(formatNumber(v)), eps = \(formatNumber(eps))") }
        }
        return BatchNorm(gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps)
    }
}
