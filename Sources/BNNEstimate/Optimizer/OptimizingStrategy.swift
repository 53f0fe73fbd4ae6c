import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNModel

/// The folding optimizer as the folding pass's strategy: it prices the integer network's
/// layers before any weights are packed, so the pipeline packs once, with its answer.
public struct OptimizingStrategy: FoldingStrategy {
    public var goal: OptimizationGoal
    public var budget: ResourceBudget
    public var clockNs: Double

    public init(goal: OptimizationGoal, budget: ResourceBudget, clockNs: Double) {
        self.goal = goal
        self.budget = budget
        self.clockNs = clockNs
    }

    /// The answer's `details` is the `OptimizationResult`.
    public func choose(_ network: IntegerNetwork, pinned: [Int: Folding]) throws(Diagnostic) -> FoldingChoice {
        let result = try FoldingOptimizer(geometry: NetworkGeometry(network), pinned: pinned, clockNs: clockNs).run(goal: goal, budget: budget)
        return FoldingChoice(foldings: result.foldings, details: result)
    }
}

extension NetworkGeometry {
    /// The geometry of the design `network` packs into, with any folding.
    public init(_ network: IntegerNetwork) {
        let layers = network.layers.map { layer -> LayerGeometry in
            let thresholds = layer.classThresholds != nil || layer.multiThresholds != nil
            var geometry = LayerGeometry(key: layer.foldKey, label: layer.label, inputs: layer.inputs, outputs: layer.outputs, inputKind: layer.inputKind,
                                         accumulatorType: layer.accumulatorType, hasThresholds: thresholds, border: thresholds ? layer.border : nil,
                                         window: layer.window, pool: layer.pool)
            geometry.weightBits = layer.weightBits
            geometry.thresholdLevels = layer.multiThresholds?.levels ?? 1
            return geometry
        }
        self.init(name: network.name, input: network.input, binarizerThresholdType: network.binarizer?.thresholdType,
                  layers: layers, output: Output(network.output))
        binarizerLevels = network.binarizer.map { $0.levelThresholds.first?.count ?? 1 } ?? 1
        if let graph = network.nodes {
            // Threshold stages at one lane: `resolvingThresholdLanes` gives them their producer's.
            nodes = graph.map { node in
                switch node.kind {
                case .layer(let l):
                    return DesignNode(kind: .mvau(layer: l), inputs: node.inputs)
                case .thresholds(let t):
                    let stage = ThresholdStage(label: t.label, layerIndices: t.layerIndices, channels: t.channels, pixels: t.pixels, pe: 1,
                                               mainType: t.mainType, thresholdType: t.thresholdType, shortcutBits: t.shortcutBits,
                                               thresholds: PackWeights.packMultiThresholds(t.thresholds, pe: 1, border: nil), pool: t.pool)
                    return DesignNode(kind: .threshold(stage), inputs: node.inputs)
                }
            }
        }
    }
}
