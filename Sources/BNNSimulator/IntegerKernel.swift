import BNNDesign

/// The first layer on 8-bit input: `acc = sum_i (w_i ? v_i : -v_i)` with `v = q - zero_point`.
struct IntegerKernel: Sendable {
    let rows: Int
    let columns: Int
    /// +1 / -1, row-major.
    let weights: [Int32]
    let thresholds: [Int]?

    init(rows: Int, columns: Int, weight: (Int, Int) -> Bool, thresholds: [Int]?) {
        self.rows = rows
        self.columns = columns
        var weights = [Int32](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { weights[r * columns + c] = weight(r, c) ? 1 : -1 }
        }
        self.weights = weights
        self.thresholds = thresholds
    }

    /// Accumulators for `count` inputs of `columns` values each (`v = q - zero_point`).
    func accumulate(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<Int>) {
        weights.withUnsafeBufferPointer { w in
            for image in 0..<count {
                let x = image * columns
                for r in 0..<rows {
                    var acc: Int32 = 0
                    let row = r * columns
                    for c in 0..<columns { acc &+= w[row + c] &* values[x + c] }
                    output[image * rows + r] = Int(acc)
                }
            }
        }
    }

    /// Output bits (`acc >= threshold`) packed into `(rows + 63) / 64` limbs per input.
    func threshold(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        var acc = [Int](repeating: 0, count: count * rows)
        acc.withUnsafeMutableBufferPointer { accumulate(values, count: count, into: $0) }
        let outputLimbs = (rows + 63) / 64
        for image in 0..<count {
            for r in 0..<rows where acc[image * rows + r] >= (thresholds?[r] ?? Int.min) {
                output[image * outputLimbs + r / 64] |= 1 << UInt64(r % 64)
            }
        }
    }
}
