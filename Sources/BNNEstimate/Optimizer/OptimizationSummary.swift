/// How a folding was chosen, as the reports state it.
public struct OptimizationSummary: Sendable, Equatable {
    public var goal: String
    public var budget: String?
    public var bottleneckCycles: Int
    public var nextFasterCycles: Int?
    public var approximate: Bool

    public init(goal: String, budget: String?, bottleneckCycles: Int, nextFasterCycles: Int?, approximate: Bool) {
        self.goal = goal
        self.budget = budget
        self.bottleneckCycles = bottleneckCycles
        self.nextFasterCycles = nextFasterCycles
        self.approximate = approximate
    }

    public var lines: [String] {
        var lines = ["Folding chosen automatically: \(goal)" + (budget.map { " within \($0)" } ?? "") + "."]
        if let next = nextFasterCycles {
            lines.append("The next faster bottleneck any folding offers, \(next) cycles/frame, does not fit the budget.")
        }
        if approximate { lines.append("The search had to cut its frontier: the folding is good but not proven optimal.") }
        return lines
    }
}
