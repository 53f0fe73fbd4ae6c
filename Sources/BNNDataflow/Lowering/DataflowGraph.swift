import BNNDesign

/// The design lowered to hardware stages, with every stream's width and FIFO depth: built once
/// per design (the FIFO-depth pass runs here), then rendered by the emitter and priced by the
/// estimator, which both read it and neither recomputes it.
public struct DataflowGraph: Sendable {
    public var geometry: NetworkGeometry
    public var foldings: [Folding]
    /// The top function's processes, in call order; each names the streams it reads.
    public var stages: [HardwareStage]
    /// The FIFO depths the cycle model chose, and the timing it proved with them.
    public var fifo: FIFOPlan

    public init(design: Design) {
        self.init(geometry: NetworkGeometry(design: design), foldings: design.layers.map(\.folding))
    }

    public init(geometry: NetworkGeometry, foldings: [Folding]) {
        self.geometry = geometry
        self.foldings = foldings
        stages = DataflowPipeline.stages(geometry, foldings: foldings)
        fifo = FIFOSizing.plan(stages)
    }

    /// Depth of the stream stage `i` writes; nil for the last stage, whose output is the top
    /// function's `out` port.
    public func fifoDepth(ofStage i: Int) -> Int? {
        i + 1 < stages.count ? fifo.depths[stages[i].id] : nil
    }

    /// Cycles per frame of the slowest stage: the pipeline's initiation interval.
    public var bottleneckCycles: Int { stages.map(\.cycles).max() ?? 0 }
}
