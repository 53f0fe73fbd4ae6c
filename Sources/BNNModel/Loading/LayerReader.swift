/// Reads one entry of `layers`, checking it against the shape that flows into it.
struct LayerReader {
    let decoder: TensorDecoder
    let index: Int
    /// The earlier layers, which `input` and `from` may name, and the file's version.
    let graph: LayerGraph

    private static let supportedTypes = ["dense", "conv2d", "maxpool2d", "batchnorm", "sign", "flatten"]
    static let version2Types = ["quantize", "multithreshold", "shift", "prelu", "clamp", "avgpool2d", "add"]

    func read(_ rawNode: Node, input: Shape3) throws(Diagnostic) -> Layer {
        let raw = try rawNode.object()
        var name: String?
        if let nameNode = raw.optional("name") {
            name = try readText(nameNode)
            guard !(name ?? "").isEmpty else { throw nameNode.error("must not be empty") }
        }
        let typeNode = try raw.required("type")
        let type = try typeNode.string()
        // From here on, paths carry the layer's label: `layers[3] (bn1).gamma`.
        let node = Node(value: rawNode.value, path: Layer.label(index: index, name: name, type: type), file: rawNode.file)
        let object = try node.object()
        try checkVersion(type: type, typeNode: typeNode, name: name, node: node)
        var input = input
        var inputLayer: Int?
        if graph.version >= 2, let inputNode = object.optional("input") {
            (inputLayer, input) = try graph.resolve(inputNode, key: "input", at: index)
        }
        let kind: LayerKind
        let output: Shape3
        switch type {
        case "dense":
            try checkKeys(object, ["type", "name", "units", "weight", "bias", "alpha"], v2: ["weight_bits"], what: "a dense layer")
            let dense = try readDense(object, input: input)
            kind = .dense(dense)
            output = .vector(dense.units)
        case "conv2d":
            try checkKeys(object, ["type", "name", "filters", "kernel", "stride", "padding", "pad_value", "weight", "bias", "alpha"],
                          v2: ["weight_bits"], what: "a conv2d layer")
            let conv = try readConv(object, input: input)
            kind = .conv2d(conv)
            output = conv.outputShape(input)
        case "maxpool2d":
            try checkKeys(object, ["type", "name", "pool", "stride"], what: "a maxpool2d layer")
            let maxpool = try readPool(object, input: input)
            kind = .maxpool2d(maxpool)
            output = maxpool.outputShape(input)
        case "batchnorm":
            try checkKeys(object, ["type", "name", "gamma", "beta", "mean", "var", "eps"], what: "a batchnorm layer")
            kind = .batchnorm(try readBatchNorm(object, channels: input.channels))
            output = input
        case "sign":
            try checkKeys(object, ["type", "name", "offset"], what: "a sign layer")
            let offset = try object.optional("offset").map { node throws(Diagnostic) in
                try decoder.decodeVector(node, count: input.channels)
            } ?? Array(repeating: 0, count: input.channels)
            kind = .sign(Sign(offset: offset))
            output = input
        case "flatten":
            try checkKeys(object, ["type", "name", "order"], what: "a flatten layer")
            let orderNode = try object.required("order")
            let orderName = try orderNode.string()
            guard let order = FlattenOrder(rawValue: orderName) else {
                throw orderNode.error("unknown order \(JSONText.quoted(orderName)); expected \"CHW\" (PyTorch) or \"HWC\" (Keras)")
            }
            kind = .flatten(Flatten(order: order))
            output = .vector(input.count)
        case _ where graph.version >= 2 && Self.version2Types.contains(type):
            kind = try readVersion2(type, object, input: input)
            output = if case .avgpool2d(let pool) = kind { pool.outputShape(input) } else { input }
        default:
            // Called by its index, and its name if it has one (the unknown type would only confuse).
            let place = Node(value: typeNode.value, path: name.map { "\(Layer.label(index: index, name: $0, type: type)).type" } ?? typeNode.path,
                             file: typeNode.file)
            let types = graph.version >= 2 ? Self.supportedTypes + Self.version2Types : Self.supportedTypes
            throw place.error("unknown layer type \(JSONText.quoted(type)); expected one of \(types.joined(separator: ", "))")
        }
        return Layer(index: index, name: name, kind: kind, inputShape: input, outputShape: output, inputLayer: inputLayer)
    }

    /// `[h, w]` pool and stride (default = pool) that fit the input, for max- and average pooling.
    func readPool(_ object: ObjectNode, input: Shape3) throws(Diagnostic) -> MaxPool2D {
        let poolNode = try object.required("pool")
        let pool = try readPair(poolNode)
        let stride = try object.optional("stride").map { node throws(Diagnostic) in try readPair(node) } ?? pool
        guard pool.height <= input.height, pool.width <= input.width else {
            throw poolNode.error("pool [\(pool.height), \(pool.width)] does not fit the input \(input)")
        }
        return MaxPool2D(pool: pool, stride: stride)
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
        let integers = try readWeightBits(object).map { bits throws(Diagnostic) in
            IntegerMatrix(rows: units, columns: input.count, bits: bits, values: try integerWeights(weight, weightNode, bits: bits))
        }
        let bias = try object.optional("bias").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: units) }
        let alpha = try object.optional("alpha").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: units) }
        return Dense(weights: signs, integerWeights: integers, bias: bias ?? Array(repeating: 0, count: units),
                     alpha: alpha ?? Array(repeating: 1, count: units))
    }

    /// `[h, w]` or one integer meaning `[n, n]`; every entry >= 1.
    private func readPair(_ node: Node) throws(Diagnostic) -> Pair {
        if case .number = node.value {
            let n = try node.integer(in: 1...(1 << 16))
            return Pair(n, n)
        }
        let items = try node.array()
        guard items.count == 2 else { throw node.error("expected [h, w] or a single integer, got \(items.count) values") }
        return Pair(try items[0].integer(in: 1...(1 << 16)), try items[1].integer(in: 1...(1 << 16)))
    }

    private func readPadding(_ node: Node?) throws(Diagnostic) -> Padding {
        guard let node else { return .none }
        if case .number = node.value {
            let p = try node.integer(in: 0...(1 << 16))
            return Padding(top: p, bottom: p, left: p, right: p)
        }
        let items = try node.array()
        guard items.count == 4 else { throw node.error("expected [top, bottom, left, right] or a single integer, got \(items.count) values") }
        var values: [Int] = []
        for item in items { values.append(try item.integer(in: 0...(1 << 16))) }
        return Padding(top: values[0], bottom: values[1], left: values[2], right: values[3])
    }

    private func readConv(_ object: ObjectNode, input: Shape3) throws(Diagnostic) -> Conv2D {
        let filters = try object.required("filters").integer(in: 1...(1 << 20))
        let kernelNode = try object.required("kernel")
        let kernel = try readPair(kernelNode)
        let stride = try object.optional("stride").map { node throws(Diagnostic) in try readPair(node) } ?? Pair(1, 1)
        let padding = try readPadding(object.optional("padding"))
        let padValue = try object.optional("pad_value").map { node throws(Diagnostic) in try readPadValue(node) } ?? 0
        let paddedH = input.height + padding.top + padding.bottom
        let paddedW = input.width + padding.left + padding.right
        guard kernel.height <= paddedH, kernel.width <= paddedW else {
            throw kernelNode.error("kernel [\(kernel.height), \(kernel.width)] is larger than the padded input [\(paddedH), \(paddedW)]")
        }
        let weightNode = try object.required("weight")
        let weight = try decoder.decode(weightNode)
        let c = input.channels
        guard weight.shape == [filters, c, kernel.height, kernel.width] else {
            throw weightNode.error("expected shape [\(filters), \(c), \(kernel.height), \(kernel.width)] (filters x input channels x kh x kw, OIHW), got \(describe(weight.shape))")
        }
        // OIHW in the file -> columns (ky, kx, c), c fastest, as the window generator streams.
        let k = c * kernel.height * kernel.width
        var sourceOf = [Int](repeating: 0, count: filters * k)
        for o in 0..<filters {
            for ch in 0..<c {
                for ky in 0..<kernel.height {
                    for kx in 0..<kernel.width {
                        let source = ((o * c + ch) * kernel.height + ky) * kernel.width + kx
                        sourceOf[o * k + (ky * kernel.width + kx) * c + ch] = source
                    }
                }
            }
        }
        let positive = sourceOf.map { weight.values[$0] >= 0 }
        let integers = try readWeightBits(object).map { bits throws(Diagnostic) in
            let values = try integerWeights(weight, weightNode, bits: bits)
            return IntegerMatrix(rows: filters, columns: k, bits: bits, values: sourceOf.map { values[$0] })
        }
        let bias = try object.optional("bias").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: filters) }
        let alpha = try object.optional("alpha").map { node throws(Diagnostic) in try decoder.decodeVector(node, count: filters) }
        return Conv2D(weights: SignMatrix(rows: filters, columns: k, isPositive: positive), integerWeights: integers, inputChannels: c, kernel: kernel,
                      stride: stride, padding: padding, padValue: padValue,
                      bias: bias ?? Array(repeating: 0, count: filters), alpha: alpha ?? Array(repeating: 1, count: filters))
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
