import BNNDataflow
import BNNDesign

/// Cycles, resources and FIFO depths of a design: the cost model's whole answer, a read-only
/// analysis that needs only the geometry and a (legal) folding.
public struct DesignEstimate: Sendable {
    /// The stages priced, with their FIFO depths.
    public var graph: DataflowGraph
    public var clockNs: Double
    public var stages: [StageEstimate]
    /// Every stream's FIFO (also in `stages[i].fifos` of the stage writing it).
    public var fifos: [FIFOEstimate]
    public var layers: [LayerSummary]
    public var totals: Resources

    public init(design: Design, clockNs: Double) {
        self.init(graph: DataflowGraph(design: design), clockNs: clockNs)
    }

    public init(geometry: NetworkGeometry, foldings: [Folding], clockNs: Double) {
        self.init(graph: DataflowGraph(geometry: geometry.resolvingThresholdLanes(foldings), foldings: foldings), clockNs: clockNs)
    }

    public init(graph: DataflowGraph, clockNs: Double) {
        self.graph = graph
        self.clockNs = clockNs
        let geometry = graph.geometry
        let foldings = graph.foldings
        let fifos = FIFOEstimate.all(graph)
        var stages: [StageEstimate] = []
        for (i, stage) in graph.stages.enumerated() {
            stages.append(StageEstimate(stage: stage, cycles: stage.cycles, cost: ResourceModel.cost(stage.kind, binarizerLevels: geometry.binarizerLevels),
                                        fifos: fifos.filter { $0.producer == i }))
        }
        self.stages = stages
        self.fifos = fifos
        totals = stages.reduce(Resources.zero) { $0 + $1.total }
        layers = geometry.layers.indices.map { l in
            let own = stages.filter { $0.stage.layer == l }
            let mvau = stages.firstIndex { $0.stage.id == .mvau(layer: l) }
            return LayerSummary(index: l, geometry: geometry.layers[l], folding: foldings[l],
                                cycles: own.map(\.cycles).max() ?? 0,
                                resources: own.reduce(Resources.zero) { $0 + $1.total },
                                inputFIFODepth: mvau.flatMap { $0 > 0 ? stages[$0 - 1].fifoDepth : nil },
                                outputFIFODepth: own.last?.fifoDepth)
        }
    }

    public var geometry: NetworkGeometry { graph.geometry }
    public var foldings: [Folding] { graph.foldings }
    public var fifo: FIFOPlan { graph.fifo }

    /// The FIFOs of residual shortcuts (a duplicate's second output, read by a join).
    public var shortcutFIFOs: [FIFOEstimate] { fifos.filter(\.isShortcut) }

    /// Cycles per frame of the slowest stage: the pipeline's initiation interval.
    public var bottleneckCycles: Int { graph.bottleneckCycles }

    /// The layers holding a slowest stage.
    public var bottleneckLayers: [Int] { layers.filter { $0.cycles == bottleneckCycles }.map(\.index) }

    /// Sum of PE * SIMD: multiply-accumulates per cycle when every MVAU is busy.
    public var lanes: Int { foldings.reduce(0) { $0 + $1.pe * $1.simd } }

    /// Multiply-accumulates per frame.
    public var macs: Int { geometry.macs }

    /// Cycles per frame if every lane were busy every cycle: MACs / sum(PE * SIMD).
    public var idealCycles: Double { lanes == 0 ? 0 : Double(macs) / Double(lanes) }

    /// Ideal cycles over the bottleneck's: how well the folding balances the pipeline.
    public var efficiency: Double { bottleneckCycles == 0 ? 0 : idealCycles / Double(bottleneckCycles) }

    public var framesPerSecond: Double { bottleneckCycles == 0 ? 0 : 1e9 / (clockNs * Double(bottleneckCycles)) }

    /// Cycles to the first frame's last output word.
    public var latencyCycles: Int { fifo.latency }

    public var latencyMicroseconds: Double { Double(latencyCycles) * clockNs / 1000 }
}
