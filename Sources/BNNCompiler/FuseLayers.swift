import BNNModel

/// Pass 1: groups each compute layer with the layers folded into it and refuses every other
/// arrangement, naming the layer and what is supported.
public enum FuseLayers {
    public static let supported =
        "supported: an optional leading sign, then groups of [flatten] dense|conv2d [maxpool2d] [batchnorm] [maxpool2d] sign [maxpool2d] (at most one maxpool2d each), ending with [flatten] dense [batchnorm]"

    public static func run(_ network: Network, file: String) throws(Diagnostic) -> FusedNetwork {
        if FuseGraph.applies(to: network) { return try FuseGraph.run(network, file: file) }
        if FuseCodeLayers.applies(to: network) { return try FuseCodeLayers.run(network, file: file) }
        var leadingSign: FusedNetwork.LeadingSign?
        var groups: [FusedGroup] = []
        var pendingFlatten: Flatten?
        var i = 0
        let layers = network.layers

        func refuse(_ layer: Layer, _ why: String) -> Diagnostic {
            Diagnostic(file: file, location: layer.label, message: "\(why); \(supported)")
        }

        while i < layers.count {
            let layer = layers[i]
            let start = i
            var group: FusedGroup
            switch layer.kind {
            case .sign(let sign):
                guard groups.isEmpty, leadingSign == nil, pendingFlatten == nil else {
                    throw refuse(layer, "sign must follow a compute layer, its batchnorm or max-pool, or come first")
                }
                leadingSign = .init(layer: layer, sign: sign)
                i += 1
                continue
            case .flatten(let flatten):
                guard i + 1 < layers.count, case .dense = layers[i + 1].kind else {
                    throw refuse(layer, "flatten must stand directly before a dense layer")
                }
                pendingFlatten = flatten
                i += 1
                continue
            case .batchnorm:
                throw refuse(layer, "batchnorm must follow a compute layer (dense or conv2d)")
            case .maxpool2d:
                throw refuse(layer, "maxpool2d must follow a conv2d, its batchnorm or its sign")
            case .dense(let dense):
                group = FusedGroup(compute: layer, weights: dense.weights, alpha: dense.alpha, bias: dense.bias,
                                   convolution: nil, flatten: pendingFlatten, batchnorm: nil, sign: nil, pool: nil,
                                   layerIndices: pendingFlatten == nil ? [i] : [i - 1, i],
                                   readsRawInput: groups.isEmpty && leadingSign == nil)
            case .conv2d(let conv):
                group = FusedGroup(compute: layer, weights: conv.weights, alpha: conv.alpha, bias: conv.bias,
                                   convolution: conv, flatten: nil, batchnorm: nil, sign: nil, pool: nil,
                                   layerIndices: [i], readsRawInput: groups.isEmpty && leadingSign == nil)
            case .quantize, .multithreshold, .shift, .prelu, .clamp, .avgpool2d, .add:
                throw refuse(layer, "\(layer.kind.typeName) cannot be compiled yet")  // FuseGraph and FuseCodeLayers take these first
            }
            pendingFlatten = nil
            i += 1
            // The layers that may follow a compute layer, in order, each at most once.
            func take(_ position: FusedPool.Position) throws(Diagnostic) {
                guard i < layers.count, case .maxpool2d(let pool) = layers[i].kind else { return }
                guard group.convolution != nil else { throw refuse(layers[i], "maxpool2d must follow a conv2d group, not a dense layer") }
                guard group.pool == nil else { throw refuse(layers[i], "at most one maxpool2d per group") }
                group.pool = FusedPool(layer: layers[i], pool: pool, position: position)
                group.layerIndices.append(i)
                i += 1
            }
            try take(.beforeBatchnorm)
            if i < layers.count, case .batchnorm(let bn) = layers[i].kind {
                group.batchnorm = bn
                group.layerIndices.append(i)
                i += 1
                try take(.beforeSign)
            }
            if i < layers.count, case .sign(let sign) = layers[i].kind {
                group.sign = sign
                group.layerIndices.append(i)
                i += 1
                try take(.afterSign)
                if i == layers.count {
                    throw refuse(layers[i - 1], "the network must end with dense [batchnorm]: a trailing \(layers[i - 1].kind.typeName) is refused because the outputs are logits or their argmax")
                }
            } else if i < layers.count {
                let next = layers[i]
                if case .dense = next.kind {
                    throw refuse(next, "dense layer follows \(group.compute.label) without a sign in between")
                }
                throw refuse(next, "\(next.kind.typeName) cannot follow \(layers[i - 1].label) here")
            } else if group.convolution != nil || group.pool != nil {
                throw refuse(layers[start], "the last compute layer must be a dense layer (optionally followed by one batchnorm)")
            }
            groups.append(group)
        }
        guard !groups.isEmpty else {
            throw Diagnostic(file: file, location: "layers", message: "the network has no compute layer; \(supported)")
        }
        return FusedNetwork(network: network, leadingSign: leadingSign, groups: groups)
    }
}
