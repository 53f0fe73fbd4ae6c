import BNNDesign

/// Signed accumulator lanes for the 8-bit first layer: 32 x Int16 when every sum the layer can
/// reach stays within `sumBound` (twice the rows per 512-bit step), else 16 x Int32.
///
/// The hot operations are requirements implemented on the concrete types: generic code calling
/// SIMD's own operators gets their lane-by-lane protocol defaults, not vector instructions. Only
/// `&+`, `&-`, `&*` have vector implementations on 16- and 32-lane types; bit operations go through
/// an 8 x UInt64 view, which LLVM vectorizes.
protocol AccumulatorLanes: SIMD, Sendable where Scalar: FixedWidthInteger & SignedInteger {
    /// Largest |sum| the lanes take exactly in `fires`: `sum - limit` cannot wrap for limits
    /// clamped to `±(sumBound + 1)`.
    static var sumBound: Int { get }
    /// `sum += value * weight` in every lane, wrapping.
    static func multiplyAdd(_ sum: inout Self, _ value: Scalar, _ weight: Self)
    /// The output bits of a pair of blocks: bit 2k is lane k of `a` (`a >= limitA`), bit 2k + 1
    /// lane k of `b`.
    static func fires(_ a: Self, _ limitA: Self, _ b: Self, _ limitB: Self) -> UInt64
    /// 1 in the lanes where a >= t, for |a| <= sumBound and |t| <= sumBound + 1 (concrete per
    /// lane type and branch-free).
    static func atLeast(_ a: Self, _ t: Self) -> Self
    /// Codes (0...255) of the even rows `a` and odd rows `b` of a pair, interleaved as bytes.
    static func storeInterleaved(_ a: Self, _ b: Self, to bytes: UnsafeMutableRawPointer)
}

extension SIMD32: AccumulatorLanes where Scalar == Int16 {
    static var sumBound: Int { Int(Int16.max) / 2 }

    /// |a - t| < 2^15 as |a| <= sumBound and |t| <= sumBound + 1: the sign of a - t decides.
    /// In 256-bit halves: whole SIMD32<Int16> arithmetic here is scalarized on AVX2.
    @inline(__always)
    static func atLeast(_ a: Self, _ t: Self) -> Self {
        let one = SIMD16<Int16>(repeating: 1)
        return Self(lowHalf: one &+ ((a.lowHalf &- t.lowHalf) &>> 15), highHalf: one &+ ((a.highHalf &- t.highHalf) &>> 15))
    }

    @inline(__always)
    static func storeInterleaved(_ a: Self, _ b: Self, to bytes: UnsafeMutableRawPointer) {
        // Two halves, as SIMD16 conversions (a SIMD32 one is scalarized).
        let (a0, a1, b0, b1) = (a.lowHalf, a.highHalf, b.lowHalf, b.highHalf)
        bytes.storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: a0) | SIMD16<UInt16>(truncatingIfNeeded: b0) &<< 8, as: SIMD16<UInt16>.self)
        bytes.storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: a1) | SIMD16<UInt16>(truncatingIfNeeded: b1) &<< 8, toByteOffset: 32, as: SIMD16<UInt16>.self)
    }

    @inline(__always)
    static func multiplyAdd(_ sum: inout Self, _ value: Int16, _ weight: Self) { sum &+= Self(repeating: value) &* weight }

    @inline(__always)
    static func fires(_ a: Self, _ limitA: Self, _ b: Self, _ limitB: Self) -> UInt64 {
        // A lane fires iff the sign bit of `sum - limit` is clear. Each word holds 4 lanes of
        // each block: put their flags at bits 16i and 16i + 1, then one multiply moves lane i's
        // two bits to 56 + 2i (the other partial products land below 48 or overflow away).
        let one = SIMD8<UInt64>(repeating: 0x0001_0001_0001_0001)
        let signs = (unsafeBitCast(a &- limitA, to: SIMD8<UInt64>.self) &>> 15) & one
            | (unsafeBitCast(b &- limitB, to: SIMD8<UInt64>.self) &>> 14) & (one &<< 1)
        let bytes = ((signs ^ (one &* 3)) &* SIMD8(repeating: 0x0100_0400_1000_4000)) &>> 56
        return unsafeBitCast(SIMD8<UInt8>(truncatingIfNeeded: bytes), to: UInt64.self)
    }
}

extension SIMD16: AccumulatorLanes where Scalar == Int32 {
    static var sumBound: Int { Int(Int32.max) / 2 }

    @inline(__always)
    static func atLeast(_ a: Self, _ t: Self) -> Self { Self(repeating: 1) &+ ((a &- t) &>> 31) }

    @inline(__always)
    static func storeInterleaved(_ a: Self, _ b: Self, to bytes: UnsafeMutableRawPointer) {
        let words = SIMD16<UInt16>(truncatingIfNeeded: a) | SIMD16<UInt16>(truncatingIfNeeded: b) &<< 8
        bytes.storeBytes(of: words, as: SIMD16<UInt16>.self)
    }

    @inline(__always)
    static func multiplyAdd(_ sum: inout Self, _ value: Int32, _ weight: Self) { sum &+= Self(repeating: value) &* weight }

    @inline(__always)
    static func fires(_ a: Self, _ limitA: Self, _ b: Self, _ limitB: Self) -> UInt64 {
        // As for Int16, with 2 lanes per word: flags at bits 32i and 32i + 1, moved to 60 + 2i,
        // then the words' nibbles squeezed together.
        let one = SIMD8<UInt64>(repeating: 0x0000_0001_0000_0001)
        let signs = (unsafeBitCast(a &- limitA, to: SIMD8<UInt64>.self) &>> 31) & one
            | (unsafeBitCast(b &- limitB, to: SIMD8<UInt64>.self) &>> 30) & (one &<< 1)
        let nibbles = ((signs ^ (one &* 3)) &* SIMD8(repeating: 0x1000_0000_4000_0000)) &>> 60
        return squeezeNibbles(unsafeBitCast(SIMD8<UInt8>(truncatingIfNeeded: nibbles), to: UInt64.self))
    }
}

/// The low nibbles of a word's 8 bytes, packed into its low 32 bits.
@inline(__always)
func squeezeNibbles(_ word: UInt64) -> UInt64 {
    var x = (word | word >> 4) & 0x00FF_00FF_00FF_00FF
    x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF
    return (x | x >> 16) & 0xFFFF_FFFF
}

/// Which input values feed one output pixel: `length` consecutive values from `source` (offset
/// in the image) meet weight columns from `column` on. A window row inside the image is one run;
/// padded positions (value `q - zero_point` = 0) are left out.
struct ValueRun: Sendable {
    var source: Int
    var column: Int
    var length: Int
}

/// The first layer on 8-bit input: `acc = sum_i (w_i ? v_i : -v_i)` with `v = q - zero_point`.
///
/// Rows come in pairs of blocks of `Lanes.scalarCount` sharing each broadcast input value; lane
/// k of the pair's blocks holds rows 2k and 2k + 1, so the comparisons pack straight into output
/// bits. Sums wrap in the lane type; callers pick lanes in which every reachable sum lies within
/// `Lanes.sumBound`, so the sums and the comparisons are exact.
struct IntegerKernel<Lanes: AccumulatorLanes>: Sendable {
    let rows: Int
    let columns: Int
    let pairs: Int
    /// `[pair][column][block in pair]`: lane k of block h is the weight (+1 or -1) of row
    /// `2 * lanes * pair + 2k + h` at that column. Padding rows compute unread sums.
    let weights: [Lanes]
    /// `[border class][pair][block in pair]`, likewise: a neuron fires iff `acc >= limit`
    /// (thresholds clamped to `±(sumBound + 1)`, which changes no comparison; padding rows never fire).
    let limits: [Lanes]
    /// Border class of each output pixel (all 0 but for a +-1-padded convolution).
    let pixelClasses: [Int]

    /// `thresholds[k][r]`: row r in border class k.
    init(rows: Int, columns: Int, weight: (Int, Int) -> Bool, thresholds: [[Int]]?, pixelClasses: [Int]) {
        let pairRows = 2 * Lanes.scalarCount
        let bound = Lanes.sumBound + 1
        self.rows = rows
        self.columns = columns
        pairs = (rows + pairRows - 1) / pairRows
        var weights = [Lanes](repeating: Lanes(), count: pairs * columns * 2)
        let classes = thresholds?.count ?? 1
        var limits = [Lanes](repeating: Lanes(repeating: Lanes.Scalar(bound)), count: classes * pairs * 2)
        for r in 0..<rows {
            let (pair, h, k) = (r / pairRows, r % 2, (r % pairRows) / 2)
            for c in 0..<columns {
                weights[(pair * columns + c) * 2 + h][k] = weight(r, c) ? 1 : -1
            }
            for c in 0..<classes {
                limits[(c * pairs + pair) * 2 + h][k] = Lanes.Scalar(min(max(thresholds?[c][r] ?? -bound, -bound), bound))
            }
        }
        self.weights = weights
        self.limits = limits
        self.pixelClasses = pixelClasses
    }

    /// Accumulators, `rows` per output pixel, for `count` images of `imageValues` values each.
    func accumulate(_ values: UnsafeBufferPointer<Lanes.Scalar>, imageValues: Int, count: Int, runs: PixelRuns,
                    into output: UnsafeMutableBufferPointer<Int>) {
        let pairRows = 2 * Lanes.scalarCount
        forEachPair(values, imageValues: imageValues, count: count, runs: runs) { vector, pair, a, b in
            for i in 0..<pairRows where pair * pairRows + i < rows {
                output[vector &* rows &+ pair &* pairRows &+ i] = Int(i % 2 == 0 ? a[i / 2] : b[i / 2])
            }
        }
    }

    /// Output bits (`acc >= threshold`) packed into `(rows + 63) / 64` limbs per output pixel.
    func threshold(_ values: UnsafeBufferPointer<Lanes.Scalar>, imageValues: Int, count: Int, runs: PixelRuns,
                   into output: UnsafeMutableBufferPointer<UInt64>) {
        let pairRows = 2 * Lanes.scalarCount
        let outputLimbs = (rows + 63) / 64
        let pixels = runs.pixels
        limits.withUnsafeBufferPointer { limits in
            forEachPair(values, imageValues: imageValues, count: count, runs: runs) { vector, pair, a, b in
                let bit = pair &* pairRows
                let block = 2 &* (pixelClasses[vector % pixels] &* pairs &+ pair)
                let fires = Lanes.fires(a, limits[block], b, limits[block &+ 1])
                output[vector &* outputLimbs &+ bit / 64] |= fires << UInt64(bit % 64)
            }
        }
    }

    /// Hands each (output pixel, pair of blocks) its sums; output pixels are numbered image-major.
    @inline(__always)
    func forEachPair(_ values: UnsafeBufferPointer<Lanes.Scalar>, imageValues: Int, count: Int, runs: PixelRuns,
                             _ body: (Int, Int, Lanes, Lanes) -> Void) {
        weights.withUnsafeBufferPointer { w in
            runs.runs.withUnsafeBufferPointer { allRuns in
                guard let w = w.baseAddress, let x = values.baseAddress else { return }
                for image in 0..<count {
                    let src = x + image &* imageValues
                    for p in 0..<runs.pixels {
                        let pixelRuns = UnsafeBufferPointer(rebasing: allRuns[runs.starts[p]..<runs.starts[p + 1]])
                        let vector = image &* runs.pixels &+ p
                        for pair in 0..<pairs {
                            let (a, b) = Self.sums(w + pair &* columns &* 2, src, pixelRuns)
                            body(vector, pair, a, b)
                        }
                    }
                }
            }
        }
    }

    /// The sums of a pair of blocks over one output pixel's runs.
    @inline(__always)
    private static func sums(_ weights: UnsafePointer<Lanes>, _ src: UnsafePointer<Lanes.Scalar>,
                             _ runs: UnsafeBufferPointer<ValueRun>) -> (Lanes, Lanes) {
        var a0 = Lanes()
        var a1 = Lanes()
        for run in runs {
            let w = weights + run.column &* 2
            let s = src + run.source
            for i in 0..<run.length {
                Lanes.multiplyAdd(&a0, s[i], w[2 &* i])
                Lanes.multiplyAdd(&a1, s[i], w[2 &* i &+ 1])
            }
        }
        return (a0, a1)
    }
}

/// Per output pixel of an integer layer, its value runs (`starts[p]..<starts[p + 1]` of `runs`).
struct PixelRuns: Sendable {
    var pixels: Int
    var runs: [ValueRun]
    var starts: [Int]

    /// A dense layer: all `columns` values, one run.
    init(columns: Int) {
        pixels = 1
        runs = [ValueRun(source: 0, column: 0, length: columns)]
        starts = [0, 1]
    }

    /// A convolution over an HWC image, window elements ordered (ky, kx, c).
    init(window w: SlidingWindowStage) {
        let c = w.input.channels
        pixels = w.outputPixels
        runs = []
        starts = [0]
        for oy in 0..<w.output.height {
            for ox in 0..<w.output.width {
                for ky in 0..<w.kernel.height {
                    let y = oy * w.stride.height + ky - w.padding.top
                    let x0 = ox * w.stride.width - w.padding.left
                    guard y >= 0 && y < w.input.height else { continue }
                    // The kernel columns whose x lies inside the image.
                    let first = max(0, -x0)
                    let last = min(w.kernel.width, w.input.width - x0)
                    guard first < last else { continue }
                    runs.append(ValueRun(source: (y * w.input.width + x0 + first) * c,
                                         column: (ky * w.kernel.width + first) * c, length: (last - first) * c))
                }
                starts.append(runs.count)
            }
        }
    }
}
