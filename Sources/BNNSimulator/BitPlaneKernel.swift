import BNNDesign

/// Matrix-vector product of W-bit weights with A-bit unsigned codes as popcounts over bit
/// planes: `acc = sum_c w_c * u_c` with `u = sum_j 2^j x_j` (code plane j) and, for W >= 2,
/// `w = sum_{i < W-1} 2^i w_i - 2^(W-1) w_(W-1)` (two's complement weight planes), so
/// `acc = sum_{i,j} +-2^(i+j) popcount(w_i & x_j)`: W x A binary popcounts per 64 columns.
/// 1-bit weights (+-1, bit 1 = +1) take A popcounts: `acc = 2 * sum_j 2^j popcount(w & x_j) - sum_j 2^j popcount(x_j)`.
/// Ternary weights need no special path: their two's complement planes already are a
/// nonzero plane (bit 0) and a sign plane (bit 1), two popcounts per code plane.
///
/// Rows are interleaved as in `BinaryKernel`: a `SIMD8<UInt64>` holds the same 64 columns of
/// 8 neurons, rows come in quads of 32 (4 blocks), and two vectors go through a quad together,
/// so each weight word loaded serves 2 vectors and each broadcast code word 4 blocks.
public struct BitPlaneKernel: Sendable {
    public let rows: Int
    public let columns: Int
    /// A: bits per input code (1...8).
    public let codeBits: Int
    /// W: bits per weight (1...8).
    public let weightBits: Int
    /// 64-bit limbs per plane.
    let inputLimbs: Int
    let quads: Int
    /// `[quad][limb][weight plane][block in quad]`: lane k of block j is row 32q + 4k + j.
    /// Padding rows hold zero planes and their sums are never stored.
    let weights: [SIMD8<UInt64>]
    /// How codes become plane vectors (windows, padding).
    let input: BitPlaneInput
    /// Planes, or integer lanes where those cost less (`BitPlaneLanes.swift`).
    let path: Path
    /// The stage's multi-threshold activation, for `codes(...)`.
    let thresholds: BitPlaneThresholds?

    /// Bytes of weights a group of quads may take, so the group stays in L1 while every vector
    /// of a chunk passes through it.
    private static let groupBytes = 16 * 1024
    /// Vectors built and multiplied per pass: enough to reuse each weight group many times.
    private static let chunkVectors = 256

    /// The stage's kernel when its input is codes of 1...8 bits (or unsigned 8-bit-or-narrower
    /// raw input with zero point 0, which is the same thing) and its weights 1...8 bits; nil otherwise.
    public init?(stage: MvauStage) { self.init(stage: stage, path: .cheapest) }

    init?(stage: MvauStage, path: PathChoice) {
        let codeBits: Int
        switch stage.inputKind {
        case .codes(let bits): codeBits = bits
        case .integer(let bits, let isSigned, let zeroPoint) where !isSigned && zeroPoint == 0: codeBits = bits
        default: return nil
        }
        guard (1...8).contains(codeBits), (1...8).contains(stage.weights.weightBits) else { return nil }
        if case .masked = stage.window?.pad { return nil }
        let f = stage.folding
        let sf = stage.synapseFold
        self.init(rows: stage.outputs, columns: stage.inputs, codeBits: codeBits, weightBits: stage.weights.weightBits,
                  window: stage.window, path: path, thresholds: BitPlaneThresholds(stage: stage)) { r, c in
            stage.weights.weight(bank: r % f.pe, address: (r / f.pe) * sf + c / f.simd, lane: c % f.simd)
        }
    }

    /// `weight(r, c)`: +-1 for `weightBits` 1, else a `weightBits`-bit two's complement integer.
    public init(rows: Int, columns: Int, codeBits: Int, weightBits: Int, window: SlidingWindowStage?, weight: (Int, Int) -> Int) {
        self.init(rows: rows, columns: columns, codeBits: codeBits, weightBits: weightBits, window: window, path: .cheapest, thresholds: nil, weight: weight)
    }

    init(rows: Int, columns: Int, codeBits: Int, weightBits: Int, window: SlidingWindowStage?, path: PathChoice,
         thresholds: BitPlaneThresholds?, weight: (Int, Int) -> Int) {
        self.thresholds = thresholds
        self.rows = rows
        self.columns = columns
        self.codeBits = codeBits
        self.weightBits = weightBits
        inputLimbs = (columns + 63) / 64
        quads = (rows + 31) / 32
        var weights = [SIMD8<UInt64>](repeating: .zero, count: quads * inputLimbs * weightBits * 4)
        for r in 0..<rows {
            let (q, j, k) = (r / 32, r % 4, (r % 32) / 4)
            for c in 0..<columns {
                let w = weight(r, c)
                // 1-bit: the +1 flag; wider: the two's complement bits, one per plane.
                let raw = weightBits == 1 ? (w > 0 ? 1 : 0) : w & ((1 << weightBits) - 1)
                for i in 0..<weightBits where (raw >> i) & 1 == 1 {
                    weights[((q * inputLimbs + c / 64) * weightBits + i) * 4 + j][k] |= 1 << UInt64(c % 64)
                }
            }
        }
        self.weights = weights
        input = BitPlaneInput(codeBits: codeBits, columns: columns, window: window)
        self.path = Self.path(path, rows: rows, columns: columns, codeBits: codeBits, weightBits: weightBits, input: input,
                              fusesThresholds: thresholds != nil, weight: weight)
    }

    /// Output pixels per image (1 for a dense layer).
    public var pixels: Int { input.pixels }

    /// Accumulators, `rows` per output pixel (pixels image-major), for `count` images of
    /// `imageValues` codes each (HWC; only each code's low `codeBits` bits are read).
    public func accumulate(_ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int, into output: UnsafeMutableBufferPointer<Int>) {
        switch path {
        case .planes:
            run(codes, imageValues: imageValues, count: count) { acc, q, j, v in
                let base = v &* rows &+ q &* 32 &+ j
                for k in 0..<8 where q &* 32 &+ 4 &* k &+ j < rows { output[base &+ 4 &* k] = Int(acc[k]) }
            }
        case .narrowLanes(let k): accumulateLanes(k, codes, imageValues: imageValues, count: count, into: output)
        case .wideLanes(let k): accumulateLanes(k, codes, imageValues: imageValues, count: count, into: output)
        }
    }

    /// Output codes of the stage's multi-threshold activation, `rows` per output pixel, with
    /// the thresholds applied in SIMD lanes as the sums come out. False (nothing written) when
    /// the stage the kernel was built from has no `.multiThreshold` activation.
    @discardableResult
    public func codes(_ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int, into output: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let thresholds else { return false }
        let pixels = input.pixels
        if case .planes = path {
            run(codes, imageValues: imageValues, count: count) { acc, q, j, v in
                let code = thresholds.codes(acc, block: q &* 4 &+ j, pixel: v % pixels)
                let base = v &* rows &+ q &* 32 &+ j
                for k in 0..<8 where q &* 32 &+ 4 &* k &+ j < rows { output[base &+ 4 &* k] = UInt8(truncatingIfNeeded: code[k]) }
            }
            return true
        }
        switch path {
        case .planes: break
        case .narrowLanes(let k): codesLanes(k, codes, imageValues: imageValues, count: count, thresholds: thresholds, into: output)
        case .wideLanes(let k): codesLanes(k, codes, imageValues: imageValues, count: count, thresholds: thresholds, into: output)
        }
        return true
    }

    /// The plane path: chunks of images become planes (read in place) or plane vectors
    /// (copied windows), then every (vector, quad) pair hands `body` its signed sums block by
    /// block: (sums, quad, block j, vector), vectors numbered image-major from the first image.
    @inline(__always)
    private func run(_ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, count: Int,
                     _ body: (SIMD8<Int64>, Int, Int, Int) -> Void) {
        let pixels = input.pixels
        let imagesPerChunk = max(1, Self.chunkVectors / pixels)
        let imageLimbs = codeBits * ((imageValues + 63) / 64)
        let chunk = min(imagesPerChunk, count)
        let planes = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(chunk * imageLimbs, 1))
        let vectors = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: input.inPlace == nil ? max(chunk * pixels * input.vectorLimbs, 1) : 1)
        defer {
            planes.deallocate()
            vectors.deallocate()
        }
        // Per vector of a chunk, its base; per limb, its offset from the base; between planes, the stride.
        let layout: (bases: [Int], limbOffsets: [Int], planeStride: Int)
        if let inPlace = input.inPlace {
            layout = ((0..<chunk).flatMap { n in inPlace.pixelOffsets.map { n * imageLimbs + $0 } }, inPlace.limbOffsets, imageLimbs / codeBits)
        } else {
            layout = ((0..<(chunk * pixels)).map { $0 * input.vectorLimbs }, Array(0..<inputLimbs), inputLimbs)
        }
        var first = 0
        while first < count {
            let last = min(first + imagesPerChunk, count)
            let x: UnsafeMutableBufferPointer<UInt64>
            if input.inPlace != nil {
                input.planes(codes, imageValues: imageValues, images: first..<last, into: planes)
                x = planes
            } else {
                input.vectors(codes, imageValues: imageValues, images: first..<last, planes: planes, into: vectors)
                x = vectors
            }
            let offset = first * pixels
            multiply(UnsafeBufferPointer(x), bases: layout.bases, count: (last - first) * pixels, limbOffsets: layout.limbOffsets,
                     planeStride: layout.planeStride) { acc, q, j, v in body(acc, q, j, offset &+ v) }
            first = last
        }
    }

    /// Sums of `count` plane vectors, vector v's plane j at `bases[v] + j * planeStride` and its
    /// limb l `limbOffsets[l]` further, block by block.
    @inline(__always)
    private func multiply(_ vectors: UnsafeBufferPointer<UInt64>, bases: [Int], count n: Int, limbOffsets: [Int], planeStride: Int,
                          _ body: (SIMD8<Int64>, Int, Int, Int) -> Void) {
        let group = max(1, Self.groupBytes / max(inputLimbs * weightBits * 4 * 64, 1))
        // 1-bit weights: acc = 2 * (weighted agreements) - code sum, the code sum being
        // `sum_j 2^j popcount(x_j)` of each vector.
        var codeSums = [Int64](repeating: 0, count: n)
        if weightBits == 1, let x = vectors.baseAddress {
            for v in 0..<n {
                var s = 0
                for j in 0..<codeBits {
                    for o in limbOffsets { s &+= x[bases[v] &+ j &* planeStride &+ o].nonzeroBitCount &<< j }
                }
                codeSums[v] = Int64(s)
            }
        }
        let binary = weightBits == 1
        @inline(__always)
        func emit(_ c: BinaryKernel.Quad, _ q: Int, _ v: Int) {
            @inline(__always)
            func signed(_ block: SIMD8<UInt64>) -> SIMD8<Int64> {
                let s = SIMD8<Int64>(truncatingIfNeeded: block)
                return binary ? s &+ s &- SIMD8(repeating: codeSums[v]) : s
            }
            body(signed(c.c0), q, 0, v)
            body(signed(c.c1), q, 1, v)
            body(signed(c.c2), q, 2, v)
            body(signed(c.c3), q, 3, v)
        }
        weights.withUnsafeBufferPointer { w in
            limbOffsets.withUnsafeBufferPointer { offsets in
                guard let w = w.baseAddress, let x = vectors.baseAddress, let offsets = offsets.baseAddress, n > 0 else { return }
                var firstQuad = 0
                while firstQuad < quads {
                    let lastQuad = min(firstQuad + group, quads)
                    var v = 0
                    while v < n {
                        let v1 = min(v + 1, n - 1)
                        for q in firstQuad..<lastQuad {
                            let (a, b) = sums(w + q &* inputLimbs &* weightBits &* 4, x + bases[v], x + bases[v1], offsets, planeStride)
                            emit(a, q, v)
                            // An odd last vector is paired with itself: emit it once.
                            if v1 != v { emit(b, q, v1) }
                        }
                        v += 2
                    }
                    firstQuad = lastQuad
                }
            }
        }
    }

    /// One quad against two vectors, Horner over the exponent k = i + j from the top: the
    /// sums double, then every limb adds its popcounts of the plane pairs (i, k - i), so no
    /// popcount is shifted. Per plane pair and limb: 2 broadcasts and 4 weight loads feed 8
    /// and + popcount + add steps; the top plane of a multi-bit weight subtracts. Wrapping
    /// arithmetic: the UInt64 lanes hold the signed sum modulo 2^64, exact as |acc| < 2^63.
    @inline(__always)
    private func sums(_ w: UnsafePointer<SIMD8<UInt64>>, _ x0: UnsafePointer<UInt64>, _ x1: UnsafePointer<UInt64>,
                      _ offsets: UnsafePointer<Int>, _ planeStride: Int) -> (BinaryKernel.Quad, BinaryKernel.Quad) {
        var a = BinaryKernel.Quad()
        var b = BinaryKernel.Quad()
        let (planes, limbs, codes) = (weightBits, inputLimbs, codeBits)
        let top = planes == 1 ? -1 : planes &- 1
        var k = planes &+ codes &- 2
        while k >= 0 {
            a.c0 &+= a.c0; a.c1 &+= a.c1; a.c2 &+= a.c2; a.c3 &+= a.c3
            b.c0 &+= b.c0; b.c1 &+= b.c1; b.c2 &+= b.c2; b.c3 &+= b.c3
            for i in max(0, k &- codes &+ 1)...min(k, planes &- 1) {
                let p0 = x0 + (k &- i) &* planeStride
                let p1 = x1 + (k &- i) &* planeStride
                for l in 0..<limbs {
                    let u0 = SIMD8<UInt64>(repeating: p0[offsets[l]])
                    let u1 = SIMD8<UInt64>(repeating: p1[offsets[l]])
                    let wp = w + (l &* planes &+ i) &* 4
                    let (w0, w1, w2, w3) = (wp[0], wp[1], wp[2], wp[3])
                    if i == top {
                        a.c0 &-= (w0 & u0).nonzeroBitCount
                        a.c1 &-= (w1 & u0).nonzeroBitCount
                        a.c2 &-= (w2 & u0).nonzeroBitCount
                        a.c3 &-= (w3 & u0).nonzeroBitCount
                        b.c0 &-= (w0 & u1).nonzeroBitCount
                        b.c1 &-= (w1 & u1).nonzeroBitCount
                        b.c2 &-= (w2 & u1).nonzeroBitCount
                        b.c3 &-= (w3 & u1).nonzeroBitCount
                    } else {
                        a.c0 &+= (w0 & u0).nonzeroBitCount
                        a.c1 &+= (w1 & u0).nonzeroBitCount
                        a.c2 &+= (w2 & u0).nonzeroBitCount
                        a.c3 &+= (w3 & u0).nonzeroBitCount
                        b.c0 &+= (w0 & u1).nonzeroBitCount
                        b.c1 &+= (w1 & u1).nonzeroBitCount
                        b.c2 &+= (w2 & u1).nonzeroBitCount
                        b.c3 &+= (w3 & u1).nonzeroBitCount
                    }
                }
            }
            k &-= 1
        }
        return (a, b)
    }
}
