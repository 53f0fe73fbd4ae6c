/// XNOR-popcount matrix-vector product over a batch of vectors.
///
/// Rows are interleaved so one `SIMD8<UInt64>` holds the same 64 columns of 8 neurons: the input
/// word is broadcast, and xor + popcount + add handle 8 neurons per 512-bit step. Rows come in
/// quads of 32 (4 such blocks), and two input vectors go through a quad together, so each weight
/// word loaded serves 2 vectors and each input word 4 blocks. Lane k of block j is row 4k + j of
/// the quad, so the lanes' threshold flags pack into output bits without a bit transpose.
struct BinaryKernel: Sendable {
    let rows: Int
    let columns: Int
    /// 64-bit limbs per input vector.
    let inputLimbs: Int
    /// Quads of 32 rows; rows past `rows` are padding (zero weights, never fire).
    let quads: Int
    /// `[quad][limb][block in quad]`: lane k of entry (q, l, j) is limb l of row 32q + 4k + j.
    let weights: [SIMD8<UInt64>]
    /// Per block: a neuron outputs +1 iff its count of disagreeing bits is <= this limit
    /// (`MW - threshold`); padding rows get -1 so they always output 0.
    let limits: [SIMD8<Int64>]
    /// Per block, the thresholds themselves, for masked input (padding rows: never fire).
    let thresholdBlocks: [SIMD8<Int64>]

    /// Bytes of weights a group of quads may take, so the group stays in L1 while every vector
    /// of the batch passes through it.
    private static let groupBytes = 16 * 1024

    /// `rowBits(r)` gives row r's weight bits (1 = +1) as limbs, columns LSB-first.
    init(rows: Int, columns: Int, rowBits: (Int) -> [UInt64], thresholds: [Int]?) {
        self.rows = rows
        self.columns = columns
        inputLimbs = (columns + 63) / 64
        quads = (rows + 31) / 32
        var weights = [SIMD8<UInt64>](repeating: .zero, count: quads * inputLimbs * 4)
        var limits = [SIMD8<Int64>](repeating: SIMD8(repeating: -1), count: quads * 4)
        var thresholdBlocks = [SIMD8<Int64>](repeating: SIMD8(repeating: Int64(Int32.max)), count: quads * 4)
        for r in 0..<rows {
            let bits = rowBits(r)
            let (q, j, k) = (r / 32, r % 4, (r % 32) / 4)
            for l in 0..<inputLimbs { weights[(q * inputLimbs + l) * 4 + j][k] = bits[l] }
            limits[q * 4 + j][k] = Int64(columns - (thresholds?[r] ?? 0))
            thresholdBlocks[q * 4 + j][k] = Int64(thresholds?[r] ?? 0)
        }
        self.weights = weights
        self.limits = limits
        self.thresholdBlocks = thresholdBlocks
    }

    /// Output bits for the vectors of `layout`: `output` has `(rows + 63) / 64` limbs per vector.
    func threshold(_ input: UnsafeBufferPointer<UInt64>, _ layout: VectorLayout, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        limits.withUnsafeBufferPointer { limits in
            forEachPair(input, layout) { v0, v1, q, counts in
                // A quad is half an output limb. With an odd count, v1 == v0: OR-ing twice is harmless.
                let shift = UInt64((q % 2) * 32)
                output[v0 &* outputLimbs &+ q / 2] |= Self.fires(counts.0, limits, quad: q) << shift
                output[v1 &* outputLimbs &+ q / 2] |= Self.fires(counts.1, limits, quad: q) << shift
            }
        }
    }

    /// Accumulators (agreeing bits, 0...MW) for the vectors of `layout`, `rows` per vector.
    func accumulate(_ input: UnsafeBufferPointer<UInt64>, _ layout: VectorLayout, into output: UnsafeMutableBufferPointer<Int>) {
        forEachPair(input, layout) { v0, v1, q, counts in
            store(counts.0, quad: q, at: v0 &* rows, into: output)
            store(counts.1, quad: q, at: v1 &* rows, into: output)
        }
    }

    /// Masked input (zero-padded convolution windows): each input vector is `inputLimbs` value
    /// limbs then `inputLimbs` valid-bit limbs, contiguous. The neuron's sum over valid positions
    /// is `valid - 2 * disagreements`, compared with its threshold.
    func thresholdMasked(_ input: UnsafeBufferPointer<UInt64>, count: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let outputLimbs = (rows + 63) / 64
        weights.withUnsafeBufferPointer { w in
            thresholdBlocks.withUnsafeBufferPointer { t in
                guard let w = w.baseAddress, let x = input.baseAddress else { return }
                for v in 0..<count {
                    let values = x + v &* 2 &* inputLimbs
                    let valid = values + inputLimbs
                    var validCount: Int64 = 0
                    for l in 0..<inputLimbs { validCount &+= Int64(valid[l].nonzeroBitCount) }
                    for q in 0..<quads {
                        let c = maskedDisagreements(w + q &* inputLimbs &* 4, values, valid)
                        @inline(__always)
                        func sums(_ d: SIMD8<UInt64>) -> SIMD8<Int64> {
                            SIMD8(repeating: validCount) &- 2 &* SIMD8<Int64>(truncatingIfNeeded: d)
                        }
                        let flags = Self.pack(sums(c.c0) .>= t[q &* 4], sums(c.c1) .>= t[q &* 4 &+ 1],
                                              sums(c.c2) .>= t[q &* 4 &+ 2], sums(c.c3) .>= t[q &* 4 &+ 3])
                        output[v &* outputLimbs &+ q / 2] |= flags << UInt64((q % 2) * 32)
                    }
                }
            }
        }
    }

    /// Disagreement counts of the 32 rows of one quad, one `SIMD8` per block of 8.
    struct Quad {
        var c0 = SIMD8<UInt64>(repeating: 0)
        var c1 = SIMD8<UInt64>(repeating: 0)
        var c2 = SIMD8<UInt64>(repeating: 0)
        var c3 = SIMD8<UInt64>(repeating: 0)

        /// The count of row r (0..<32) of the quad.
        func count(row: Int) -> UInt64 {
            switch row % 4 {
            case 0: return c0[row / 4]
            case 1: return c1[row / 4]
            case 2: return c2[row / 4]
            default: return c3[row / 4]
            }
        }
    }

    /// The quad's 32 output bits (bit r: row r of the quad fires).
    @inline(__always)
    private static func fires(_ c: Quad, _ limits: UnsafeBufferPointer<SIMD8<Int64>>, quad q: Int) -> UInt64 {
        @inline(__always)
        func fire(_ counts: SIMD8<UInt64>, _ j: Int) -> SIMDMask<SIMD8<Int64>> {
            SIMD8<Int64>(truncatingIfNeeded: counts) .<= limits[q &* 4 &+ j]
        }
        return pack(fire(c.c0, 0), fire(c.c1, 1), fire(c.c2, 2), fire(c.c3, 3))
    }

    /// Packs block j's lane-k flag into bit 4k + j. Each block's flags become one byte per lane
    /// (LLVM: compare into a mask register, masked byte move), the 4 blocks fill each byte's
    /// low nibble, and the nibbles are squeezed together.
    @inline(__always)
    private static func pack(_ f0: SIMDMask<SIMD8<Int64>>, _ f1: SIMDMask<SIMD8<Int64>>,
                             _ f2: SIMDMask<SIMD8<Int64>>, _ f3: SIMDMask<SIMD8<Int64>>) -> UInt64 {
        @inline(__always)
        func bytes(_ f: SIMDMask<SIMD8<Int64>>) -> UInt64 {
            unsafeBitCast(SIMD8<UInt8>(truncatingIfNeeded: SIMD8<Int64>(repeating: 0).replacing(with: 1, where: f)), to: UInt64.self)
        }
        return squeezeNibbles(bytes(f0) | bytes(f1) << 1 | bytes(f2) << 2 | bytes(f3) << 3)
    }

    @inline(__always)
    private func store(_ c: Quad, quad q: Int, at base: Int, into output: UnsafeMutableBufferPointer<Int>) {
        for r in (q * 32)..<min(q * 32 + 32, rows) {
            output[base &+ r] = columns &- Int(truncatingIfNeeded: c.count(row: r % 32))
        }
    }

    /// Visits every (pair of vectors, quad): quads in groups that stay in L1, and within a group
    /// every pair of vectors, so weights are read from memory once per batch. An odd last vector
    /// is paired with itself.
    @inline(__always)
    private func forEachPair(_ input: UnsafeBufferPointer<UInt64>, _ layout: VectorLayout,
                             _ body: (Int, Int, Int, (Quad, Quad)) -> Void) {
        let n = layout.count
        let group = max(1, Self.groupBytes / max(inputLimbs * 4 * 64, 1))
        weights.withUnsafeBufferPointer { w in
            layout.bases.withUnsafeBufferPointer { bases in
                guard let w = w.baseAddress, let x = input.baseAddress, n > 0 else { return }
                var first = 0
                while first < quads {
                    let last = min(first + group, quads)
                    var v = 0
                    while v < n {
                        let v1 = min(v + 1, n - 1)
                        let x0 = x + bases[v]
                        let x1 = x + bases[v1]
                        for q in first..<last {
                            body(v, v1, q, disagreements(w + q &* inputLimbs &* 4, x0, x1, layout))
                        }
                        v += 2
                    }
                    first = last
                }
            }
        }
    }

    /// One quad against two vectors: per limb, 4 weight loads and 2 broadcasts feed 8 xor +
    /// popcount + add steps. Wrapping arithmetic: bounds are fixed by construction, and overflow
    /// checks here cost more than the popcount itself.
    @inline(__always)
    private func disagreements(_ w: UnsafePointer<SIMD8<UInt64>>, _ x0: UnsafePointer<UInt64>, _ x1: UnsafePointer<UInt64>,
                               _ layout: VectorLayout) -> (Quad, Quad) {
        var a = Quad()
        var b = Quad()
        var wp = w
        for s in 0..<layout.segments {
            let p0 = x0 + s &* layout.stride
            let p1 = x1 + s &* layout.stride
            for j in 0..<layout.run {
                let u0 = SIMD8<UInt64>(repeating: p0[j])
                let u1 = SIMD8<UInt64>(repeating: p1[j])
                let (w0, w1, w2, w3) = (wp[0], wp[1], wp[2], wp[3])
                a.c0 &+= (w0 ^ u0).nonzeroBitCount
                a.c1 &+= (w1 ^ u0).nonzeroBitCount
                a.c2 &+= (w2 ^ u0).nonzeroBitCount
                a.c3 &+= (w3 ^ u0).nonzeroBitCount
                b.c0 &+= (w0 ^ u1).nonzeroBitCount
                b.c1 &+= (w1 ^ u1).nonzeroBitCount
                b.c2 &+= (w2 ^ u1).nonzeroBitCount
                b.c3 &+= (w3 ^ u1).nonzeroBitCount
                wp += 4
            }
        }
        return (a, b)
    }

    /// One quad against one masked vector: disagreements at valid positions only.
    @inline(__always)
    private func maskedDisagreements(_ w: UnsafePointer<SIMD8<UInt64>>, _ values: UnsafePointer<UInt64>,
                                     _ valid: UnsafePointer<UInt64>) -> Quad {
        var a = Quad()
        for l in 0..<inputLimbs {
            let x = SIMD8<UInt64>(repeating: values[l])
            let m = SIMD8<UInt64>(repeating: valid[l])
            let wl = w + l &* 4
            a.c0 &+= ((wl[0] ^ x) & m).nonzeroBitCount
            a.c1 &+= ((wl[1] ^ x) & m).nonzeroBitCount
            a.c2 &+= ((wl[2] ^ x) & m).nonzeroBitCount
            a.c3 &+= ((wl[3] ^ x) & m).nonzeroBitCount
        }
        return a
    }
}
