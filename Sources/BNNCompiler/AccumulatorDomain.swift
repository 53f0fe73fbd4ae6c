import BNNModel

/// The integer an MVAU accumulates for one neuron, and how it maps back to the spec's sum.
///
/// Binary input: `acc` = number of agreeing bits, 0...MW, spec sum `2*acc - MW`.
/// Integer input: `acc = sum +-(q - zero_point)`, the spec's integer A itself.
struct AccumulatorDomain {
    var accScale: Int
    var accOffset: Int
    /// The real sum is `inputScale * (accScale*acc + accOffset)`, rounded once.
    var inputScale: Double

    static func binary(inputs: Int) -> AccumulatorDomain {
        AccumulatorDomain(accScale: 2, accOffset: -inputs, inputScale: 1)
    }

    /// Masked binary input: the accumulator is the spec's sum itself.
    static let signedSum = AccumulatorDomain(accScale: 1, accOffset: 0, inputScale: 1)

    static func integer(scale: Double) -> AccumulatorDomain {
        AccumulatorDomain(accScale: 1, accOffset: 0, inputScale: scale)
    }

    func sum(_ acc: Int) -> Int { accScale * acc + accOffset }

    /// The float64 value of the exact sum, as the reference computes it.
    func realSum(_ acc: Int) -> Double { inputScale * Double(sum(acc)) }

    /// Every accumulator value neuron `row` can reach.
    ///
    /// Binary: all of 0...MW. Integer: each term `+-(q - zp)` spans an interval containing 0
    /// (zero_point lies in the encoding's range), so every integer between the sums of the
    /// term minima and maxima is reachable, and so is every partial sum.
    static func reachable(row: Int, weights: SignMatrix, input: MvauInputRange) -> ClosedRange<Int> {
        switch input {
        case .binary:
            return 0...weights.columns
        case .signed:
            return -weights.columns...weights.columns
        case .integer(let low, let high):
            var positives = 0
            for c in 0..<weights.columns where weights[row, c] { positives += 1 }
            let negatives = weights.columns - positives
            return (positives * low - negatives * high)...(positives * high - negatives * low)
        }
    }

    /// Accumulator of the row with its weights negated: agreements become disagreements for
    /// a popcount, signed sums change sign.
    static func flipped(_ acc: Int, inputs: Int, range: MvauInputRange) -> Int {
        if case .binary = range { return inputs - acc }
        return -acc
    }
}

/// What one input lane can hold: bits, a masked bit (+1, -1 or nothing), or `q - zero_point`
/// in `low...high`.
enum MvauInputRange {
    case binary
    case signed
    case integer(low: Int, high: Int)
}
