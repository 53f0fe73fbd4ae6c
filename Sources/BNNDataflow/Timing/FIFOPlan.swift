/// The FIFO depths the cycle model chose, and the timing it proved with them.
public struct FIFOPlan: Sendable, Equatable {
    /// Depth of the stream each stage writes, for every stage but the last (whose output is the
    /// top function's `out` port).
    public var depths: [StageID: Int]
    /// Cycles from the first input word to the first frame's last output word.
    public var latency: Int
    /// Cycles between consecutive frames at the output once the pipeline is full.
    public var interval: Int
    /// False when the model was not run: the design is over `FIFOSizing.maximumWork`, or its
    /// stages' word counts do not chain (a bug). Depths are then the minimum, timing 0.
    public var isModelled: Bool

    public init(depths: [StageID: Int], latency: Int, interval: Int, isModelled: Bool) {
        self.depths = depths
        self.latency = latency
        self.interval = interval
        self.isModelled = isModelled
    }
}
