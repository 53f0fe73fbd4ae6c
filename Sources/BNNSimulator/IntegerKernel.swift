import BNNDesign

/// The first layer on 8-bit input: `acc = sum_i (w_i ? v_i : -v_i)` with `v = q - zero_point`.
///
/// Rows are grouped by 16 into `SIMD16<Int32>` lanes; one input value meets 16 rows' weights at
/// once, and the 16 sums stay in a register across all columns.
struct IntegerKernel: Sendable {
    let rows: Int
    let columns: Int
    let blocks: Int
    /// `[block][column]`: per weight, 0 for +1 and -1 (all ones) for -1, so `(v ^ m) - m` is `v`
    /// or `-v` without a multiply. Padding rows compute sums nobody reads.
    let masks: [SIMD16<Int32>]
    let thresholds: [Int]?

    init(rows: Int, columns: Int, weight: (Int, Int) -> Bool, thresholds: [Int]?) {
        self.rows = rows
        self.columns = columns
        blocks = (rows + 15) / 16
        var masks = [SIMD16<Int32>](repeating: .zero, count: blocks * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                masks[(r / 16) * columns + c][r % 16] = weight(r, c) ? 0 : -1
            }
        }
        self.masks = masks
        self.thresholds = thresholds
    }

    /// Accumulators for `count` inputs of `columns` values each (`v = q - zero_point`).
    func accumulate(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<Int>) {
        forEachBlock(values, count: count) { image, b, acc in
            for k in 0..<16 where b * 16 + k < rows { output[image &* rows &+ b * 16 &+ k] = Int(acc[k]) }
        }
    }

    /// Output bits (`acc >= threshold`) packed into `(rows + 63) / 64` limbs per input.
    func threshold(_ values: UnsafeBufferPointer<Int32>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        var limits = [SIMD16<Int32>](repeating: SIMD16(repeating: Int32.max), count: blocks)
        for r in 0..<rows { limits[r / 16][r % 16] = Int32(clamping: thresholds?[r] ?? Int.min) }
        let laneBits = SIMD16<UInt32>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
        forEachBlock(values, count: count) { image, b, acc in
            let fires = acc .>= limits[b]
            let bits = UInt64(SIMD16<UInt32>(repeating: 0).replacing(with: laneBits, where: fires).wrappedSum())
            output[image &* outputLimbs &+ (b * 16) / 64] |= bits << UInt64((b * 16) % 64)
        }
    }

    /// Hands each (input, block of 16 rows) its sums.
    @inline(__always)
    private func forEachBlock(_ values: UnsafeBufferPointer<Int32>, count: Int, _ body: (Int, Int, SIMD16<Int32>) -> Void) {
        masks.withUnsafeBufferPointer { m in
            for image in 0..<count {
                let x = image &* columns
                for b in 0..<blocks {
                    var acc = SIMD16<Int32>(repeating: 0)
                    let base = b &* columns
                    for c in 0..<columns {
                        let v = SIMD16<Int32>(repeating: values[x &+ c])
                        acc &+= (v ^ m[base &+ c]) &- m[base &+ c]
                    }
                    body(image, b, acc)
                }
            }
        }
    }
}
