import BNNDataflow
import BNNDesign

/// LUT, BRAM18, URAM and DSP estimates per stage (docs/estimates.md lists each formula, its
/// source, and where it departs from FINN).
///
/// URAM is always 0: every memory here is a constant ROM or a small working buffer, and
/// UltraRAM cannot be initialised by the bitstream (FINN, too, only maps runtime-writable
/// weights to URAM), nor does Vitis HLS pick it without a BIND_STORAGE pragma.
public enum ResourceModel {
    /// `binarizerLevels`: thresholds per element of a `.binarize` stage (1 for a sign).
    public static func cost(_ kind: StageKind, binarizerLevels: Int = 1) -> StageCost {
        switch kind {
        case .binarize(let simd, let channels, _, let thresholdType, _):
            // A comparator per lane and level against thresholds read from `levels` words per channel.
            let bits = thresholdType.bits * binarizerLevels
            let thresholds = MemoryShape(role: "thresholds", banks: simd, depth: channels / simd, width: bits)
            return with([thresholds], logic: Resources(luts: 50 + simd * bits))
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
            return self.pool(pool, simd: simd)
        case .argMax(_, let pe, let accumulatorType, let logits):
            let bits = accumulatorType.bits
            if logits {
                // Per lane, double-precision convert, 3 multiplies, 3 adds, a divide and a compare
                // (Vitis floating-point cores, full-DSP multipliers): a coarse figure, see the docs.
                return StageCost(total: Resources(luts: 500 + pe * 6000, dsps: pe * 42), memories: [])
            }
            return StageCost(total: Resources(luts: 50 + pe * 2 * bits), memories: [])
        case .duplicate:
            // Wiring and the two FIFOs' handshakes: the FIFOs are priced with the streams.
            return StageCost(total: Resources(luts: 10), memories: [])
        case .join(let j):
            // A comparator per lane and level against PE * levels threshold banks of
            // (neuron folds x shortcut codes) words, and the falling flags (as an MVAU's).
            let bits = j.thresholdType.bits
            let nf = Divisors.ceilDiv(j.channels, j.pe)
            let thresholds = MemoryShape(role: "thresholds", banks: j.pe * j.levels, depth: nf * j.codes, width: bits)
            let falling = MemoryShape(role: "falling flags", banks: j.pe, depth: nf, width: 1)
            return with([thresholds, falling], logic: Resources(luts: 50 + j.pe * j.levels * bits))
        }
    }

    /// FINN-R's MVAU model as FINN's `MVAU_hls.lut_estimation` computes it (c0 = 300, c1 = 1.1,
    /// W the weight bits, A the input element bits), with the threshold comparators always
    /// counted (FINN's comp_luts per PE lane: one accumulator-wide comparator per threshold
    /// level; FINN assumes 2^B - 1 levels, bnn-hls counts the levels the layer has), plus the
    /// layer's memories: PE weight banks of WMEM x SIMD * W bits, PE * levels threshold banks of
    /// TMEM (x border classes) x accumulator bits (the C++ partitions `values[PE][TMEM][LEVELS]`
    /// on PE and level; FINN's thr_luts prices the same bits), a falling flag per neuron for
    /// multi-thresholds, the class tables, and the SF-word input buffer.
    static func mvau(_ layer: LayerGeometry, _ f: Folding) -> StageCost {
        let (p, q, a) = (f.pe, f.simd, layer.inputKind.bits)
        let thresholdBits = layer.hasThresholds ? layer.thresholdLevels * layer.accumulatorBits : 0
        let logic = FINNReferenceModel.finnRLUTs(pe: p, simd: q, weightBits: layer.weightBits, inputBits: a, perLane: layer.accumulatorBits + thresholdBits)
        let sf = f.synapseFold(inputs: layer.inputs)
        let nf = f.neuronFold(outputs: layer.outputs)
        var memories = [MemoryShape(role: "weights", banks: p, depth: nf * sf, width: q * layer.weightBits)]
        if layer.hasThresholds {
            // Thresholds per neuron and border class (more than one class only for padding the
            // compiler folds into thresholds, e.g. +-1 padding on 8-bit input).
            memories.append(MemoryShape(role: "thresholds", banks: p * layer.thresholdLevels, depth: nf * layer.thresholdClasses, width: layer.accumulatorBits))
            if layer.isMultiThreshold { memories.append(MemoryShape(role: "falling flags", banks: p, depth: nf, width: 1)) }
        }
        if layer.classTableEntries > 0 {
            memories.append(MemoryShape(role: "border classes", banks: 1, depth: layer.classTableEntries, width: 16))
        }
        memories.append(MemoryShape(role: "input buffer", banks: 1, depth: sf, width: q * a))
        return with(memories, logic: Resources(luts: logic))
    }

    /// A pool over PE lanes of b-bit elements (FINN has no LUT model for its pools; this is
    /// ours). Per lane and bit: a compare (max) or add (sum) and a select per open column and
    /// row window, the output select; the column slots are CF-word shift registers (SRL32s);
    /// NR row accumulators of OUT_W * CF words. b = 1 is the binary max-pool (OR/AND and select);
    /// b is the code width for a max over codes, the widened output width for a sum pool.
    static func pool(_ pool: PoolStage, simd: Int) -> StageCost {
        let cf = pool.input.channels / simd
        let rows = Divisors.ceilDiv(pool.pool.height, pool.stride.height)
        let columns = Divisors.ceilDiv(pool.pool.width, pool.stride.width)
        let bits = pool.outputBits
        let accumulators = MemoryShape(role: "row accumulators", banks: rows, depth: pool.output.width * cf, width: simd * bits)
        let logic = 100 + simd * bits * (2 * columns + 2 * rows + 1) + simd * bits * columns * Divisors.ceilDiv(cf, 32)
        return with([accumulators], logic: Resources(luts: logic))
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
        if fifoMapping(depth: depth, width: width) == .lutram {
            return Resources(luts: address + Divisors.ceilDiv(depth, 32) * Divisors.ceilDiv(width, 2))
        }
        return Resources(luts: address, bram18: MemoryShape.bram18(depth: depth, width: width))
    }

    /// `.lutram` (SRL shift registers) for a FIFO of at most `srlMaxBits` bits, else `.bram`.
    public static func fifoMapping(depth: Int, width: Int) -> MemoryShape.Mapping {
        Divisors.product(depth, width) <= srlMaxBits ? .lutram : .bram
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
