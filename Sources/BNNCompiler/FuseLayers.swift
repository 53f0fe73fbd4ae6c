import BNNModel

/// Pass 1: groups `[flatten] dense [batchnorm] sign` and refuses every other arrangement,
/// naming the layer and what is supported.
public enum FuseLayers {
    public static let supported =
        "supported: an optional leading sign, then groups of [flatten] dense [batchnorm] sign, ending with [flatten] dense [batchnorm]"

    public static func run(_ network: Network, file: String) throws(Diagnostic) -> FusedNetwork {
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
            switch layer.kind {
            case .sign(let sign):
                guard groups.isEmpty, leadingSign == nil, pendingFlatten == nil else {
                    throw refuse(layer, "sign must follow a dense layer or its batchnorm, or come first")
                }
                leadingSign = .init(layer: layer, sign: sign)
                i += 1
            case .flatten(let flatten):
                guard i + 1 < layers.count, case .dense = layers[i + 1].kind else {
                    throw refuse(layer, "flatten must stand directly before a dense layer")
                }
                pendingFlatten = flatten
                i += 1
            case .batchnorm:
                throw refuse(layer, "batchnorm must follow a dense layer")
            case .dense(let dense):
                var group = FusedGroup(
                    compute: layer, dense: dense, flatten: pendingFlatten, batchnorm: nil, sign: nil,
                    layerIndices: (pendingFlatten == nil ? [] : [i - 1]) + [i],
                    readsRawInput: groups.isEmpty && leadingSign == nil)
                pendingFlatten = nil
                i += 1
                if i < layers.count, case .batchnorm(let bn) = layers[i].kind {
                    group.batchnorm = bn
                    group.layerIndices.append(i)
                    i += 1
                }
                if i < layers.count, case .sign(let sign) = layers[i].kind {
                    group.sign = sign
                    group.layerIndices.append(i)
                    i += 1
                    if i == layers.count {
                        throw refuse(layers[i - 1], "the network must end with dense [batchnorm]: a trailing sign is refused because the outputs are logits or their argmax")
                    }
                } else if i < layers.count {
                    let next = layers[i]
                    if case .dense = next.kind {
                        throw refuse(next, "dense layer follows \(group.compute.label) without a sign in between")
                    }
                    throw refuse(next, "\(next.kind.typeName) cannot follow \(group.compute.label)\(group.batchnorm == nil ? "" : " and its batchnorm")")
                }
                groups.append(group)
            }
        }
        guard !groups.isEmpty else {
            throw Diagnostic(file: file, location: "layers", message: "the network has no dense layer; \(supported)")
        }
        return FusedNetwork(network: network, leadingSign: leadingSign, groups: groups)
    }
}
