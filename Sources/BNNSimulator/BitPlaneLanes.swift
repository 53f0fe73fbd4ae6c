/// The other way to run a code layer: codes as integer lanes, one multiply-add per column
/// (`IntegerKernel`), which beats bit planes on short, wide-code rows such as a first layer
/// on 8-bit input (27 columns fill 27 of a limb's 64 bits in each of 8 planes).

extension IntegerKernel {
    /// Accumulators only (no thresholds), for integer weights `weight(r, c)`.
    init(rows: Int, columns: Int, integerWeight weight: (Int, Int) -> Int, pixels: Int) {
        let pairRows = 2 * Lanes.scalarCount
        self.rows = rows
        self.columns = columns
        pairs = (rows + pairRows - 1) / pairRows
        var weights = [Lanes](repeating: Lanes(), count: pairs * columns * 2)
        for r in 0..<rows {
            let (pair, h, k) = (r / pairRows, r % 2, (r % pairRows) / 2)
            for c in 0..<columns { weights[(pair * columns + c) * 2 + h][k] = Lanes.Scalar(weight(r, c)) }
        }
        self.weights = weights
        limits = []
        pixelClasses = Array(repeating: 0, count: pixels)
    }
}

extension BitPlaneKernel {
    /// How the kernel multiplies.
    enum Path: Sendable {
        case planes
        /// Int16 lanes, when every reachable sum stays within their bound.
        case narrowLanes(IntegerKernel<SIMD32<Int16>>)
        case wideLanes(IntegerKernel<SIMD16<Int32>>)
    }

    /// Which path a caller asks for; `.cheapest` picks by the cost model below.
    enum PathChoice {
        case cheapest, planes, lanes
    }

    /// Lanes where they cost less, measured on AVX2 (no vector popcount instruction): per 8 rows
    /// and 64 columns, one plane pair costs about 18 instructions; per 8 rows and one column, a
    /// multiply-add costs about 1.25 on Int16 lanes, 2.5 on Int32. Padded taps of a nonzero code
    /// need the plane path (the lane path leaves padded taps out, i.e. code 0).
    /// With a fused multi-threshold (`fusesThresholds`) the lanes are Int32 even where Int16
    /// would hold the sums: LLVM scalarizes the Int16 kernel's threshold arithmetic on AVX2
    /// (measured on CNV-W1A2's first layer: 520-1000 ms against 25-30 ms on Int32 lanes).
    static func path(_ choice: PathChoice, rows: Int, columns: Int, codeBits: Int, weightBits: Int,
                     input: BitPlaneInput, fusesThresholds: Bool, weight: (Int, Int) -> Int) -> Path {
        let largestWeight = weightBits == 1 ? 1 : 1 << (weightBits - 1)
        let narrow = columns * ((1 << codeBits) - 1) * largestWeight <= SIMD32<Int16>.sumBound
        let planeCost = weightBits * codeBits * ((columns + 63) / 64) * 72
        let laneCost = columns * (narrow ? 5 : 10)
        let lanes = choice == .lanes || (choice == .cheapest && laneCost < planeCost)
        guard lanes, input.padTemplate == nil else { return .planes }
        return narrow && !fusesThresholds
            ? .narrowLanes(IntegerKernel(rows: rows, columns: columns, integerWeight: weight, pixels: input.pixels))
            : .wideLanes(IntegerKernel(rows: rows, columns: columns, integerWeight: weight, pixels: input.pixels))
    }

    /// The lane path: codes (their low `codeBits` bits) widened to the lane type.
    func accumulateLanes<Lanes: AccumulatorLanes>(_ k: IntegerKernel<Lanes>, _ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int,
                                                  into output: UnsafeMutableBufferPointer<Int>) {
        laneValues(codes, count: imageValues * count, as: Lanes.Scalar.self).withUnsafeBufferPointer {
            k.accumulate($0, imageValues: imageValues, count: count, runs: input.runs, into: output)
        }
    }

    /// The lane path with the multi-threshold applied to the lane sums.
    func codesLanes<Lanes: AccumulatorLanes>(_ k: IntegerKernel<Lanes>, _ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int,
                                             thresholds: BitPlaneThresholds, into output: UnsafeMutableBufferPointer<UInt8>) {
        laneValues(codes, count: imageValues * count, as: Lanes.Scalar.self).withUnsafeBufferPointer {
            k.codes($0, imageValues: imageValues, count: count, runs: input.runs, thresholds: thresholds, into: output)
        }
    }

    private func laneValues<T: FixedWidthInteger>(_ codes: UnsafeBufferPointer<UInt8>, count: Int, as: T.Type) -> [T] {
        let mask = UInt8(truncatingIfNeeded: (1 << codeBits) - 1)
        return [T](unsafeUninitializedCapacity: count) { v, initialized in
            for i in 0..<count { v.initializeElement(at: i, to: T(truncatingIfNeeded: codes[i] & mask)) }
            initialized = count
        }
    }
}

extension BitPlaneThresholds {
    /// The thresholds in `IntegerKernel<Lanes>`'s row layout (row = pair * 2n + 2k + half,
    /// lane k): `[class][pair][half][level]`, clamped to the lanes' sum bound (sums never pass
    /// it, so no compare changes), and `[pair][half]` masks, -1 in falling rows' lanes.
    func lanes<Lanes: AccumulatorLanes>(_: Lanes.Type) -> (levels: [Lanes], masks: [Lanes]) {
        let pairRows = 2 * Lanes.scalarCount
        let pairs = (rows + pairRows - 1) / pairRows
        let bound = Lanes.sumBound + 1
        let classes = rowLevels.count / max(levels * rows, 1)
        var t = [Lanes](repeating: Lanes(repeating: Lanes.Scalar(bound)), count: classes * pairs * 2 * levels)
        var m = [Lanes](repeating: Lanes(), count: pairs * 2)
        for k in 0..<classes {
            for r in 0..<rows {
                for l in 0..<levels {
                    let v = rowLevels[(k * levels + l) * rows + r]
                    t[((k * pairs + r / pairRows) * 2 + r % 2) * levels + l][(r % pairRows) / 2] = Lanes.Scalar(min(max(v, -bound), bound))
                }
            }
        }
        for r in 0..<rows { m[(r / pairRows) * 2 + r % 2][(r % pairRows) / 2] = Lanes.Scalar(rowMasks[r]) }
        return (t, m)
    }
}

extension IntegerKernel {
    /// Multi-threshold codes straight from the lane sums (no accumulators in memory): `rows`
    /// codes per output pixel, thresholds and masks from `BitPlaneThresholds.lanes`.
    func codes(_ values: UnsafeBufferPointer<Lanes.Scalar>, imageValues: Int, count: Int, runs: PixelRuns,
               thresholds: BitPlaneThresholds, into output: UnsafeMutableBufferPointer<UInt8>) {
        let (levels, pixelClasses) = (thresholds.levels, thresholds.pixelClasses)
        let (limits, masks) = thresholds.lanes(Lanes.self)
        let n = Lanes.scalarCount
        let pixels = runs.pixels
        limits.withUnsafeBufferPointer { t in
            masks.withUnsafeBufferPointer { m in
                forEachPair(values, imageValues: imageValues, count: count, runs: runs) { vector, pair, a, b in
                    let first = (pixelClasses[vector % pixels] &* pairs &+ pair) &* 2 &* levels
                    let ca = Self.code(a, m[2 &* pair], t, first, levels)
                    let cb = Self.code(b, m[2 &* pair &+ 1], t, first &+ levels, levels)
                    let row = pair &* 2 &* n
                    let base = vector &* rows &+ row
                    if row &+ 2 &* n <= rows, let out = output.baseAddress {
                        Lanes.storeInterleaved(ca, cb, to: UnsafeMutableRawPointer(out + base))
                    } else {
                        for k in 0..<n where row &+ 2 &* k < rows {
                            output[base &+ 2 &* k] = UInt8(truncatingIfNeeded: ca[k])
                            if row &+ 2 &* k &+ 1 < rows { output[base &+ 2 &* k &+ 1] = UInt8(truncatingIfNeeded: cb[k]) }
                        }
                    }
                }
            }
        }
    }

    /// count(a' >= t[l]) per lane, a' = -a in the falling lanes (mask -1).
    @inline(__always)
    private static func code(_ a: Lanes, _ mask: Lanes, _ t: UnsafeBufferPointer<Lanes>, _ first: Int, _ levels: Int) -> Lanes {
        // Falling rows are rare; skip the negation when none is in this block.
        let v = mask == Lanes() ? a : (a ^ mask) &- mask
        var c = Lanes()
        for l in 0..<levels { c &+= Lanes.atLeast(v, t[first &+ l]) }
        return c
    }
}
