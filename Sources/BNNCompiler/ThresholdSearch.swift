/// Finds the integer threshold of a monotone float64 decision.
///
/// Each float64 step after the exact sum is monotone in it (rounding is monotone), so the
/// decision over the reachable accumulators is one step. We locate it by evaluating the float64
/// decision itself, never a closed-form ceil: that is what makes it exact where rounding differs
/// from real arithmetic.
public enum ThresholdSearch {
    public enum Result: Equatable {
        /// Output +1 iff `acc >= threshold` (threshold may be `lo` = always, or `hi + 1` = never).
        case rising(threshold: Int)
        /// The decision falls with `acc`: negate the weights, then search again.
        case falling
    }

    public static func find(in range: ClosedRange<Int>, decide: (Int) -> Bool) -> Result {
        let atLow = decide(range.lowerBound)
        let atHigh = decide(range.upperBound)
        if atLow == atHigh { return .rising(threshold: atLow ? range.lowerBound : range.upperBound + 1) }
        if atLow { return .falling }
        // Invariant: decide(low) == false, decide(high) == true.
        var low = range.lowerBound
        var high = range.upperBound
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if decide(mid) { high = mid } else { low = mid }
        }
        return .rising(threshold: high)
    }
}
