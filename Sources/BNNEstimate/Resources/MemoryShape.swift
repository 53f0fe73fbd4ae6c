import BNNDesign

/// One memory of a stage, `banks` copies of `depth` words of `width` bits (a partitioned array
/// is one bank per partition), and what it maps to.
public struct MemoryShape: Sendable, Equatable {
    public enum Mapping: String, Sendable {
        case lutram, bram
    }

    /// What it holds: `weights`, `thresholds`, `input buffer`, `line buffer`, `row accumulators`.
    public var role: String
    public var banks: Int
    public var depth: Int
    public var width: Int

    /// FINN's rule for embedded weights (`internal_embedded` with WMEM <= 128 goes to LUTs),
    /// applied to every array the layer library declares.
    public static let lutramMaxDepth = 128

    public var mapping: Mapping { depth <= Self.lutramMaxDepth ? .lutram : .bram }

    public var resources: Resources {
        switch mapping {
        case .lutram:
            // FINN's c2 term: one LUT per bit per 64 words (RAM64X1S).
            return Resources(luts: banks * width * Divisors.ceilDiv(depth, 64))
        case .bram:
            return Resources(bram18: banks * Self.bram18(depth: depth, width: width))
        }
    }

    /// RAMB18s for one depth x width memory in simple dual-port mode: FINN's
    /// `bram_estimation` (UG573 Table 1-10 aspect ratios).
    public static func bram18(depth: Int, width: Int) -> Int {
        switch width {
        case ...1: return Divisors.ceilDiv(depth, 16384)
        case 2: return Divisors.ceilDiv(depth, 8192)
        case 3...4: return Divisors.ceilDiv(depth, 4096) * Divisors.ceilDiv(width, 4)
        case 5...9: return Divisors.ceilDiv(depth, 2048) * Divisors.ceilDiv(width, 9)
        default:
            if width <= 18 || depth > 512 { return Divisors.ceilDiv(depth, 1024) * Divisors.ceilDiv(width, 18) }
            return Divisors.ceilDiv(depth, 512) * Divisors.ceilDiv(width, 36)
        }
    }

    public var description: String { "\(banks) x \(depth) x \(width) bits (\(mapping.rawValue))" }
}
