import BNNDesign

/// The first layer on 8-bit input: `acc = sum_i (w_i ? v_i : -v_i)` with `v = q - zero_point`.
struct IntegerKernel: Sendable {
    let rows: Int
    let columns: Int
    /// Per weight, 0 for +1 and -1 (all ones) for -1, column-major (`[column][row]`): one input
    /// value meets every row's weight in a contiguous, vectorizable run, and `(v ^ m) - m` is
    /// `v` or `-v` without a multiply.
    let weightsByColumn: [Int32]
    let thresholds: [Int]?

    init(rows: Int, columns: Int, weight: (Int, Int) -> Bool, thresholds: [Int]?) {
        self.rows = rows
        self.columns = columns
        var weights = [Int32](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { weights[c * rows + r] = weight(r, c) ? 0 : -1 }
        }
        weightsByColumn = weights
        self.thresholds = thresholds
    }

    /// Accumulators for `count` inputs of `columns` values each (`v = q - zero_point`).
    func accumulate(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<Int>) {
        forEachVector(values, count: count) { image, acc in
            for r in 0..<rows { output[image &* rows &+ r] = Int(acc[r]) }
        }
    }

    /// Output bits (`acc >= threshold`) packed into `(rows + 63) / 64` limbs per input.
    func threshold(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        let limits = (0..<rows).map { Int32(clamping: thresholds?[$0] ?? Int.min) }
        forEachVector(values, count: count) { image, acc in
            for r in 0..<rows where acc[r] >= limits[r] {
                output[image &* outputLimbs &+ r / 64] |= 1 << UInt64(r % 64)
            }
        }
    }

    /// Computes each input vector's accumulators in one reused buffer and hands them to `body`.
    @inline(__always)
    private func forEachVector(_ values: UnsafeBufferPointer<Int32>, count: Int, _ body: (Int, UnsafeMutableBufferPointer<Int32>) -> Void) {
        var acc = [Int32](repeating: 0, count: rows)
        weightsByColumn.withUnsafeBufferPointer { w in
            acc.withUnsafeMutableBufferPointer { acc in
                for image in 0..<count {
                    for r in 0..<rows { acc[r] = 0 }
                    let x = image &* columns
                    for c in 0..<columns {
                        let v = values[x &+ c]
                        let base = c &* rows
                        for r in 0..<rows { acc[r] &+= (v ^ w[base &+ r]) &- w[base &+ r] }
                    }
                    body(image, acc)
                }
            }
        }
    }
}
