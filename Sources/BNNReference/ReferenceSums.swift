import BNNModel

/// The exact sums of dense and conv2d layers, each rounded to float64 once.
///
/// On an exact input `offset + step * code` with weights `w` and real padding values `pad`, a
/// sum is `offset * W + step * A + P`: `W = sum w`, `A = sum w * code` over the real positions,
/// `P = sum w * pad` over the padded ones, all integers. When `offset` is 0 and `step` a
/// float64, a fused multiply-add `P + step * A` rounds exactly once; otherwise `ExactNumber`
/// computes it. On a float64 input (version 2 only) every value is itself exact and the sum is
/// accumulated in `ExactNumber`.
struct ExactSums {
    /// Row-major `rows x columns` weights as used: +-1 (1-bit) or the integers.
    let weights: [Int8]
    let rows: Int
    let columns: Int

    init(signs: SignMatrix, integers: IntegerMatrix?) {
        rows = signs.rows
        columns = signs.columns
        weights = integers?.values ?? signs.isPositive.map { $0 ? 1 : -1 }
    }

    /// One output's terms, gathered by the layer's loop.
    struct Terms {
        var a = 0
        var w = 0
        var p = 0
        /// Float64 input: the inputs with their weights.
        var reals: [(Double, Int)] = []
    }

    /// `|A|` stays below 2^62 when this holds: checked once per layer, so the loops can use plain `+`.
    static func fits(_ input: CodedTensor, fanIn: Int, label: String) throws(ReferenceError) {
        let (bound, overflow) = input.maxMagnitude.multipliedReportingOverflow(by: 128 * max(fanIn, 1))
        guard !overflow, bound < 1 << 62 else {
            throw ReferenceError(message: "\(label): the exact sum of its input codes could exceed 2^62; inputs this large are not supported")
        }
    }

    /// The float64 value of one output's exact sum.
    static func value(_ t: Terms, input: ReferenceTensor) -> Double {
        switch input {
        case .coded(let coded):
            if coded.offset.isZero, let step = coded.stepDouble, abs(t.a) < 1 << 53, abs(t.p) < 1 << 53 {
                return Double(t.p).addingProduct(step, Double(t.a))
            }
            return (coded.offset * t.w + coded.step * t.a + ExactNumber(t.p)).double
        case .real:
            var sum = ExactNumber(t.p)
            for (x, w) in t.reals {
                guard let exact = ExactNumber(x) else { return t.reals.reduce(Double(t.p)) { $0 + $1.0 * Double($1.1) } }
                if w != 0 { sum = sum + exact * w }
            }
            return sum.double
        }
    }

    /// The integer accumulator (`A`, plus `P` when the input step is 1), for exact inputs with no offset.
    static func integerSum(_ t: Terms, input: ReferenceTensor) -> Int? {
        guard case .coded(let coded) = input, coded.offset.isZero else { return nil }
        return coded.stepDouble == 1 ? t.a + t.p : t.a
    }
}
