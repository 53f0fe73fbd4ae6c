import BNNDesign
import BNNModel

/// Pass 5: packs weights into per-PE ROM words and thresholds into per-PE tables (FINN's
/// layout, see `WeightROM`), producing the final `Design`.
public enum PackWeights {
    public static func run(_ network: IntegerNetwork, foldings: [Folding]) -> Design {
        let layers = zip(network.layers, foldings).map { layer, folding in stage(layer, folding) }
        let binarizer = network.binarizer.map { b in
            BinarizerStage(layerIndex: b.layerIndex, label: b.label,
                           simd: (foldings.first ?? Folding(pe: 1, simd: 1)).binarizerLanes(channels: network.input.channels),
                           levelThresholds: b.levelThresholds.isEmpty ? b.thresholds.map { [$0] } : b.levelThresholds,
                           thresholdType: b.thresholdType)
        }
        guard let graph = network.nodes else {
            return Design(name: network.name, input: network.input, binarizer: binarizer, layers: layers,
                          output: network.output, labels: network.labels)
        }
        return Design(name: network.name, input: network.input, binarizer: binarizer, layers: layers,
                      output: network.output, labels: network.labels, nodes: nodes(graph, layers: layers))
    }

    /// A graph's nodes; a threshold stage takes the lanes of the stream it reads (the MVAU's PE
    /// for a join, the producing stage's for a requantization, one on the design input).
    private static func nodes(_ graph: [IntegerNode], layers: [MvauStage]) -> [DesignNode] {
        var nodes: [DesignNode] = []
        for node in graph {
            switch node.kind {
            case .layer(let l):
                nodes.append(DesignNode(kind: .mvau(layer: l), inputs: node.inputs))
            case .thresholds(let t):
                var pe = 1
                if case .node(let n) = node.inputs.first {
                    switch nodes[n].kind {
                    case .mvau(let l): pe = layers[l].folding.pe
                    case .threshold(let stage): pe = stage.pe
                    }
                }
                let stage = ThresholdStage(label: t.label, layerIndices: t.layerIndices, channels: t.channels, pixels: t.pixels, pe: pe,
                                           mainType: t.mainType, thresholdType: t.thresholdType, shortcutBits: t.shortcutBits,
                                           thresholds: packMultiThresholds(t.thresholds, pe: pe, border: nil), pool: t.pool)
                nodes.append(DesignNode(kind: .threshold(stage), inputs: node.inputs))
            }
        }
        return nodes
    }

    /// Where PE or SIMD does not divide, the matrix is padded to whole folds with weight +1:
    /// against the neutral input lane the repack in front of the MVAU writes into padding
    /// columns (a 0 bit, a not-valid lane, the zero point) that adds nothing to any accumulator;
    /// padding rows compute outputs that are dropped.
    public static func packWeights(_ weights: SignMatrix, _ folding: Folding) -> WeightROM {
        let synapseFold = folding.synapseFold(inputs: weights.columns)
        let neuronFold = folding.neuronFold(outputs: weights.rows)
        var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: neuronFold * synapseFold)
        for r in 0..<folding.paddedOutputs(weights.rows) {
            for c in 0..<folding.paddedInputs(weights.columns) where r >= weights.rows || c >= weights.columns || weights[r, c] {
                rom.setBit(bank: r % folding.pe, address: (r / folding.pe) * synapseFold + c / folding.simd, lane: c % folding.simd)
            }
        }
        return rom
    }

    /// Padding rows get threshold 0 (their outputs are dropped). `classThresholds[k][n]`:
    /// neuron n in border class k, at bank n % PE, address k * depth + n / PE.
    public static func packThresholds(_ classThresholds: [[Int]], pe: Int, border: BorderClasses? = nil) -> ThresholdROM {
        let depth = ((classThresholds.first?.count ?? 0) + pe - 1) / pe
        let classes = classThresholds.count
        var values = Array(repeating: 0, count: depth * pe * classes)
        for (k, thresholds) in classThresholds.enumerated() {
            for (n, t) in thresholds.enumerated() { values[((n % pe) * classes + k) * depth + n / pe] = t }
        }
        return ThresholdROM(pe: pe, depth: depth, values: values, border: border)
    }

    private static func stage(_ layer: IntegerLayer, _ folding: Folding) -> MvauStage {
        var activation: MvauActivation = layer.classThresholds.map {
            .thresholds(packThresholds($0, pe: folding.pe, border: layer.border))
        } ?? .accumulator
        if let multi = layer.multiThresholds { activation = .multiThreshold(packMultiThresholds(multi, pe: folding.pe, border: layer.border)) }
        let weights = layer.integerWeights.map { packIntegerWeights($0, folding) } ?? packWeights(layer.weights, folding)
        return MvauStage(layerIndices: layer.layerIndices, label: layer.label, key: layer.foldKey, inputs: layer.inputs, outputs: layer.outputs,
                         folding: folding, inputKind: layer.inputKind, weights: weights,
                         activation: activation, accumulatorType: layer.accumulatorType,
                         window: layer.window, pool: layer.pool)
    }
}
