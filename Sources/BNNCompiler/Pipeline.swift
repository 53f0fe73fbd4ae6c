import BNNDesign
import BNNModel

/// The compiler: the passes, in order. Each is a small function from one form to the next.
///
///     Network --FuseLayers--> FusedNetwork --PermuteFlatten--> FusedNetwork
///             --FoldThresholds--> IntegerNetwork --ChooseFolding--> [Folding]
///             --PackWeights--> Design
public struct Pipeline: Sendable {
    public var folding: FoldingRequest
    /// The model file's name as the user gave it, for messages.
    public var file: String

    public init(file: String, folding: FoldingRequest = FoldingRequest()) {
        self.file = file
        self.folding = folding
    }

    /// Every intermediate form, for tests and `--dump-after`.
    public struct Stages: Sendable {
        public var fused: FusedNetwork
        public var integer: IntegerNetwork
        public var foldings: [Folding]
        public var design: Design
    }

    public func run(_ network: Network) throws(Diagnostic) -> Stages {
        let fused = PermuteFlatten.run(try FuseLayers.run(network, file: file))
        let integer = try FoldThresholds.run(fused, file: file)
        let foldings = try ChooseFolding.run(integer, request: folding)
        let design = PackWeights.run(integer, foldings: foldings)
        return Stages(fused: fused, integer: integer, foldings: foldings, design: design)
    }

    public func compile(_ network: Network) throws(Diagnostic) -> Design {
        try run(network).design
    }
}
