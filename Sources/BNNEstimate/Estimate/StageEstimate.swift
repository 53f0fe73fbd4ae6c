import BNNDataflow

/// One stage with its cycles, size, and the depth of the FIFO it writes.
public struct StageEstimate: Sendable {
    public var stage: HardwareStage
    public var cycles: Int
    public var cost: StageCost
    /// Depth of the stream this stage writes; nil for the last stage (the `out` port).
    public var fifoDepth: Int?
    /// That FIFO's own size.
    public var fifoCost: Resources

    public init(stage: HardwareStage, cycles: Int, cost: StageCost, fifoDepth: Int?, fifoCost: Resources) {
        self.stage = stage
        self.cycles = cycles
        self.cost = cost
        self.fifoDepth = fifoDepth
        self.fifoCost = fifoCost
    }

    /// The stage and its output FIFO.
    public var total: Resources { cost.total + fifoCost }
}
