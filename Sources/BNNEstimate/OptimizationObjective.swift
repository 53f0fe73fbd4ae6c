/// Which resource "fewest resources" minimises first.
public enum OptimizationObjective: Sendable, Equatable {
    /// LUTs, then BRAM18s, then parallel MACs.
    case luts
    /// Parallel MACs (sum of PE * SIMD), then LUTs, then BRAM18s.
    case lanes
}
