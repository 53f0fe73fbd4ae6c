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
        let layers = network.layers.map {
            LayerGeometry(key: $0.foldKey, label: $0.label, inputs: $0.inputs, outputs: $0.outputs, inputKind: $0.inputKind,
                          accumulatorType: $0.accumulatorType, hasThresholds: $0.classThresholds != nil, border: $0.classThresholds == nil ? nil : $0.border,
                          window: $0.window, pool: $0.pool)
        }
        self.init(name: network.name, input: network.input, binarizerThresholdType: network.binarizer?.thresholdType,
                  layers: layers, output: Output(network.output))
    }
}
