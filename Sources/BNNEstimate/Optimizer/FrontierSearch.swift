/// One budget's frontier search over the layers' options, for any bottleneck.
struct FrontierSearch {
    struct Choice {
        var options: [Int]
        var bottleneck: Int
    }

    let options: [[LayerOption]]
    let budget: ResourceBudget
    let limit: Int
    let objective: OptimizationObjective
    private(set) var approximate = false

    init(options: [[LayerOption]], budget: ResourceBudget, limit: Int, objective: OptimizationObjective) {
        self.options = options
        self.budget = budget
        self.limit = limit
        self.objective = objective
    }

    /// The cheapest choice whose every layer runs in at most `cycles`, within the budget.
    mutating func solve(_ cycles: Int) -> Choice? {
        let maxLUTs = budget.luts ?? .max
        let maxBRAM = budget.bram18 ?? .max
        let maxLanes = budget.lanes ?? .max
        let scale = (luts: Double(max(budget.luts ?? options.reduce(0) { $0 + ($1.map(\.cost.luts).max() ?? 0) }, 1)),
                     bram18: Double(max(budget.bram18 ?? options.reduce(0) { $0 + ($1.map(\.cost.bram18).max() ?? 0) }, 1)),
                     lanes: Double(max(budget.lanes ?? options.reduce(0) { $0 + ($1.map(\.lanes).max() ?? 0) }, 1)))
        var layers: [[ParetoFrontier.Point]] = []
        var frontier = [ParetoFrontier.Point(luts: 0, bram18: 0, lanes: 0, option: -1, parent: -1)]
        for layerOptions in options {
            // This layer's foldings fast enough, less the ones another beats on every resource.
            let fast = layerOptions.enumerated().filter { $0.element.cycles <= cycles }.map {
                ParetoFrontier.Point(luts: $0.element.cost.luts, bram18: $0.element.cost.bram18, lanes: $0.element.lanes, option: $0.offset, parent: -1)
            }
            let (useful, _) = ParetoFrontier.prune(fast, limit: Int.max, scale: scale)
            var next: [ParetoFrontier.Point] = []
            next.reserveCapacity(frontier.count * useful.count)
            for (parent, p) in frontier.enumerated() {
                for o in useful {
                    let luts = p.luts + o.luts, bram = p.bram18 + o.bram18, lanes = p.lanes + o.lanes
                    if luts <= maxLUTs && bram <= maxBRAM && lanes <= maxLanes {
                        next.append(ParetoFrontier.Point(luts: luts, bram18: bram, lanes: lanes, option: o.option, parent: parent))
                    }
                }
            }
            let (pruned, cut) = ParetoFrontier.prune(next, limit: limit, scale: scale)
            approximate = approximate || cut
            guard !pruned.isEmpty else { return nil }
            layers.append(pruned)
            frontier = pruned
        }
        let key: (ParetoFrontier.Point) -> (Int, Int, Int) = objective == .luts ? { ($0.luts, $0.bram18, $0.lanes) } : { ($0.lanes, $0.luts, $0.bram18) }
        guard let best = frontier.indices.min(by: {
            let a = key(frontier[$0]), b = key(frontier[$1])
            return (a.0, a.1, a.2, $0) < (b.0, b.1, b.2, $1)
        }) else { return nil }
        var chosen = [Int](repeating: 0, count: options.count)
        var index = best
        for l in stride(from: options.count - 1, through: 0, by: -1) {
            let point = layers[l][index]
            chosen[l] = point.option
            index = point.parent
        }
        let bottleneck = chosen.enumerated().map { options[$0.offset][$0.element].cycles }.max() ?? 0
        return Choice(options: chosen, bottleneck: bottleneck)
    }
}
