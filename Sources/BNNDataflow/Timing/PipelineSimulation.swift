/// A plain cycle-by-cycle simulation of the dataflow pipeline with finite FIFOs: each cycle,
/// every stage whose current iteration has its input words (present at the start of the cycle)
/// and a free slot in every output FIFO (at the start of the cycle) runs it. The input is always available and
/// the output always accepted (or, with `sourcePeriod`, frame f's input only from cycle
/// f * sourcePeriod on). It checks the FIFO plan independently of how the plan was made.
public struct PipelineSimulation: Sendable {
    /// Cycle after which frame f's last output word has been written, per frame.
    public var completions: [Int]
    /// True if every stage stopped before the last frame was done.
    public var deadlocked: Bool
    /// True if the run stopped at `maximumCycles` before the last frame was done.
    public var truncated: Bool
    /// Per FIFO, the most words it held at the start of a cycle in which a word was written, + 1:
    /// the least depth under which this very schedule still runs.
    public var peakDepths: [Int]

    public init(stages: [HardwareStage], depths: [StageID: Int], frames: Int) {
        let topology = PipelineTopology(stages)
        self.init(patterns: stages.map { IterationPattern($0.kind).flags }, topology: topology,
                  depths: topology.streams.map { depths[$0] ?? FIFOSizing.minimumDepth }, frames: frames)
    }

    /// A chain of stages: FIFO i between stage i and stage i + 1.
    public init(patterns: [[UInt8]], depths: [Int], frames: Int, sourcePeriod: Int? = nil, maximumCycles: Int = .max) {
        self.init(patterns: patterns, topology: .chain(patterns.count), depths: depths, frames: frames, sourcePeriod: sourcePeriod,
                  maximumCycles: maximumCycles)
    }

    /// Any DAG: `depths` per FIFO of `topology`, `peakDepths` in the same order.
    public init(patterns: [[UInt8]], topology: PipelineTopology, depths: [Int], frames: Int, sourcePeriod: Int? = nil, maximumCycles: Int = .max) {
        let n = patterns.count
        let fifos = topology.fifoCount
        var occupancy = [Int](repeating: 0, count: fifos)
        var delta = [Int](repeating: 0, count: fifos)
        var peaks = [Int](repeating: 0, count: fifos)
        var position = [Int](repeating: 0, count: n)
        var frame = [Int](repeating: 0, count: n)
        let lastWrite: Int = patterns.last.flatMap { $0.lastIndex { $0 & IterationPattern.write != 0 } } ?? -1
        var completions: [Int] = []
        var finished = patterns.filter(\.isEmpty).count
        if finished > 0 { frame = patterns.map { $0.isEmpty ? frames : 0 } }
        var deadlocked = false
        var truncated = false
        var cycle = 0
        while finished < n {
            if cycle >= maximumCycles {
                truncated = true
                break
            }
            var fired = false
            var waitingForInput = false
            for p in 0..<n where frame[p] < frames {
                let flag = patterns[p][position[p]]
                let ins = topology.inputs[p], outs = topology.outputs[p]
                let reads = flag & IterationPattern.read != 0 && !ins.isEmpty
                let writes = flag & IterationPattern.write != 0 && !outs.isEmpty
                let waits = p == 0 && flag & IterationPattern.read != 0 && sourcePeriod.map { cycle < frame[0] * $0 } == true
                if waits { waitingForInput = true }
                if waits || (reads && ins.contains { occupancy[$0] == 0 }) || (writes && outs.contains { occupancy[$0] >= depths[$0] }) { continue }
                if reads { for e in ins { delta[e] -= 1 } }
                if writes {
                    for e in outs {
                        delta[e] += 1
                        if occupancy[e] + 1 > peaks[e] { peaks[e] = occupancy[e] + 1 }
                    }
                }
                if p == n - 1 && position[p] == lastWrite { completions.append(cycle + 1) }
                fired = true
                position[p] += 1
                if position[p] == patterns[p].count {
                    position[p] = 0
                    frame[p] += 1
                    if frame[p] == frames { finished += 1 }
                }
            }
            for i in 0..<delta.count where delta[i] != 0 {
                occupancy[i] += delta[i]
                delta[i] = 0
            }
            if !fired && !waitingForInput {
                deadlocked = true
                break
            }
            cycle += 1
        }
        self.completions = completions
        self.deadlocked = deadlocked
        self.truncated = truncated
        self.peakDepths = peaks
    }

    /// Cycles between the last two frames' outputs.
    public var interval: Int {
        completions.count >= 2 ? completions[completions.count - 1] - completions[completions.count - 2] : 0
    }
}
