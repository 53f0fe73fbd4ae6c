import BNNDesign
import BNNModel

/// Pass 3 for residual graphs: each unit becomes design nodes in the integer domain. A compute
/// unit without an add is an MVAU as in a chain; with an add, an MVAU with accumulator output and
/// a join after it (two nodes); a threshold unit is one threshold node. Streams carry codes whose
/// meaning (`GroupInput`) follows each unit's last quantizer and pool.
enum FoldGraph {
    static func run(_ fused: FusedNetwork, file: String) throws(Diagnostic) -> IntegerNetwork {
        let network = fused.network
        let (designInput, binarizer, input) = FoldCodes.start(fused)
        var meaning: [StreamSource: GroupInput] = [.input: input]
        /// The design node holding each unit's output.
        var nodeOf: [Int] = []
        var layers: [IntegerLayer] = []
        var nodes: [IntegerNode] = []
        var output = OutputStage.logits(maps: [])
        for (u, unit) in fused.graph.enumerated() {
            let inputs = unit.inputs.map { source -> StreamSource in
                if case .node(let v) = source { return .node(nodeOf[v]) }
                return source
            }
            // FuseGraph only lets a unit read earlier units' outputs.
            guard let main = meaning[unit.inputs[0]] else {
                throw Diagnostic(file: file, location: "layers", message: "internal error: graph unit \(u) reads a stream no earlier unit produces")
            }
            let shortcut = unit.inputs.count > 1 ? meaning[unit.inputs[1]] : nil
            switch unit.kind {
            case .compute(let group):
                let lanes = try GroupLanes.choose(group, main, spec: network.input, file: file)
                let window = FoldCodes.window(group, lanes)
                if u == fused.graph.count - 1 {
                    let (layer, stage) = try CodeLogits.lastLayer(group, lanes, mode: network.outputMode, window: window, file: file)
                    nodes.append(IntegerNode(kind: .layer(layers.count), inputs: inputs))
                    layers.append(layer)
                    output = stage
                } else if group.add == nil {
                    let (layer, out) = try FoldCodes.hidden(group, lanes, window: window, file: file)
                    nodes.append(IntegerNode(kind: .layer(layers.count), inputs: inputs))
                    layers.append(layer)
                    meaning[.node(u)] = out
                } else {
                    let (layer, join, out) = try JoinThresholds.fold(group, lanes, shortcut: shortcut, window: window, file: file)
                    nodes.append(IntegerNode(kind: .layer(layers.count), inputs: [inputs[0]]))
                    layers.append(layer)
                    nodes.append(IntegerNode(kind: .thresholds(join), inputs: [.node(nodes.count - 1), inputs[1]]))
                    meaning[.node(u)] = out
                }
            case .thresholds(let group):
                let (stage, out) = try JoinThresholds.fold(group, main: main, shortcut: shortcut, file: file)
                nodes.append(IntegerNode(kind: .thresholds(stage), inputs: inputs))
                meaning[.node(u)] = out
            }
            nodeOf.append(nodes.count - 1)
        }
        var result = IntegerNetwork(name: network.cName, input: designInput, binarizer: binarizer, layers: layers,
                                    output: output, labels: network.labels)
        result.nodes = nodes
        return result
    }
}
