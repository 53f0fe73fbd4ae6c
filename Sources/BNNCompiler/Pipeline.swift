import BNNDesign
import BNNModel

/// The compiler: the passes, in order. Each is a small function from one form to the next.
///
///     Network --FuseLayers--> FusedNetwork --PermuteFlatten--> FusedNetwork
///             --FoldThresholds--> IntegerNetwork --ChooseFolding (+ strategy)--> [Folding]
///             --PackWeights--> Design
public struct Pipeline: Sendable {
    public var folding: FoldingRequest
    /// Chooses the foldings the request does not pin, in place of the defaults (nil: defaults).
    public var strategy: (any FoldingStrategy)?
    /// The model file's name as the user gave it, for messages.
    public var file: String
    /// Largest total of weight bits the design's ROMs may hold; checked before packing.
    public var maxWeightBits: Int

    /// 2^27 bits (16 MiB of ROM) is several times the on-chip memory of the largest FPGAs.
    public static let defaultMaxWeightBits = 1 << 27

    public init(file: String, folding: FoldingRequest = FoldingRequest(), strategy: (any FoldingStrategy)? = nil,
                maxWeightBits: Int = Pipeline.defaultMaxWeightBits) {
        self.file = file
        self.folding = folding
        self.strategy = strategy
        self.maxWeightBits = maxWeightBits
    }

    /// Every intermediate form, for tests.
    public struct Stages: Sendable {
        public var fused: FusedNetwork
        public var integer: IntegerNetwork
        public var foldings: [Folding]
        /// The strategy's answer, when one chose the foldings.
        public var choice: FoldingChoice?
        public var design: Design
    }

    public func run(_ network: Network) throws(Diagnostic) -> Stages {
        let fused = PermuteFlatten.run(try FuseLayers.run(network, file: file))
        let integer = try FoldThresholds.run(fused, file: file)
        var foldings = try ChooseFolding.run(integer, request: folding)
        // Padded to whole folds, as PackWeights lays them out.
        let weightBits = zip(integer.layers, foldings).reduce(0) { $0 + $1.1.paddedOutputs($1.0.outputs) * $1.1.paddedInputs($1.0.inputs) * $1.0.weightBits }
        guard weightBits <= maxWeightBits else {
            throw Diagnostic(file: file, location: "layers", message: "the design's weight ROMs would hold \(weightBits) bits, over the limit of \(maxWeightBits) (raise it with --max-weight-bits)")
        }
        let choice = try strategy?.choose(integer, pinned: ChooseFolding.pinned(integer, request: folding))
        if let choice { foldings = choice.foldings }
        let design = PackWeights.run(integer, foldings: foldings)
        return Stages(fused: fused, integer: integer, foldings: foldings, choice: choice, design: design)
    }

    public func compile(_ network: Network) throws(Diagnostic) -> Design {
        try run(network).design
    }
}
