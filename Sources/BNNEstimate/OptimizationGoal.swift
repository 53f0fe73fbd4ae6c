/// What the folding optimizer is asked for.
public enum OptimizationGoal: Sendable, Equatable, CustomStringConvertible {
    /// The most frames per second within the budget, then the fewest resources at that rate.
    case maximumThroughput
    /// At least this many frames per second at the clock, with the fewest resources.
    case framesPerSecond(Double)

    public var description: String {
        switch self {
        case .maximumThroughput: return "maximum throughput"
        case .framesPerSecond(let fps): return "at least \(Formatting.number(fps)) frames/s"
        }
    }
}
