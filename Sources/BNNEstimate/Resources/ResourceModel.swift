import BNNDataflow
import BNNDesign

/// LUT, BRAM18, URAM and DSP estimates per stage (docs/estimates.md lists each formula, its
/// source, and where it departs from FINN).
///
/// URAM is always 0: every memory here is a constant ROM or a small working buffer, and
/// UltraRAM cannot be initialised by the bitstream (FINN, too, only maps runtime-writable
/// weights to URAM), nor does Vitis HLS pick it without a BIND_STORAGE pragma.
public enum ResourceModel {
    public static func cost(_ kind: StageKind) -> StageCost {
        switch kind {
        case .binarize(let simd, let channels, _, let thresholdType, _):
            let thresholds = MemoryShape(role: "thresholds", banks: simd, depth: channels / simd, width: thresholdType.bits)
            return with([thresholds], logic: Resources(luts: 50 + simd * thresholdType.bits))
        case .widthConverter(let inWidth, let outWidth, _):
            return StageCost(total: Resources(luts: converterLUTs(inWidth: inWidth, outWidth: outWidth)), memories: [])
        case .repack(let r):
            // The converter's shift buffer, plus a select per output lane between data and padding.
            let inWidth = r.inLanes * r.laneBits, outWidth = r.outLanes * r.laneBits
            return StageCost(total: Resources(luts: converterLUTs(inWidth: inWidth, outWidth: outWidth) + outWidth), memories: [])
        case .slidingWindow(let window, let simd, let inBits, _):
            let s = WindowSchedule(window, simd: simd)
            let buffer = MemoryShape(role: "line buffer", banks: 1, depth: (window.kernel.height + window.stride.height) * s.rowWords, width: simd * inBits)
            return with([buffer], logic: Resources(luts: 300))
        case .mvau(let layer, let folding):
            return mvau(layer, folding)
        case .maxPool(let pool, let simd):
            let cf = pool.input.channels / simd
            let rows = Divisors.ceilDiv(pool.pool.height, pool.stride.height)
            let columns = Divisors.ceilDiv(pool.pool.width, pool.stride.width)
            let accumulators = MemoryShape(role: "row accumulators", banks: rows, depth: pool.output.width * cf, width: simd)
            // Per lane: a combine and a select per open column and row window, the output select;
            // the column slots are CF-word shift registers (SRL32s).
            let logic = 100 + simd * (2 * columns + 2 * rows + 1) + simd * columns * Divisors.ceilDiv(cf, 32)
            return with([accumulators], logic: Resources(luts: logic))
        case .argMax(_, let pe, let accumulatorType, let logits):
            let bits = accumulatorType.bits
            if logits {
                // Per lane, double-precision convert, 3 multiplies, 3 adds, a divide and a compare
                // (Vitis floating-point cores, full-DSP multipliers): a coarse figure, see the docs.
                return StageCost(total: Resources(luts: 500 + pe * 6000, dsps: pe * 42), memories: [])
            }
            return StageCost(total: Resources(luts: 50 + pe * 2 * bits), memories: [])
        }
    }

    /// FINN-R's MVAU model as FINN's `MVAU_hls.lut_estimation` computes it (c0 = 300, c1 = 1.1,
    /// binary weights W = 1, A the input element bits), with the threshold comparators always
    /// counted, plus the layer's memories: PE weight banks of WMEM x SIMD bits, PE threshold
    /// banks of TMEM (x border classes) x accumulator bits, the class tables, and the SF-word input buffer.
    static func mvau(_ layer: LayerGeometry, _ f: Folding) -> StageCost {
        let (p, q, a) = (f.pe, f.simd, layer.inputKind.bits)
        let comparator = layer.hasThresholds ? layer.accumulatorBits : 0
        let logic = FINNReferenceModel.finnRLUTs(pe: p, simd: q, inputBits: a, perLane: layer.accumulatorBits + comparator)
        let sf = f.synapseFold(inputs: layer.inputs)
        let nf = f.neuronFold(outputs: layer.outputs)
        var memories = [MemoryShape(role: "weights", banks: p, depth: nf * sf, width: q)]
        if layer.hasThresholds {
            // One threshold per neuron and border class (more than one class only for +-1 padding on 8-bit input).
            memories.append(MemoryShape(role: "thresholds", banks: p, depth: nf * layer.thresholdClasses, width: layer.accumulatorBits))
        }
        if layer.classTableEntries > 0 {
            memories.append(MemoryShape(role: "border classes", banks: 1, depth: layer.classTableEntries, width: 16))
        }
        memories.append(MemoryShape(role: "input buffer", banks: 1, depth: sf, width: q * a))
        return with(memories, logic: Resources(luts: logic))
    }

    /// FINN's generalised `StreamingDataWidthConverter` (a shift buffer of IN + OUT bits, as ours).
    static func converterLUTs(inWidth: Int, outWidth: Int) -> Int {
        let buffer = inWidth + outWidth
        return 8 * Divisors.ceilLog2(Divisors.ceilDiv(buffer, inWidth)) + buffer + outWidth
    }

    /// A FIFO of `depth` words of `width` bits: Vitis HLS's default FIFO binding uses shift
    /// registers up to 1024 bits (UG1399, config_storage -auto_srl_max_bits), else block RAM.
    /// LUTs as FINN's `StreamingFIFO.lut_estimation`: address logic plus the distributed RAM.
    public static func fifo(depth: Int, width: Int) -> Resources {
        let address = 2 * Divisors.ceilLog2(max(depth, 2))
        if depth * width <= srlMaxBits {
            return Resources(luts: address + Divisors.ceilDiv(depth, 32) * Divisors.ceilDiv(width, 2))
        }
        return Resources(luts: address, bram18: MemoryShape.bram18(depth: depth, width: width))
    }

    public static let srlMaxBits = 1024

    private static func with(_ memories: [MemoryShape], logic: Resources) -> StageCost {
        StageCost(total: memories.reduce(logic) { $0 + $1.resources }, memories: memories)
    }
}

/// A stage's estimated size: logic, and the memories it declares (already counted in `total`).
public struct StageCost: Sendable, Equatable {
    public var total: Resources
    public var memories: [MemoryShape]

    public init(total: Resources, memories: [MemoryShape]) {
        self.total = total
        self.memories = memories
    }
}
