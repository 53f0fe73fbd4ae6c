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
        let period = stages.map(\.cycles).max() ?? 0
        let iterations = stages.reduce(0) { Divisors.sum($0, $1.cycles) }
        let work = Divisors.sum(Divisors.product(frames, iterations), Divisors.product(Divisors.product(frames, period), stages.count))
        let patterns = work <= maximumWork ? stages.map { IterationPattern($0.kind).flags } : []
        guard !patterns.isEmpty, let sized = size(patterns, period: period, frames: frames) else {
            var depths: [StageID: Int] = [:]
            for stage in stages.dropLast() { depths[stage.id] = minimumDepth }
            return FIFOPlan(depths: depths, latency: 0, interval: 0, isModelled: false)
        }
        let chosen = tighten(patterns, witness: sized.depths, period: period, latency: sized.latency, frames: frames)
        var depths: [StageID: Int] = [:]
        for (stage, depth) in zip(stages, chosen) { depths[stage.id] = depth }
        return FIFOPlan(depths: depths, latency: sized.latency, interval: sized.interval, isModelled: true)
    }

    /// Step 4: the hardware's own peaks under the witness depths, input one frame per `period`.
    static func tighten(_ patterns: [[UInt8]], witness: [Int], period: Int, latency: Int, frames: Int) -> [Int] {
        let run = PipelineSimulation(patterns: patterns, depths: witness, frames: frames, sourcePeriod: period, maximumCycles: (frames + patterns.count + 2) * max(period, 1) + latency)
        guard !run.deadlocked, !run.truncated, run.completions.first == latency, run.interval == period else { return witness }
        return zip(run.peakDepths, witness).map { min(max(minimumDepth, $0), $1) }
    }

    /// Depths of the streams between consecutive patterns, the first frame's latency, and the
    /// output interval between the last two frames; nil if the word counts do not chain.
    static func size(_ patterns: [[UInt8]], period: Int, frames: Int) -> (depths: [Int], latency: Int, interval: Int)? {
        let n = patterns.count
        guard n > 0 else { return nil }
        let reads = patterns.map { $0.reduce(0) { $0 + Int($1 & IterationPattern.read) } }
        let writes = patterns.map { $0.reduce(0) { $0 + Int($1 >> 1) } }
        for p in 1..<max(n, 1) where reads[p] != writes[p - 1] { return nil }
        guard writes[n - 1] > 0 else { return nil }

        // 1. ASAP, unbounded. Keep the previous stage's write times, the last stage's read times.
        var upstreamWrites: [Int] = []
        var lastReads: [Int] = []
        var lastWrites: [Int] = []
        var horizon = 0
        for p in 0..<n {
            var t = -1
            var r = 0
            var stageWrites: [Int] = []
            stageWrites.reserveCapacity(writes[p] * frames)
            if p == n - 1 { lastReads.reserveCapacity(reads[p] * frames) }
            for f in 0..<frames {
                for flag in patterns[p] {
                    var time = t + 1
                    if flag & IterationPattern.read != 0 {
                        let ready = p == 0 ? f * period : upstreamWrites[r] + 1
                        if ready > time { time = ready }
                        r += 1
                        if p == n - 1 { lastReads.append(time) }
                    }
                    if flag & IterationPattern.write != 0 { stageWrites.append(time) }
                    t = time
                }
            }
            horizon = max(horizon, t)
            upstreamWrites = stageWrites
            if p == n - 1 { lastWrites = stageWrites }
        }
        let perFrame = writes[n - 1]
        let latency = lastWrites[perFrame - 1] + 1
        let interval = lastWrites[frames * perFrame - 1] - lastWrites[(frames - 1) * perFrame - 1]

        // 2. ALAP backwards from the last stage's ASAP times; 3. occupancy of each FIFO.
        var depths = [Int](repeating: minimumDepth, count: max(n - 1, 0))
        var consumerReads = lastReads
        for p in stride(from: n - 2, through: 0, by: -1) {
            let flags = patterns[p]
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
                        let deadline = consumerReads[w] - 1
                        if deadline < time { time = deadline }
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
            depths[p] = max(minimumDepth, peakOccupancy(writes: sigmaWrites, reads: consumerReads))
            consumerReads = sigmaReads
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
