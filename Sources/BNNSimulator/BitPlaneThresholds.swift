import BNNDesign

/// The multi-threshold activation (FINN's MultiThreshold) fused into `BitPlaneKernel`: a
/// block of 8 neurons' accumulators is compared in SIMD lanes with each level's thresholds,
/// so codes come out without writing accumulators to memory. Same semantics as
/// `MultiThresholdROM.code`: `count(a >= t[l])`, `a = -acc` for a falling neuron.
struct BitPlaneThresholds: Sendable {
    let levels: Int
    /// `[class][block][level]`, block = quad * 4 + j, lane k = row 32q + 4k + j; padding rows
    /// hold Int64.max (never reached, never stored).
    let blocks: [SIMD8<Int64>]
    /// `[block]`: -1 in the lanes of falling neurons (negate), 0 elsewhere.
    let falling: [SIMD8<Int64>]
    /// `[class][level][row]` and `[row]` (-1 = falling), from which the lane path's
    /// thresholds are laid out (`lanes(_:)`).
    let rowLevels: [Int]
    let rowMasks: [Int]
    let pixelClasses: [Int]
    let rows: Int
    let quads: Int

    init?(stage: MvauStage) {
        guard case .multiThreshold(let rom) = stage.activation else { return nil }
        rows = stage.outputs
        quads = (rows + 31) / 32
        levels = rom.levels
        let classes = rom.classes
        var blocks = [SIMD8<Int64>](repeating: SIMD8(repeating: .max), count: classes * quads * 4 * levels)
        var falling = [SIMD8<Int64>](repeating: .zero, count: quads * 4)
        var rowLevels = [Int](repeating: 0, count: classes * levels * rows)
        for k in 0..<classes {
            for r in 0..<rows {
                for l in 0..<levels {
                    let t = rom.threshold(bank: r % rom.pe, address: r / rom.pe, level: l, borderClass: k)
                    rowLevels[(k * levels + l) * rows + r] = t
                    blocks[((k * quads + r / 32) * 4 + r % 4) * levels + l][(r % 32) / 4] = Int64(t)
                }
            }
        }
        rowMasks = (0..<rows).map { rom.isFalling(bank: $0 % rom.pe, address: $0 / rom.pe) ? -1 : 0 }
        for r in 0..<rows where rowMasks[r] != 0 { falling[(r / 32) * 4 + r % 4][(r % 32) / 4] = -1 }
        self.blocks = blocks
        self.falling = falling
        self.rowLevels = rowLevels
        pixelClasses = (0..<stage.pixels).map { rom.border?.classOf(pixel: $0) ?? 0 }
    }

    /// Codes of block `quad * 4 + j` of one output pixel, one per lane.
    @inline(__always)
    func codes(_ acc: SIMD8<Int64>, block: Int, pixel: Int) -> SIMD8<Int64> {
        let m = falling[block]
        let a = (acc ^ m) &- m
        var code = SIMD8<Int64>.zero
        let first = (pixelClasses[pixel] &* quads &* 4 &+ block) &* levels
        for l in 0..<levels { code &+= SIMD8<Int64>.zero.replacing(with: 1, where: a .>= blocks[first &+ l]) }
        return code
    }
}
