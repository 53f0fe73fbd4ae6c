import BNNDataflow

/// One stage with its cycles, size, and the FIFOs it writes.
public struct StageEstimate: Sendable {
    public var stage: HardwareStage
    public var cycles: Int
    public var cost: StageCost
    /// The FIFOs of the streams it writes: none for the last stage (the `out` port), two for a
    /// duplicate (its own stream and the shortcut copy).
    public var fifos: [FIFOEstimate]

    public init(stage: HardwareStage, cycles: Int, cost: StageCost, fifos: [FIFOEstimate]) {
        self.stage = stage
        self.cycles = cycles
        self.cost = cost
        self.fifos = fifos
    }

    /// Depth of the stream named by the stage's own id; nil for the `out` port.
    public var fifoDepth: Int? { fifos.first { $0.stream == stage.id }?.depth }

    /// The size of all its FIFOs.
    public var fifoCost: Resources { fifos.reduce(Resources.zero) { $0 + $1.cost } }

    /// The stage and its output FIFOs.
    public var total: Resources { cost.total + fifoCost }
}
