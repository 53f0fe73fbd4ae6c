import BNNDesign

/// Cycles per frame of each stage: the iteration count of its II=1 loop, from the loop structure
/// of the C++ layer library (docs/estimates.md derives each one).
public enum CycleModel {
    /// The window generator's read-free tail of each phase: the `GUARD` template parameter of
    /// `bnn::SlidingWindow`, which the emitter passes from here.
    public static let windowGuard = 4
    /// The pool's minimum row length: the `MIN_REVISIT` template parameter of
    /// `bnn::MaxPoolBinary`, which the emitter passes from here.
    public static let poolMinRevisit = 4

    public static func cycles(_ kind: StageKind) -> Int {
        switch kind {
        case .binarize(_, _, _, _, let words):
            return words
        case .widthConverter(let inWidth, let outWidth, let inWords):
            return max(inWords, inWords * inWidth / outWidth)
        case .repack(let r):
            return IterationPattern.repack(r).count
        case .slidingWindow(let window, let simd, _, _):
            return slidingWindow(window, simd: simd)
        case .mvau(let layer, let folding):
            return mvau(inputs: layer.inputs, outputs: layer.outputs, pe: folding.pe, simd: folding.simd, pixels: layer.pixels)
        case .maxPool(let pool, let simd):
            return maxPool(pool, simd: simd)
        case .argMax(let classes, let pe, _, _):
            return Divisors.ceilDiv(classes, pe)
        case .duplicate(_, let words):
            return words
        case .join(let j):
            return j.words
        }
    }

    /// FINN's MVAU formula, (MH / PE) * (MW / SIMD) * pixels; a PE or SIMD that does not divide
    /// counts the padded fold (ceil), as the padded layer runs.
    public static func mvau(inputs: Int, outputs: Int, pe: Int, simd: Int, pixels: Int) -> Int {
        Divisors.product(Divisors.product(Divisors.ceilDiv(outputs, pe), Divisors.ceilDiv(inputs, simd)), pixels)
    }

    /// FIRST_ROWS * RW + GUARD + OUT_H * max(OUT_W * KH * KW * CF, SH * RW + GUARD).
    public static func slidingWindow(_ w: SlidingWindowStage, simd: Int) -> Int {
        let s = WindowSchedule(w, simd: simd)
        return s.preload + s.outputHeight * s.rowIterations
    }

    /// IN_H * max(IN_W * CF, MIN_REVISIT), CF = channels / SIMD.
    public static func maxPool(_ p: PoolStage, simd: Int) -> Int {
        p.input.height * max(p.input.width * (p.input.channels / simd), poolMinRevisit)
    }
}
