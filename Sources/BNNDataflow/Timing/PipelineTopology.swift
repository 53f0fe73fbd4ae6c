/// Which stage writes and which reads each FIFO of the pipeline: a chain, or the DAG of a
/// residual design (a duplicate writes two FIFOs, a join reads two). An iteration that reads
/// reads one word from every input FIFO of its stage, one that writes writes one word to every
/// output FIFO (duplicate and join move in lock-step). Stage 0 reads the top function's input,
/// the last stage writes its output; stages are in call order, which is topological.
public struct PipelineTopology: Sendable, Equatable {
    /// The stream each FIFO carries (its `StageID` name), in FIFO order.
    public var streams: [StageID]
    /// Per FIFO, the stage writing it and the stage reading it.
    public var producers: [Int]
    public var consumers: [Int]
    /// Per stage, the FIFOs it reads and writes.
    public var inputs: [[Int]]
    public var outputs: [[Int]]

    /// FIFOs in the order the stages write them (for a chain: FIFO i is stage i's output).
    public init(_ stages: [HardwareStage]) {
        var index: [StageID: Int] = [:]
        streams = []
        producers = []
        consumers = []
        inputs = Array(repeating: [], count: stages.count)
        outputs = Array(repeating: [], count: stages.count)
        let read = Set(stages.flatMap(\.inputs))
        for (p, stage) in stages.enumerated() {
            for id in stage.outputs where read.contains(id) {
                index[id] = streams.count
                outputs[p].append(streams.count)
                streams.append(id)
                producers.append(p)
                consumers.append(-1)
            }
        }
        for (p, stage) in stages.enumerated() {
            for id in stage.inputs {
                guard let e = index[id] else { continue }
                inputs[p].append(e)
                consumers[e] = p
            }
        }
    }

    /// n stages in a chain.
    public static func chain(_ n: Int) -> PipelineTopology {
        PipelineTopology(streams: (0..<max(n - 1, 0)).map { StageID.converter(layer: $0) }, producers: Array(0..<max(n - 1, 0)),
                         consumers: Array(1..<max(n, 1)), inputs: (0..<n).map { $0 == 0 ? [] : [$0 - 1] },
                         outputs: (0..<n).map { $0 == n - 1 ? [] : [$0] })
    }

    init(streams: [StageID], producers: [Int], consumers: [Int], inputs: [[Int]], outputs: [[Int]]) {
        self.streams = streams
        self.producers = producers
        self.consumers = consumers
        self.inputs = inputs
        self.outputs = outputs
    }

    public var stageCount: Int { inputs.count }
    public var fifoCount: Int { streams.count }

    /// Every FIFO has a reader after its writer (the stages are in topological order).
    public var isWellFormed: Bool {
        zip(producers, consumers).allSatisfy { $0 < $1 }
    }
}
