import BNNDataflow
import BNNDesign
import BNNModel

/// Chooses PE and SIMD for every layer: the highest throughput a budget allows, or the fewest
/// resources for a target frame rate. Besides divisors it weighs padded foldings (the least PE
/// for each neuron-fold count, likewise SIMD), which cost weight memory and a repack stage but
/// balance pipelines divisors cannot.
///
/// Throughput is set by the slowest layer, so for a candidate bottleneck T every layer may take
/// any folding that runs in at most T cycles, and the question "does some choice fit the budget"
/// is a multiple-choice knapsack over (LUTs, BRAM18s, MACs). It is answered exactly by keeping
/// the Pareto frontier of partial sums layer by layer (small: each layer offers a few dozen
/// foldings, most dominated). Feasibility only grows with T, so a binary search over the
/// candidate T values (every folding's cycles) finds the fastest feasible bottleneck, and the
/// frontier at that T gives the cheapest way to reach it. Converters, FIFOs, binarizer and argmax
/// are priced on the whole design afterwards and their cost is set aside from the budget, until
/// the whole design fits.
public struct FoldingOptimizer: Sendable {
    public var geometry: NetworkGeometry
    /// Layers whose folding is fixed (by `--fold`).
    public var pinned: [Int: Folding]
    public var clockNs: Double
    public var objective: OptimizationObjective
    /// Frontier size beyond which the search keeps only the most promising points (then the
    /// result is marked approximate); never reached on CNV-sized networks.
    public var frontierLimit: Int
    /// False: divisors of MH and MW only (no padding).
    public var allowsPadding = true

    public init(geometry: NetworkGeometry, pinned: [Int: Folding] = [:], clockNs: Double,
                objective: OptimizationObjective = .luts, frontierLimit: Int = 4096) {
        self.geometry = geometry
        self.pinned = pinned
        self.clockNs = clockNs
        self.objective = objective
        self.frontierLimit = frontierLimit
    }

    /// Where errors point: the option that asked for the impossible.
    static let budgetSource = "--budget"
    static let targetSource = "--target-fps"

    public func run(goal: OptimizationGoal, budget: ResourceBudget = .unlimited) throws(Diagnostic) -> OptimizationResult {
        let options = geometry.layers.indices.map { l in
            let joins = geometry.joins(fedByLayer: l)
            return pinned[l].map { [LayerOption(layer: geometry.layers[l], folding: $0, joins: joins)] } ?? LayerOption.all(geometry.layers[l], padding: allowsPadding, joins: joins)
        }
        guard !options.isEmpty, options.allSatisfy({ !$0.isEmpty }) else {
            throw Diagnostic(file: Self.budgetSource, message: "the design has no layers to fold")
        }
        let floors = options.map { $0.map(\.cycles).min() ?? 0 }
        let floor = floors.max() ?? 0
        var candidates: [Int]
        switch goal {
        case .maximumThroughput:
            candidates = Array(Set(options.flatMap { $0.map(\.cycles) }.filter { $0 >= floor })).sorted()
        case .framesPerSecond(let fps):
            let cycles = (1e9 / (clockNs * fps)).rounded(.down)
            let allowed = cycles < 1e15 ? Int(cycles) : 1_000_000_000_000_000
            guard allowed >= floor else {
                let slowest = floors.indices.max { floors[$0] < floors[$1] } ?? 0
                throw Diagnostic(file: Self.targetSource, message: "\(Formatting.number(fps)) frames/s at \(Formatting.number(clockNs)) ns allows \(allowed) cycles per frame, but \(geometry.layers[slowest].label) takes at least \(floor) with any folding (at most \(Formatting.fixed(1e9 / (clockNs * Double(floor)), 1)) frames/s)")
            }
            candidates = [allowed]
        }

        var reserve = Resources.zero
        var approximate = false
        for _ in 0..<6 {
            let inner = budget.minus(reserve)
            var search = FrontierSearch(options: options, budget: inner, limit: frontierLimit, objective: objective)
            guard let cheapest = search.solve(candidates.last ?? floor) else {
                var message = tooSmall(budget, options: options, reserve: reserve)
                if case .framesPerSecond(let fps) = goal {
                    message = "no folding reaches \(Formatting.number(fps)) frames/s (at most \(candidates.last ?? floor) cycles per frame) within \(budget)"
                }
                throw Diagnostic(file: Self.budgetSource, message: message)
            }
            var chosen = cheapest
            var nextFaster: Int?
            if goal == .maximumThroughput {
                // Smallest feasible candidate: feasibility only grows with T.
                var low = 0
                var high = candidates.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if let found = search.solve(candidates[mid]) {
                        high = mid
                        chosen = found
                    } else {
                        low = mid + 1
                    }
                }
                nextFaster = low > 0 ? candidates[low - 1] : nil
            }
            approximate = approximate || search.approximate
            let foldings = chosen.options.enumerated().map { options[$0.offset][$0.element].folding }
            let estimate = DesignEstimate(geometry: geometry, foldings: foldings, clockNs: clockNs)
            if budget.admits(estimate.totals, lanes: estimate.lanes) {
                return OptimizationResult(goal: goal, budget: budget, objective: objective, foldings: foldings, estimate: estimate,
                                          nextFasterCycles: nextFaster, approximate: approximate)
            }
            // Set aside what the layers' own stages do not account for (at least the overshoot
            // more than last time, so every round asks for less).
            let layers = chosen.options.enumerated().reduce(Resources.zero) { $0 + options[$1.offset][$1.element].cost }
            let overLUTs = max(0, estimate.totals.luts - (budget.luts ?? .max))
            let overBRAM = max(0, estimate.totals.bram18 - (budget.bram18 ?? .max))
            reserve = Resources(luts: max(estimate.totals.luts - layers.luts, reserve.luts + overLUTs),
                                bram18: max(estimate.totals.bram18 - layers.bram18, reserve.bram18 + overBRAM))
        }
        throw Diagnostic(file: Self.budgetSource, message: "no folding fits \(budget) once width converters and FIFOs are counted")
    }

    private func tooSmall(_ budget: ResourceBudget, options: [[LayerOption]], reserve: Resources) -> String {
        let leastLUTs = options.reduce(0) { $0 + ($1.map(\.cost.luts).min() ?? 0) } + reserve.luts
        let leastBRAM = options.reduce(0) { $0 + ($1.map(\.cost.bram18).min() ?? 0) } + reserve.bram18
        let leastLanes = options.reduce(0) { $0 + ($1.map(\.lanes).min() ?? 0) }
        return "no folding fits \(budget): the smallest needs about \(leastLUTs) LUTs, \(leastBRAM) BRAM18 and \(leastLanes) MACs/cycle"
    }
}

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

/// Which resource "fewest resources" minimises first.
public enum OptimizationObjective: Sendable, Equatable {
    /// LUTs, then BRAM18s, then parallel MACs.
    case luts
    /// Parallel MACs (sum of PE * SIMD), then LUTs, then BRAM18s.
    case lanes
}
