import BNNDataflow
import BNNDesign

/// FINN's own figures for the stages it has a model of, computed exactly as FINN does (its
/// defaults: `internal_embedded` weights, `ram_style` auto, thresholds `auto`), so a report can
/// be set beside a FINN build. Where bnn-hls's primary estimate differs it is on purpose; see
/// docs/estimates.md.
public enum FINNReferenceModel {
    /// `MVAU_hls.lut_estimation`: c0 + c1 * PE * (mult + adder tree + accumulator) + c2, with
    /// c2 = PE * SIMD * W * ceil(WMEM / 64) when WMEM <= 128; threshold LUTs only count for
    /// distributed thresholds, which is not FINN's default.
    public static func mvauLUTs(_ layer: LayerGeometry, pe: Int, simd: Int) -> Int {
        let wmem = Divisors.ceilDiv(layer.outputs, pe) * Divisors.ceilDiv(layer.inputs, simd)
        let c2 = wmem <= 128 ? pe * simd * layer.weightBits * Divisors.ceilDiv(wmem, 64) : 0
        return finnRLUTs(pe: pe, simd: simd, weightBits: layer.weightBits, inputBits: layer.inputKind.bits, perLane: layer.accumulatorBits) + c2
    }

    /// FINN-R's MVAU LUT model (FINN `MVAU_hls.lut_estimation`, LUT multipliers: resType "lut"):
    /// c0 + c1 * PE * (multiplier + adder tree + `perLane`), c0 = 300, c1 = 1.1, multiplier =
    /// SIMD * (2 * ceil((W + A) / 6) - 1) * (W + A), adder tree = (W + A) * (2 * SIMD - 1), with
    /// W the weight bits and A the input element bits; `perLane` is the accumulator (and
    /// comparator) bits of one PE lane. The primary estimate uses it too.
    static func finnRLUTs(pe: Int, simd: Int, weightBits w: Int, inputBits a: Int, perLane: Int) -> Int {
        let multiply = simd * (2 * Divisors.ceilDiv(w + a, 6) - 1) * (w + a)
        let adderTree = (w + a) * (2 * simd - 1)
        return Int(300 + 1.1 * Double(pe * (multiply + adderTree + perLane)))
    }

    /// `MVAU.bram_estimation` for internal_embedded weights: none when WMEM <= 128, else one
    /// memory WMEM deep and PE * SIMD * W bits wide.
    public static func mvauBRAM18(_ layer: LayerGeometry, pe: Int, simd: Int) -> Int {
        let wmem = Divisors.ceilDiv(layer.outputs, pe) * Divisors.ceilDiv(layer.inputs, simd)
        return wmem <= 128 ? 0 : MemoryShape.bram18(depth: wmem, width: pe * simd * layer.weightBits)
    }
}
