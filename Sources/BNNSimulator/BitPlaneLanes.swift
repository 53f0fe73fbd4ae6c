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
    static func path(_ choice: PathChoice, rows: Int, columns: Int, codeBits: Int, weightBits: Int,
                     input: BitPlaneInput, weight: (Int, Int) -> Int) -> Path {
        let largestWeight = weightBits == 1 ? 1 : 1 << (weightBits - 1)
        let narrow = columns * ((1 << codeBits) - 1) * largestWeight <= SIMD32<Int16>.sumBound
        let planeCost = weightBits * codeBits * ((columns + 63) / 64) * 72
        let laneCost = columns * (narrow ? 5 : 10)
        let lanes = choice == .lanes || (choice == .cheapest && laneCost < planeCost)
        guard lanes, input.padTemplate == nil else { return .planes }
        return narrow
            ? .narrowLanes(IntegerKernel(rows: rows, columns: columns, integerWeight: weight, pixels: input.pixels))
            : .wideLanes(IntegerKernel(rows: rows, columns: columns, integerWeight: weight, pixels: input.pixels))
    }

    /// The lane path: codes (their low `codeBits` bits) widened to the lane type.
    func accumulateLanes<Lanes: AccumulatorLanes>(_ k: IntegerKernel<Lanes>, _ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int,
                                                  into output: UnsafeMutableBufferPointer<Int>) {
        let mask = UInt8(truncatingIfNeeded: (1 << codeBits) - 1)
        let values = [Lanes.Scalar](unsafeUninitializedCapacity: imageValues * count) { v, initialized in
            for i in 0..<(imageValues * count) { v.initializeElement(at: i, to: Lanes.Scalar(truncatingIfNeeded: codes[i] & mask)) }
            initialized = imageValues * count
        }
        values.withUnsafeBufferPointer { k.accumulate($0, imageValues: imageValues, count: count, runs: input.runs, into: output) }
    }
}
