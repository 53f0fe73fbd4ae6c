import BNNDesign
import BNNDataflow
/// FINN's own figures for the stages it has a model of, computed exactly as FINN does (its
/// defaults: `internal_embedded` weights, `ram_style` auto, thresholds `auto`), so a report can
/// be set beside a FINN build. Where bnn-hls's primary estimate differs it is on purpose; see
/// docs/estimates.md.
public enum FINNReferenceModel {
    /// `MVAU_hls.lut_estimation`: c0 + c1 * PE * (mult + adder tree + accumulator) + c2, with
    /// c2 = PE * SIMD * ceil(WMEM / 64) when WMEM <= 128; threshold LUTs only count for
    /// distributed thresholds, which is not FINN's default.
    public static func mvauLUTs(_ layer: LayerGeometry, pe: Int, simd: Int) -> Int {
        let (w, a) = (1, layer.inputKind.bits)
        let multiply = simd * (2 * Divisors.ceilDiv(w + a, 6) - 1) * (w + a)
        let adderTree = (w + a) * (2 * simd - 1)
        let wmem = Divisors.ceilDiv(layer.outputs, pe) * Divisors.ceilDiv(layer.inputs, simd)
        let c2 = wmem <= 128 ? pe * simd * w * Divisors.ceilDiv(wmem, 64) : 0
        return Int(300 + 1.1 * Double(pe * (multiply + adderTree + layer.accumulatorBits))) + c2
    }

    /// `MVAU.bram_estimation` for internal_embedded weights: none when WMEM <= 128, else one
    /// memory WMEM deep and PE * SIMD bits wide.
    public static func mvauBRAM18(_ layer: LayerGeometry, pe: Int, simd: Int) -> Int {
        let wmem = Divisors.ceilDiv(layer.outputs, pe) * Divisors.ceilDiv(layer.inputs, simd)
        return wmem <= 128 ? 0 : MemoryShape.bram18(depth: wmem, width: pe * simd)
    }

    /// `ConvolutionInputGenerator.bram_estimation`: (K + stride) row buffers of
    /// IFMDim * IFMChannels / SIMD words of SIMD * bits.
    public static func windowBRAM18(kernel: Int, stride: Int, inputWidth: Int, channels: Int, simd: Int, bits: Int) -> Int {
        let depth = inputWidth * channels / simd
        let ramWidth: Int
        switch depth {
        case ...512: ramWidth = 36
        case ...1024: ramWidth = 18
        case ...2048: ramWidth = 9
        case ...4096: ramWidth = 4
        case ...8192: ramWidth = 2
        default: ramWidth = 1
        }
        return (kernel + stride) * Divisors.ceilDiv(simd * bits, ramWidth)
    }
}
