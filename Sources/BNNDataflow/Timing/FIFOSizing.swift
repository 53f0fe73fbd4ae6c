import BNNDesign

/// FIFO depths from a cycle-level model of the dataflow pipeline, without RTL simulation.
///
/// Every stage is an II=1 loop whose iterations read and/or write one word (`IterationPattern`).
/// In hardware an iteration fires at the first cycle where its input word is there (written at
/// least one cycle earlier) and its output FIFO had a free slot at the start of the cycle: the
/// earliest schedule meeting a set of `time >= other time + 1` constraints. Any schedule that
/// meets them all is therefore an upper bound on the hardware's, iteration by iteration.
///
/// So the model builds one such schedule that runs at the bottleneck's rate and reads its FIFO
/// depths off it:
///   1. ASAP with unbounded FIFOs, frame f of the input released at f * P (P = the slowest
///      stage's cycles per frame): every stage as early as its data allows. The last stage's
///      times are the fastest possible outputs, one frame per P cycles.
///   2. ALAP backwards from those outputs: every other stage as late as its consumer still gets
///      each word in time. Producers no longer race ahead, so FIFOs hold only what bursts need
///      (a whole vector in front of an MVAU that reads it in one neuron fold, a few rows in front
///      of a window generator).
///   3. Depth of each FIFO = its most words present when a word is written, + 1 (the ALAP
///      schedule then meets the space constraints too).
/// With those depths the hardware is never later than the ALAP schedule: one frame per P cycles,
/// and its first output exactly when ASAP produced it (ASAP is a lower bound too).
///   4. ALAP over-buffers behind a slow producer (a fast consumer waits as late as it may). So the
///      hardware itself is run with those depths, its input released one frame per P cycles
///      (`PipelineSimulation`): that schedule is the earliest one meeting the constraints, so it
///      keeps the rate and the latency, and its own peak occupancies are enough for it. They are
///      the depths chosen (an input that is always there only lets the hardware run earlier).
public enum FIFOSizing {
    /// Frames the model runs; depths come out the same from 4 frames as from more.
    public static let defaultFrames = 4
    /// Vitis HLS's default stream depth, and the least this model gives.
    public static let minimumDepth = 2
    /// Stage-iterations the model may replay (a few hundred milliseconds); larger designs keep
    /// the minimum depths and their report says the model was not run.
    public static let maximumWork = 60_000_000

    public static func plan(_ stages: [HardwareStage], frames: Int = defaultFrames) -> FIFOPlan {
        let frames = max(frames, 2)
        let topology = PipelineTopology(stages)
        let period = stages.map(\.cycles).max() ?? 0
        let iterations = stages.reduce(0) { Divisors.sum($0, $1.cycles) }
        let work = Divisors.sum(Divisors.product(frames, iterations), Divisors.product(Divisors.product(frames, period), stages.count))
        let patterns = work <= maximumWork ? stages.map { IterationPattern($0.kind).flags } : []
        guard !patterns.isEmpty, let sized = size(patterns, topology: topology, period: period, frames: frames) else {
            var depths: [StageID: Int] = [:]
            for stream in topology.streams { depths[stream] = minimumDepth }
            return FIFOPlan(depths: depths, latency: 0, interval: 0, isModelled: false)
        }
        let chosen = tighten(patterns, topology: topology, witness: sized.depths, period: period, latency: sized.latency, frames: frames)
        var depths: [StageID: Int] = [:]
        for (stream, depth) in zip(topology.streams, chosen) { depths[stream] = depth }
        return FIFOPlan(depths: depths, latency: sized.latency, interval: sized.interval, isModelled: true)
    }

    /// Step 4: the hardware's own peaks under the witness depths, input one frame per `period`.
    static func tighten(_ patterns: [[UInt8]], topology: PipelineTopology, witness: [Int], period: Int, latency: Int, frames: Int) -> [Int] {
        let run = PipelineSimulation(patterns: patterns, topology: topology, depths: witness, frames: frames, sourcePeriod: period,
                                     maximumCycles: (frames + patterns.count + 2) * max(period, 1) + latency)
        guard !run.deadlocked, !run.truncated, run.completions.first == latency, run.interval == period else { return witness }
        return zip(run.peakDepths, witness).map { min(max(minimumDepth, $0), $1) }
    }

    /// A chain of patterns (FIFO i between pattern i and i + 1).
    static func size(_ patterns: [[UInt8]], period: Int, frames: Int) -> (depths: [Int], latency: Int, interval: Int)? {
        size(patterns, topology: .chain(patterns.count), period: period, frames: frames)
    }

    /// Depths of the topology's FIFOs, the first frame's latency, and the output interval
    /// between the last two frames; nil if the word counts do not match across a FIFO.
    /// A read iteration waits for the words of all its input FIFOs (ASAP: the latest of them);
    /// a write meets the deadlines of all its output FIFOs' readers (ALAP: the earliest).
    static func size(_ patterns: [[UInt8]], topology: PipelineTopology, period: Int, frames: Int) -> (depths: [Int], latency: Int, interval: Int)? {
        let n = patterns.count
        guard n > 0, topology.stageCount == n, topology.isWellFormed else { return nil }
        let reads = patterns.map { $0.reduce(0) { $0 + Int($1 & IterationPattern.read) } }
        let writes = patterns.map { $0.reduce(0) { $0 + Int($1 >> 1) } }
        for e in 0..<topology.fifoCount where reads[topology.consumers[e]] != writes[topology.producers[e]] { return nil }
        guard writes[n - 1] > 0 else { return nil }

        // 1. ASAP, unbounded: every stage's write times, the last stage's read times.
        var asapWrites = [[Int]](repeating: [], count: n)
        var lastReads: [Int] = []
        var horizon = 0
        for p in 0..<n {
            var t = -1
            var r = 0
            var stageWrites: [Int] = []
            stageWrites.reserveCapacity(writes[p] * frames)
            if p == n - 1 { lastReads.reserveCapacity(reads[p] * frames) }
            let producers = topology.inputs[p].map { topology.producers[$0] }
            for f in 0..<frames {
                for flag in patterns[p] {
                    var time = t + 1
                    if flag & IterationPattern.read != 0 {
                        var ready = producers.isEmpty ? f * period : 0
                        for q in producers where asapWrites[q][r] + 1 > ready { ready = asapWrites[q][r] + 1 }
                        if ready > time { time = ready }
                        r += 1
                        if p == n - 1 { lastReads.append(time) }
                    }
                    if flag & IterationPattern.write != 0 { stageWrites.append(time) }
                    t = time
                }
            }
            horizon = max(horizon, t)
            asapWrites[p] = stageWrites
        }
        let lastWrites = asapWrites[n - 1]
        let perFrame = writes[n - 1]
        let latency = lastWrites[perFrame - 1] + 1
        let interval = lastWrites[frames * perFrame - 1] - lastWrites[(frames - 1) * perFrame - 1]

        // 2. ALAP backwards from the last stage's ASAP times; 3. occupancy of each FIFO.
        var alapReads = [[Int]](repeating: [], count: n)
        var alapWrites = [[Int]](repeating: [], count: n)
        alapReads[n - 1] = lastReads
        for p in stride(from: n - 2, through: 0, by: -1) {
            let flags = patterns[p]
            let consumers = topology.outputs[p].map { topology.consumers[$0] }
            var sigmaWrites = [Int](repeating: 0, count: writes[p] * frames)
            var sigmaReads = [Int](repeating: 0, count: reads[p] * frames)
            var w = sigmaWrites.count - 1
            var r = sigmaReads.count - 1
            var next = horizon + 1
            for _ in 0..<frames {
                for k in stride(from: flags.count - 1, through: 0, by: -1) {
                    let flag = flags[k]
                    var time = next - 1
                    if flag & IterationPattern.write != 0 {
                        for c in consumers where alapReads[c][w] - 1 < time { time = alapReads[c][w] - 1 }
                        sigmaWrites[w] = time
                        w -= 1
                    }
                    if flag & IterationPattern.read != 0 {
                        sigmaReads[r] = time
                        r -= 1
                    }
                    next = time
                }
            }
            alapWrites[p] = sigmaWrites
            alapReads[p] = sigmaReads
        }
        let depths = (0..<topology.fifoCount).map { e in
            max(minimumDepth, peakOccupancy(writes: alapWrites[topology.producers[e]], reads: alapReads[topology.consumers[e]]))
        }
        return (depths, latency, interval)
    }

    /// The most words a FIFO holds at the start of a cycle in which a word is written, plus that
    /// word: the depth that lets every write go ahead.
    static func peakOccupancy(writes: [Int], reads: [Int]) -> Int {
        var readsBefore = 0
        var peak = 0
        for (j, time) in writes.enumerated() {
            while readsBefore < reads.count && reads[readsBefore] < time { readsBefore += 1 }
            peak = max(peak, j - readsBefore + 1)
        }
        return peak
    }
}
