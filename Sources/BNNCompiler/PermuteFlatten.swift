import BNNModel

/// Pass 2: reorders each dense layer's weight columns into stream (HWC) order, so the hardware
/// never permutes activations: a CHW `flatten` costs nothing.
public enum PermuteFlatten {
    public static func run(_ fused: FusedNetwork) -> FusedNetwork {
        var result = fused
        for g in result.groups.indices {
            guard let flatten = result.groups[g].flatten, flatten.order != .hwc else { continue }
            let shape = flattenInputShape(result, g)
            result.groups[g].weights = result.groups[g].weights.permutingColumns { flatten.order.index(ofStreamPosition: $0, shape: shape) }
        }
        for g in result.codeGroups.indices {
            guard let flatten = result.codeGroups[g].flatten, flatten.order != .hwc else { continue }
            let shape = result.network.layers[result.codeGroups[g].compute.index - 1].inputShape
            let source = { (p: Int) in flatten.order.index(ofStreamPosition: p, shape: shape) }
            result.codeGroups[g].weights = result.codeGroups[g].weights.permutingColumns(source)
            result.codeGroups[g].integerWeights = result.codeGroups[g].integerWeights?.permutingColumns(source)
        }
        for u in result.graph.indices {
            guard case .compute(var group) = result.graph[u].kind, let flatten = group.flatten, flatten.order != .hwc else { continue }
            let shape = result.network.layers[group.compute.index - 1].inputShape
            let source = { (p: Int) in flatten.order.index(ofStreamPosition: p, shape: shape) }
            group.weights = group.weights.permutingColumns(source)
            group.integerWeights = group.integerWeights?.permutingColumns(source)
            result.graph[u].kind = .compute(group)
        }
        return result
    }

    /// The `[H, W, C]` shape that entered the flatten before group `g`.
    private static func flattenInputShape(_ fused: FusedNetwork, _ g: Int) -> Shape3 {
        let flattenIndex = fused.groups[g].compute.index - 1
        return fused.network.layers[flattenIndex].inputShape
    }
}
