import BNNModel

/// Pass 1 for networks using version 2's layers or keys: groups each compute layer with the
/// elementwise steps, quantizers and pool after it (see `CodeGroup`), and refuses every other
/// arrangement, naming the layer and what is supported.
enum FuseCodeLayers {
    static let supported =
        "supported: optional leading quantizers (sign, quantize, multithreshold), then groups of [flatten] dense|conv2d, {batchnorm, shift, prelu, clamp, at most one maxpool2d}, quantizers, [maxpool2d|avgpool2d] (one pool per group), ending with [flatten] dense [batchnorm] [shift]"

    /// True when the network needs this pass (any version-2 layer or key).
    static func applies(to network: Network) -> Bool {
        network.layers.contains { layer in
            switch layer.kind {
            case .quantize, .multithreshold, .shift, .prelu, .clamp, .avgpool2d, .add: return true
            case .dense(let d): return d.integerWeights != nil
            case .conv2d(let c): return c.integerWeights != nil || c.padValue == .oddEven
            default: return false
            }
        }
    }

    static func run(_ network: Network, file: String) throws(Diagnostic) -> FusedNetwork {
        let layers = network.layers
        func refuse(_ layer: Layer, _ why: String, key: String? = nil) -> Diagnostic {
            Diagnostic(file: file, location: layer.label + (key.map { ".\($0)" } ?? ""), message: "\(why); \(supported)")
        }
        var i = 0
        var leading: [(Layer, Quantizer)] = []
        while i < layers.count, let q = Quantizer(layers[i].kind) {
            leading.append((layers[i], q))
            i += 1
        }
        var groups: [CodeGroup] = []
        var pendingFlatten: (Int, Flatten)?
        while i < layers.count {
            let layer = layers[i]
            var group: CodeGroup
            switch layer.kind {
            case .flatten(let flatten):
                guard pendingFlatten == nil, i + 1 < layers.count, case .dense = layers[i + 1].kind else {
                    throw refuse(layer, "flatten must stand directly before a dense layer")
                }
                pendingFlatten = (i, flatten)
                i += 1
                continue
            case .dense(let d):
                group = CodeGroup(compute: layer, weights: d.weights, integerWeights: d.integerWeights, alpha: d.alpha, bias: d.bias,
                                  convolution: nil, flatten: pendingFlatten?.1,
                                  layerIndices: (pendingFlatten.map { [$0.0] } ?? []) + [i],
                                  readsRawInput: groups.isEmpty && leading.isEmpty)
            case .conv2d(let c):
                group = CodeGroup(compute: layer, weights: c.weights, integerWeights: c.integerWeights, alpha: c.alpha, bias: c.bias,
                                  convolution: c, flatten: nil, layerIndices: [i], readsRawInput: groups.isEmpty && leading.isEmpty)
            default:
                throw refuse(layer, "\(layer.kind.typeName) must follow a compute layer (dense or conv2d) or its steps")
            }
            pendingFlatten = nil
            i += 1
            // Elementwise steps and at most one max-pool, up to the quantizer.
            steps: while i < layers.count {
                let next = layers[i]
                switch next.kind {
                case .batchnorm(let bn): group.steps.append(.batchnorm(bn))
                case .shift(let s): group.steps.append(.shift(s))
                case .clamp(let c): group.steps.append(.clamp(c))
                case .prelu(let p):
                    if let c = p.slope.firstIndex(where: { !($0 >= 0) }) {
                        throw Diagnostic(file: file, location: "\(next.label).slope[\(c)]",
                                         message: "a negative prelu slope (\(p.slope[c])) makes the output neither rise nor fall with the sum, so no thresholds reproduce it")
                    }
                    group.steps.append(.prelu(p))
                case .maxpool2d(let pool):
                    guard group.convolution != nil else { throw refuse(next, "maxpool2d must follow a conv2d group, not a dense layer") }
                    guard group.prePool == nil else { throw refuse(next, "at most one pool per group") }
                    group.prePool = (next, pool, group.steps.count)
                default:
                    break steps
                }
                group.layerIndices.append(i)
                i += 1
            }
            while i < layers.count, let q = Quantizer(layers[i].kind) {
                group.quantizers.append(q)
                group.layerIndices.append(i)
                i += 1
            }
            if group.quantizers.isEmpty {
                try checkLast(group, layers: layers, at: i, refuse: refuse)
                groups.append(group)
                continue
            }
            if i < layers.count {
                let next = layers[i]
                var pool: (Pair, Pair, Bool)?
                if case .maxpool2d(let p) = next.kind { pool = (p.pool, p.stride, false) }
                if case .avgpool2d(let p) = next.kind { pool = (p.pool, p.stride, true) }
                if let (size, stride, isAverage) = pool {
                    guard group.convolution != nil else { throw refuse(next, "\(next.kind.typeName) must follow a conv2d group, not a dense layer") }
                    guard group.prePool == nil else { throw refuse(next, "at most one pool per group") }
                    group.codePool = CodePool(layer: next, isAverage: isAverage, pool: size, stride: stride)
                    group.layerIndices.append(i)
                    i += 1
                }
            }
            if i == layers.count {
                throw refuse(layers[i - 1], "the network must end with dense [batchnorm] [shift]: a trailing \(layers[i - 1].kind.typeName) is refused because the outputs are logits or their argmax")
            }
            groups.append(group)
        }
        guard !groups.isEmpty else {
            throw Diagnostic(file: file, location: "layers", message: "the network has no compute layer; \(supported)")
        }
        return FusedNetwork(network: network, leadingSign: nil, groups: [], leadingQuantizers: leading, codeGroups: groups)
    }

    /// The last group: a dense layer followed only by `[batchnorm] [shift]`, at the end.
    static func checkLast(_ group: CodeGroup, layers: [Layer], at i: Int,
                                  refuse: (Layer, String, String?) -> Diagnostic) throws(Diagnostic) {
        if i < layers.count {
            let next = layers[i]
            if case .dense = next.kind { throw refuse(next, "dense layer follows \(group.compute.label) without a quantizer in between", nil) }
            throw refuse(next, "\(next.kind.typeName) cannot follow \(layers[i - 1].label) here", nil)
        }
        guard group.convolution == nil, group.prePool == nil else {
            throw refuse(group.compute, "the last compute layer must be a dense layer (optionally followed by batchnorm and shift)", nil)
        }
        var seenShift = false
        for (n, step) in group.steps.enumerated() {
            let layer = layers[group.layerIndices[group.layerIndices.count - group.steps.count + n]]
            switch step {
            case .batchnorm where !seenShift && n == 0: continue
            case .shift where !seenShift: seenShift = true
            default:
                throw refuse(layer, "after the last dense layer only [batchnorm] [shift] may follow, in that order", nil)
            }
        }
    }
}
