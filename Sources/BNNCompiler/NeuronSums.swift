import BNNDesign
import BNNModel
import BNNReference

/// The sums one neuron sees over a class of output positions: the accumulators it can reach
/// and the float64 value of the spec's exact sum for each, as the reference computes it.
struct NeuronSums {
    var reach: ClosedRange<Int>
    var real: (Int) -> Double
    /// The spec's integer sum for an accumulator, for messages.
    var sum: (Int) -> Int

    /// Every position alike: the whole row feeds the accumulator.
    static func uniform(row j: Int, weights: SignMatrix, range: MvauInputRange, domain: AccumulatorDomain) -> NeuronSums {
        NeuronSums(reach: AccumulatorDomain.reachable(row: j, weights: weights, input: range),
                   real: domain.realSum, sum: domain.sum)
    }

    /// An 8-bit convolution padded with `padValue` (+-1), at the positions of border class `c`:
    /// the padded taps hold the zero point, so the accumulator is `A` over the real taps only
    /// (its reach shrinks to their terms), and they add the constant
    /// `P = padValue * sum of sign(w)` over the padded taps; the real sum is `scale * A + P`,
    /// rounded once. `weights` are the original (unflipped) rows.
    static func border(row j: Int, borderClass c: Int, classes: BorderClasses, conv: Conv2D, weights: SignMatrix,
                       low: Int, high: Int, scale: Double) -> NeuronSums {
        // Constant padding only: `odd_even` is refused before folding (FuseCodeLayers takes it).
        let padValue = conv.padValue.value(row: 0, column: 0)
        var (positives, negatives, pad) = (0, 0, 0)
        for column in 0..<weights.columns {
            let tap = column / conv.inputChannels
            let positive = weights[j, column]
            if classes.isPadded(ky: tap / conv.kernel.width, kx: tap % conv.kernel.width, borderClass: c) {
                pad += positive ? padValue : -padValue
            } else if positive {
                positives += 1
            } else {
                negatives += 1
            }
        }
        return NeuronSums(reach: (positives * low - negatives * high)...(positives * high - negatives * low),
                          real: { ReferenceMath.paddedSum($0, scale: scale, padding: pad) }, sum: { $0 })
    }
}
