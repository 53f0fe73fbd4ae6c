/// The keys and layer types version 2 adds (`weight_bits`, `pad_value: "odd_even"`, `input`,
/// quantizers, elementwise layers, `avgpool2d`, `add`), and the gate that keeps them out of
/// version-1 files, where they would change what a file means.
extension LayerReader {
    /// Unknown keys are errors; in a version-1 file, the first key version 1 does not know is
    /// reported as needing version 2 when version 2 has it (`input`, `v2`).
    func checkKeys(_ object: ObjectNode, _ v1: [String], v2: [String] = [], what: String) throws(Diagnostic) {
        let added = ["input"] + v2
        guard graph.version < 2 else { return try object.checkKeys(allowed: v1 + added, what: what) }
        if let key = object.object.keys.first(where: { !v1.contains($0) }), added.contains(key) {
            throw object.node.child(key, .null).error("key \(JSONText.quoted(key)) needs \"version\": 2 (this file says version 1)")
        }
        try object.checkKeys(allowed: v1, what: what)
    }

    /// A version-1 file may not use version 2's layer types.
    func checkVersion(type: String, typeNode: Node, name: String?, node: Node) throws(Diagnostic) {
        guard graph.version < 2, Self.version2Types.contains(type) else { return }
        let place = name == nil ? typeNode : node.child("type", typeNode.value)
        throw place.error("layer type \(JSONText.quoted(type)) needs \"version\": 2 (this file says version 1)")
    }

    /// `weight_bits` (1...8): nil for 1-bit weights (the default).
    func readWeightBits(_ object: ObjectNode) throws(Diagnostic) -> Int? {
        guard let node = object.optional("weight_bits") else { return nil }
        let bits = try node.integer(in: 1...8)
        return bits == 1 ? nil : bits
    }

    /// Multi-bit weights are used as they are: each must be an integer in the `bits`-bit range.
    func integerWeights(_ weight: Tensor, _ node: Node, bits: Int) throws(Diagnostic) -> [Int8] {
        let range = IntegerMatrix.range(bits: bits)
        var values = [Int8](repeating: 0, count: weight.values.count)
        for (i, w) in weight.values.enumerated() {
            guard w == w.rounded(), w >= Double(range.lowerBound), w <= Double(range.upperBound) else {
                let why = "must be an integer in \(range.lowerBound)...\(range.upperBound) (weight_bits \(bits)), got \(formatNumber(w))"
                if case .object = node.value {
                    throw node.child("base64", .null).error("element \(weight.indexSuffix(i)) \(why)")
                }
                throw Node(value: .null, path: node.path + weight.indexSuffix(i), file: node.file).error(why)
            }
            values[i] = Int8(w)
        }
        return values
    }

    /// 0, 1, -1, or (version 2) `"odd_even"`; a version-1 file keeps version 1's messages.
    func readPadValue(_ node: Node) throws(Diagnostic) -> PadValue {
        if case .string(let text) = node.value {
            if graph.version < 2, text == "odd_even" {
                throw node.error("pad_value \"odd_even\" needs \"version\": 2 (this file says version 1)")
            }
            if graph.version >= 2 {
                guard text == "odd_even" else { throw node.error("expected 0, 1, -1 or \"odd_even\", got \(node.typeDescription)") }
                return .oddEven
            }
        }
        return .constant(try node.integer(in: -1...1))
    }

    /// One of `version2Types`, reading a tensor of shape `input`.
    func readVersion2(_ type: String, _ object: ObjectNode, input: Shape3) throws(Diagnostic) -> LayerKind {
        let channels = input.channels
        switch type {
        case "quantize":
            try checkKeys(object, ["type", "name", "bits", "signed", "narrow", "scale", "rounding"], what: "a quantize layer")
            let bits = try object.required("bits").integer(in: 2...8)
            let signed = try object.optional("signed")?.bool() ?? false
            let narrow = try object.optional("narrow")?.bool() ?? false
            let scale = try positive(try object.required("scale"))
            var rounding = RoundingMode.halfEven
            if let node = object.optional("rounding") {
                let text = try node.string()
                guard let mode = RoundingMode(rawValue: text) else {
                    throw node.error("unknown rounding \(JSONText.quoted(text)); expected one of \(RoundingMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rounding = mode
            }
            return .quantize(Quantize(bits: bits, signed: signed, narrow: narrow, scale: scale, rounding: rounding))
        case "multithreshold":
            try checkKeys(object, ["type", "name", "thresholds", "out_scale", "out_bias"], what: "a multithreshold layer")
            let thresholds = try readThresholds(try object.required("thresholds"), channels: channels)
            let outScale = try object.optional("out_scale").map { node throws(Diagnostic) in try positive(node) } ?? 1
            let outBias = try object.optional("out_bias")?.number() ?? 0
            return .multithreshold(MultiThreshold(thresholds: thresholds, outScale: outScale, outBias: outBias))
        case "shift":
            try checkKeys(object, ["type", "name", "value"], what: "a shift layer")
            return .shift(Shift(value: try decoder.decodeVector(try object.required("value"), count: channels)))
        case "prelu":
            try checkKeys(object, ["type", "name", "slope"], what: "a prelu layer")
            return .prelu(PReLU(slope: try decoder.decodeVector(try object.required("slope"), count: channels)))
        case "clamp":
            try checkKeys(object, ["type", "name", "min", "max"], what: "a clamp layer")
            let minNode = try object.required("min")
            let low = try minNode.number()
            let high = try object.required("max").number()
            guard low < high else { throw minNode.error("must be < max, got min = \(formatNumber(low)), max = \(formatNumber(high))") }
            return .clamp(Clamp(min: low, max: high))
        case "avgpool2d":
            try checkKeys(object, ["type", "name", "pool", "stride"], what: "an avgpool2d layer")
            let pool = try readPool(object, input: input)
            return .avgpool2d(AvgPool2D(pool: pool.pool, stride: pool.stride))
        default:  // "add"
            try checkKeys(object, ["type", "name", "from"], what: "an add layer")
            let fromNode = try object.required("from")
            let (from, shape) = try graph.resolve(fromNode, key: "from", at: index)
            guard shape == input else {
                throw fromNode.error("\(graph.labels[from]) has shape \(shape), but the tensor it is added to has shape \(input); shapes must match")
            }
            return .add(Add(from: from))
        }
    }

    /// One number > 0 (finite: the parser admits no other).
    private func positive(_ node: Node) throws(Diagnostic) -> Double {
        let value = try node.number()
        guard value > 0 else { throw node.error("must be > 0, got \(formatNumber(value))") }
        return value
    }

    /// `[C][n]`: exactly one row per channel (no broadcasting), n >= 1, each row non-decreasing.
    private func readThresholds(_ node: Node, channels: Int) throws(Diagnostic) -> [[Double]] {
        let tensor = try decoder.decode(node)
        guard tensor.shape.count == 2, tensor.shape[0] == channels, tensor.shape[1] >= 1 else {
            throw node.error("expected shape [\(channels), n] (one row of n >= 1 thresholds per channel, \(channels) channels), got \(describe(tensor.shape))")
        }
        let n = tensor.shape[1]
        let rows = (0..<channels).map { Array(tensor.values[($0 * n)..<(($0 + 1) * n)]) }
        for (c, row) in rows.enumerated() {
            for i in 1..<max(1, n) where row[i] < row[i - 1] {
                let place = if case .object = node.value { node.child("base64", .null) } else { node.element(c, .null).element(i, .null) }
                let prefix = if case .object = node.value { "element [\(c)][\(i)] " } else { "" }
                throw place.error("\(prefix)thresholds must not decrease along a row, got \(formatNumber(row[i])) after \(formatNumber(row[i - 1]))")
            }
        }
        return rows
    }
}
