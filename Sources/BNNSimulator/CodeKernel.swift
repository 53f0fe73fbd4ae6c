import BNNDesign

/// Any MVAU, one lane at a time on unpacked elements (bits, raw 8-bit inputs or codes):
/// integer weights, code lanes, multi-level thresholds with falling neurons and border classes,
/// parity padding, and pools over codes. Correct first; the packed kernels cover W1A1 fast.
struct CodeKernel: Sendable {
    let stage: MvauStage
    /// Row-major `outputs x inputs`, read back from the weight ROM.
    let weights: [Int]
    /// Border class of each output pixel.
    let pixelClasses: [Int]

    init(stage: MvauStage) {
        self.stage = stage
        let f = stage.folding
        var weights: [Int] = []
        weights.reserveCapacity(stage.outputs * stage.inputs)
        for r in 0..<stage.outputs {
            for c in 0..<stage.inputs {
                weights.append(stage.weights.weight(bank: r % f.pe, address: (r / f.pe) * stage.synapseFold + c / f.simd, lane: c % f.simd))
            }
        }
        self.weights = weights
        var border: BorderClasses?
        switch stage.activation {
        case .thresholds(let rom): border = rom.border
        case .multiThreshold(let rom): border = rom.border
        case .accumulator: border = nil
        }
        pixelClasses = (0..<stage.pixels).map { border?.classOf(pixel: $0) ?? 0 }
    }

    /// Elements each image brings: the window's input, or the dense layer's vector.
    var inputCount: Int { stage.window?.input.count ?? stage.inputs }

    /// For `count` images of `inputCount` elements: the output codes after the pool
    /// (`outputCount` per image), or for the last layer the accumulators (`outputs` per image).
    func run(_ x: [Int], count: Int, isLast: Bool) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(count * stage.pixels * stage.outputs)
        var lanes = [Int](repeating: 0, count: stage.inputs)
        var valid = [Bool](repeating: true, count: stage.inputs)
        for image in 0..<count {
            let base = image * inputCount
            for p in 0..<stage.pixels {
                gather(x, base: base, pixel: p, lanes: &lanes, valid: &valid)
                for r in 0..<stage.outputs {
                    let acc = accumulate(r, lanes, valid)
                    out.append(isLast ? acc : activate(acc, row: r, borderClass: pixelClasses[p]))
                }
            }
        }
        guard !isLast, let pool = stage.pool else { return out }
        return CodePooling.run(out, count: count, pool)
    }

    /// The lane values of output pixel p's vector (window order (ky, kx, c)).
    private func gather(_ x: [Int], base: Int, pixel p: Int, lanes: inout [Int], valid: inout [Bool]) {
        guard let w = stage.window else {
            for c in 0..<stage.inputs { lanes[c] = laneValue(x[base + c]) }
            return
        }
        let channels = w.input.channels
        let oy = p / w.output.width
        let ox = p % w.output.width
        for ky in 0..<w.kernel.height {
            for kx in 0..<w.kernel.width {
                let y = oy * w.stride.height + ky - w.padding.top
                let xx = ox * w.stride.width + kx - w.padding.left
                let inside = y >= 0 && y < w.input.height && xx >= 0 && xx < w.input.width
                for c in 0..<channels {
                    let column = (ky * w.kernel.width + kx) * channels + c
                    valid[column] = true
                    if inside {
                        lanes[column] = laneValue(x[base + (y * w.input.width + xx) * channels + c])
                        continue
                    }
                    switch w.pad {
                    case .constant(let v): lanes[column] = laneValue(v)
                    case .masked:
                        lanes[column] = 0
                        valid[column] = false
                    case .parity(let even, let odd): lanes[column] = laneValue((y + xx) & 1 == 0 ? even : odd)
                    }
                }
            }
        }
    }

    /// An element as the lane uses it: a bit, `q - zero_point` (q as the input's bits), or a code.
    private func laneValue(_ e: Int) -> Int {
        guard case .integer(let bits, let isSigned, let zeroPoint) = stage.inputKind else { return e }
        var q = e & ((1 << bits) - 1)
        if isSigned && q >= 1 << (bits - 1) { q -= 1 << bits }
        return q - zeroPoint
    }

    private func accumulate(_ r: Int, _ lanes: [Int], _ valid: [Bool]) -> Int {
        let row = r * stage.inputs
        var acc = 0
        switch stage.inputKind {
        case .binary:
            for c in 0..<stage.inputs where (weights[row + c] > 0) == (lanes[c] == 1) { acc += 1 }
        case .maskedBinary:
            for c in 0..<stage.inputs where valid[c] { acc += (weights[row + c] > 0) == (lanes[c] == 1) ? 1 : -1 }
        case .integer, .codes:
            for c in 0..<stage.inputs { acc += weights[row + c] * lanes[c] }
        }
        return acc
    }

    private func activate(_ acc: Int, row r: Int, borderClass k: Int) -> Int {
        let (bank, address) = (r % stage.folding.pe, r / stage.folding.pe)
        switch stage.activation {
        case .thresholds(let rom): return acc >= rom.threshold(bank: bank, address: address, borderClass: k) ? 1 : 0
        case .multiThreshold(let rom): return rom.code(acc, bank: bank, address: address, borderClass: k)
        case .accumulator: return acc
        }
    }
}

/// Pools over HWC codes: max (min for the flagged channels) or sum of each window. Channels
/// run innermost, so each window tap is one pass over a row of channels.
enum CodePooling {
    /// `T` must hold the sums for a sum pool (Int); a max pool works on any width.
    static func run<T: FixedWidthInteger>(_ x: [T], count: Int, _ pool: PoolStage) -> [T] {
        let (input, out, c) = (pool.input, pool.output, pool.input.channels)
        // min(a, b) = ~max(~a, ~b) (~ reverses the order of any fixed-width integer): flip the
        // MIN channels going in and coming out.
        let flips: [T] = pool.kind == .max ? pool.andChannels.map { $0 ? ~T.zero : T.zero } : Array(repeating: .zero, count: c)
        let isSum = pool.kind == .sum
        var result = [T](repeating: 0, count: count * out.count)
        x.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { r in
                flips.withUnsafeBufferPointer { flips in
                    for image in 0..<count {
                        for oy in 0..<out.height {
                            for ox in 0..<out.width {
                                let dst = image * out.count + (oy * out.width + ox) * c
                                for ky in 0..<pool.pool.height {
                                    for kx in 0..<pool.pool.width {
                                        let y = oy * pool.stride.height + ky
                                        let xx = ox * pool.stride.width + kx
                                        let src = image * input.count + (y * input.width + xx) * c
                                        let first = ky == 0 && kx == 0
                                        for ch in 0..<c {
                                            let v = x[src &+ ch] ^ flips[ch]
                                            r[dst &+ ch] = first ? v : (isSum ? r[dst &+ ch] &+ v : max(r[dst &+ ch], v))
                                        }
                                    }
                                }
                                for ch in 0..<c { r[dst &+ ch] ^= flips[ch] }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
