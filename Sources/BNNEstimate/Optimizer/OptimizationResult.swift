import BNNDesign

/// The optimizer's answer: the folding, the whole design's estimate with it, and what limited it.
public struct OptimizationResult: Sendable {
    public var goal: OptimizationGoal
    public var budget: ResourceBudget
    public var objective: OptimizationObjective
    public var foldings: [Folding]
    public var estimate: DesignEstimate
    /// In maximum-throughput mode, the next faster bottleneck any folding offers, which did not
    /// fit the budget.
    public var nextFasterCycles: Int?
    /// True if the frontier ever had to be cut (the answer is then not proven optimal).
    public var approximate: Bool

    /// What the reports say about how the folding was chosen.
    public var summary: OptimizationSummary {
        OptimizationSummary(goal: goal.description, budget: budget.isUnlimited ? nil : budget.description,
                            bottleneckCycles: estimate.bottleneckCycles, nextFasterCycles: nextFasterCycles, approximate: approximate)
    }
}
