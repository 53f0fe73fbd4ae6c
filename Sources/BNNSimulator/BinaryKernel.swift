import BNNDesign

/// XNOR-popcount matrix-vector product over a batch, with rows interleaved by 8 so one
/// `SIMD8<UInt64>` holds the same 64 columns of 8 neighbouring neurons: the input word is
/// broadcast, and xor + popcount + add handle 8 neurons per 512-bit step.
struct BinaryKernel: Sendable {
    let rows: Int
    let columns: Int
    /// 64-bit limbs per input vector.
    let inputLimbs: Int
    let blocks: Int
    /// `[block][limb]`: lane k of entry (b, l) is limb l of row 8b+k.
    let weights: [SIMD8<UInt64>]
    /// Per block: a neuron outputs +1 iff its count of disagreeing bits is <= this limit
    /// (`MW - threshold`); padding rows get -1 so they always output 0.
    let limits: [SIMD8<Int64>]
    /// Per block, the thresholds themselves, for masked input (padding rows: never fire).
    let thresholdBlocks: [SIMD8<Int64>]

    /// `rowBits(r)` gives row r's weight bits (1 = +1) as limbs, columns LSB-first.
    init(rows: Int, columns: Int, rowBits: (Int) -> [UInt64], thresholds: [Int]?) {
        self.rows = rows
        self.columns = columns
        inputLimbs = (columns + 63) / 64
        blocks = (rows + 7) / 8
        var weights = [SIMD8<UInt64>](repeating: .zero, count: blocks * inputLimbs)
        var limits = [SIMD8<Int64>](repeating: SIMD8(repeating: -1), count: blocks)
        var thresholdBlocks = [SIMD8<Int64>](repeating: SIMD8(repeating: Int64(Int32.max)), count: blocks)
        for r in 0..<rows {
            let bits = rowBits(r)
            for l in 0..<inputLimbs { weights[(r / 8) * inputLimbs + l][r % 8] = bits[l] }
            limits[r / 8][r % 8] = Int64(columns - (thresholds?[r] ?? 0))
            thresholdBlocks[r / 8][r % 8] = Int64(thresholds?[r] ?? 0)
        }
        self.weights = weights
        self.limits = limits
        self.thresholdBlocks = thresholdBlocks
    }

    /// Output bits for `count` inputs: `output` has `(rows + 63) / 64` limbs per input.
    func threshold(_ input: UnsafeBufferPointer<UInt64>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        let laneBits = SIMD8<UInt64>(1, 2, 4, 8, 16, 32, 64, 128)
        weights.withUnsafeBufferPointer { w in
            limits.withUnsafeBufferPointer { limit in
                forEachTile(count: count) { b, image in
                    let disagree = disagreements(w, block: b, input: input, image: image)
                    let fires = SIMD8<Int64>(truncatingIfNeeded: disagree) .<= limit[b]
                    let byte = SIMD8<UInt64>(repeating: 0).replacing(with: laneBits, where: fires).wrappedSum()
                    output[image * outputLimbs + (b * 8) / 64] |= byte << UInt64((b * 8) % 64)
                }
            }
        }
    }

    /// Masked input (zero-padded convolution windows): each input vector is `inputLimbs` value
    /// limbs then `inputLimbs` valid-bit limbs. The neuron's sum over valid positions is
    /// `valid - 2 * disagreements`, compared with its threshold.
    func thresholdMasked(_ input: UnsafeBufferPointer<UInt64>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        let laneBits = SIMD8<UInt64>(1, 2, 4, 8, 16, 32, 64, 128)
        weights.withUnsafeBufferPointer { w in
            for image in 0..<count {
                let xBase = image &* 2 &* inputLimbs
                var valid: Int64 = 0
                for l in 0..<inputLimbs { valid &+= Int64(input[xBase &+ inputLimbs &+ l].nonzeroBitCount) }
                for b in 0..<blocks {
                    var disagree = SIMD8<UInt64>(repeating: 0)
                    for l in 0..<inputLimbs {
                        let x = SIMD8(repeating: input[xBase &+ l])
                        let m = SIMD8(repeating: input[xBase &+ inputLimbs &+ l])
                        disagree &+= ((w[b &* inputLimbs &+ l] ^ x) & m).nonzeroBitCount
                    }
                    let sum = SIMD8<Int64>(repeating: valid) &- 2 &* SIMD8<Int64>(truncatingIfNeeded: disagree)
                    let fires = sum .>= thresholdBlocks[b]
                    let byte = SIMD8<UInt64>(repeating: 0).replacing(with: laneBits, where: fires).wrappedSum()
                    output[image * outputLimbs + (b * 8) / 64] |= byte << UInt64((b * 8) % 64)
                }
            }
        }
    }

    /// Accumulators (agreeing bits, 0...MW) for `count` inputs, `rows` per input.
    func accumulate(_ input: UnsafeBufferPointer<UInt64>, count: Int, into output: UnsafeMutableBufferPointer<Int>) {
        weights.withUnsafeBufferPointer { w in
            forEachTile(count: count) { b, image in
                let disagree = disagreements(w, block: b, input: input, image: image)
                for k in 0..<8 where b * 8 + k < rows {
                    output[image * rows + b * 8 + k] = columns - Int(disagree[k])
                }
            }
        }
    }

    /// Visits (block, image) so that one block's weights serve a tile of images while hot in cache.
    @inline(__always)
    private func forEachTile(count: Int, _ body: (Int, Int) -> Void) {
        let tile = 64
        var first = 0
        while first < count {
            let last = min(first + tile, count)
            for b in 0..<blocks {
                for image in first..<last { body(b, image) }
            }
            first = last
        }
    }

    @inline(__always)
    private func disagreements(_ w: UnsafeBufferPointer<SIMD8<UInt64>>, block b: Int,
                               input: UnsafeBufferPointer<UInt64>, image: Int) -> SIMD8<UInt64> {
        // Wrapping index arithmetic: the bounds are fixed by construction, and overflow checks
        // in this loop cost more than the popcount itself.
        var count = SIMD8<UInt64>(repeating: 0)
        let wBase = b &* inputLimbs
        let xBase = image &* inputLimbs
        for l in 0..<inputLimbs {
            count &+= (w[wBase &+ l] ^ SIMD8(repeating: input[xBase &+ l])).nonzeroBitCount
        }
        return count
    }
}
