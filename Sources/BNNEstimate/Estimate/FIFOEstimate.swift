import BNNDataflow

/// One stream's FIFO between two stages, priced as Vitis HLS maps it: shift registers (SRLs)
/// up to `ResourceModel.srlMaxBits`, block RAM above (docs/estimates.md).
public struct FIFOEstimate: Sendable, Equatable {
    /// The stream's name: the writing stage's id, or `shortcutN` for a duplicate's second output.
    public var stream: StageID
    /// Indices into `DesignEstimate.stages` of the stage writing and the stage reading it.
    public var producer: Int
    public var consumer: Int
    public var depth: Int
    /// Bits per word.
    public var width: Int
    public var cost: Resources

    public init(stream: StageID, producer: Int, consumer: Int, depth: Int, width: Int) {
        self.stream = stream
        self.producer = producer
        self.consumer = consumer
        self.depth = depth
        self.width = width
        cost = ResourceModel.fifo(depth: depth, width: width)
    }

    /// What Vitis binds it to: `.lutram` (SRL shift registers) or `.bram`.
    public var mapping: MemoryShape.Mapping { ResourceModel.fifoMapping(depth: depth, width: width) }

    /// The copy of a duplicated stream that waits for the long branch of a residual block.
    public var isShortcut: Bool {
        if case .shortcut = stream { return true }
        return false
    }

    /// Every FIFO of the graph, in the order the stages write them.
    static func all(_ graph: DataflowGraph) -> [FIFOEstimate] {
        let topology = PipelineTopology(graph.stages)
        return topology.streams.indices.compactMap { e in
            let (p, c) = (topology.producers[e], topology.consumers[e])
            guard c >= 0, let depth = graph.fifo.depths[topology.streams[e]] else { return nil }
            return FIFOEstimate(stream: topology.streams[e], producer: p, consumer: c, depth: depth, width: graph.stages[p].outputWidth)
        }
    }
}
