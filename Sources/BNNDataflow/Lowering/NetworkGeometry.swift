import BNNDesign

/// The folding-independent shape of a compiled design: what the emitter's pipeline is built from.
public struct NetworkGeometry: Sendable {
    /// How the design ends.
    public enum Output: Sendable, Equatable {
        case logits
        case argmaxOfAccumulators
        case argmaxOfLogits

        public init(_ stage: OutputStage) {
            switch stage {
            case .logits: self = .logits
            case .argmaxOfAccumulators: self = .argmaxOfAccumulators
            case .argmaxOfLogits: self = .argmaxOfLogits
            }
        }
    }

    public var name: String
    public var input: DesignInput
    /// The input thresholds' type when the design starts with a binarizer.
    public var binarizerThresholdType: IntegerType?
    /// Thresholds per channel of the binarizer: 1 for a sign, more for a multi-level quantizer.
    public var binarizerLevels: Int = 1
    public var layers: [LayerGeometry]
    public var output: Output
    /// Who reads what (`Design.nodes`): a chain of the layers unless the design is a residual graph.
    public var nodes: [DesignNode]

    public init(name: String, input: DesignInput, binarizerThresholdType: IntegerType?, layers: [LayerGeometry], output: Output) {
        self.name = name
        self.input = input
        self.binarizerThresholdType = binarizerThresholdType
        self.layers = layers
        self.output = output
        self.nodes = DesignNode.chain(layers: layers.count)
    }

    public init(design: Design) {
        self.init(name: design.name, input: design.input, binarizerThresholdType: design.binarizer?.thresholdType,
                  layers: design.layers.map(LayerGeometry.init(stage:)), output: Output(design.output))
        binarizerLevels = design.binarizer?.levels ?? 1
        nodes = design.nodes
    }

    /// True when the nodes are the chain of the layers (lowered exactly as version 1 always was).
    public var isChain: Bool {
        nodes.count == layers.count && nodes.enumerated().allSatisfy { i, node in
            node.layer == i && node.inputs == [i == 0 ? .input : .node(i - 1)]
        }
    }

    public var classes: Int { layers.last?.outputs ?? 0 }

    /// Multiply-accumulates per frame over all layers.
    public var macs: Int { layers.reduce(0) { Divisors.sum($0, $1.macs) } }
}
