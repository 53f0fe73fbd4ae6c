import BNNDesign
import Dispatch

/// Bit-accurate model of a compiled `Design`: it reads the same ROM words and integer
/// thresholds the generated C++ uses (unpacking FINN's layout back into rows), and computes
/// what the hardware computes, batched and vectorized.
public struct Simulator: Sendable {
    public let design: Design
    private let layers: [LayerKernel]

    enum LayerKernel: Sendable {
        case binary(BinaryKernel)
        /// `narrow` exists when every sum the layer can reach on the encoding's range fits Int16 lanes.
        case integer(narrow: IntegerKernel<SIMD32<Int16>>?, wide: IntegerKernel<SIMD16<Int32>>, runs: PixelRuns)
        /// Multi-bit stages: bit planes where `BitPlaneKernel` applies, else lane by lane.
        case codes(CodeKernel)
        case planes(BitPlaneKernel, MvauStage)
    }

    public init(design: Design) {
        self.design = design
        let largestValue = Self.largestValue(design.input)
        let kernels = design.layers.map { Self.kernel(for: $0, largestValue: largestValue) }
        layers = design.isChain ? kernels : zip(kernels, design.layers).map { Self.graphKernel($0, $1) }
    }

    /// Runs `count` inputs given as the encoding's integers, `design.input.count` per input, HWC.
    /// Splits the batch over `threads` workers.
    public func run(_ inputs: [Int], count: Int, threads: Int = 1) -> SimulationResult {
        let workers = max(1, min(threads, count))
        let size = (count + workers - 1) / workers
        let ranges = stride(from: 0, to: count, by: max(size, 1)).map { $0..<min($0 + size, count) }
        if ranges.count <= 1 { return runTiles(inputs, range: 0..<count) }
        let box = ResultBox(count: ranges.count)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
            box.set(i, runTiles(inputs, range: ranges[i]))
        }
        return SimulationResult.concatenate(box.results.compactMap { $0 })
    }

    /// Images per pass through the network: enough to reuse each weight group many times, few
    /// enough that a convolution's activations stay in cache.
    private var tile: Int { design.layers.contains { $0.window != nil } ? 8 : 256 }

    private func runTiles(_ inputs: [Int], range: Range<Int>) -> SimulationResult {
        let perInput = design.input.count
        var parts: [SimulationResult] = []
        var first = range.lowerBound
        while first < range.upperBound {
            let last = min(first + tile, range.upperBound)
            parts.append(inputs[(first * perInput)..<(last * perInput)].withUnsafeBufferPointer { runChunk($0, count: last - first) })
            first = last
        }
        return parts.count == 1 ? parts[0] : SimulationResult.concatenate(parts)
    }

    private func runChunk(_ inputs: UnsafeBufferPointer<Int>, count: Int) -> SimulationResult {
        if !design.isChain { return runGraph(inputs, count: count, kernels: layers) }
        var stageBits: [[UInt64]] = []
        var stageCodes: [StageCodes] = []
        // The current activations: packed bits, or one Int per element (codes, or raw inputs).
        var bits: [UInt64] = []
        var codes: StageCodes?
        var length = design.input.count
        if let binarizer = design.binarizer {
            if binarizer.levels == 1 {
                bits = binarize(inputs, count: count, binarizer)
                stageBits.append(bits)
                stageCodes.append(StageCodes(bytes: []))
            } else {
                let channels = design.input.channels
                codes = StageCodes((0..<(count * length)).map { binarizer.code(inputs[$0], channel: ($0 % length) % channels) })
                stageBits.append([])
                stageCodes.append(codes ?? StageCodes(bytes: []))
            }
        } else if design.input.encoding == .bipolar {
            bits = Self.packBipolar(inputs, count: count, length: design.input.count)
        } else {
            codes = StageCodes(Array(inputs))
        }
        let classes = design.classCount
        var accumulators = [Int](repeating: 0, count: count * classes)
        for (l, kernel) in layers.enumerated() {
            let stage = design.layers[l]
            let isLast = l == layers.count - 1
            if let out = Self.runCodes(kernel, codes ?? StageCodes(Self.unpack(bits, count: count, length: length)), count: count, isLast: isLast) {
                if isLast {
                    accumulators = Array(out)
                    break
                }
                length = stage.outputCount
                if stage.pool?.kind != .sum && stage.outputBits == 1 {
                    bits = Self.pack(count: count, length: length) { out[$0 * length + $1] == 1 }
                    stageBits.append(bits)
                    stageCodes.append(StageCodes(bytes: []))
                } else {
                    stageBits.append([])
                    stageCodes.append(out)
                }
                codes = out
                continue
            }
            if codes != nil, case .binary = kernel {
                let x = codes ?? StageCodes(bytes: [])
                bits = Self.pack(count: count, length: length) { x[$0 * length + $1] == 1 }
            }
            codes = nil
            let outLimbs = (stage.outputs + 63) / 64
            var next = [UInt64](repeating: 0, count: isLast ? 0 : count * stage.pixels * outLimbs)
            switch kernel {
            case .binary(let k):
                runBinary(k, stage, bits, count: count, isLast: isLast, next: &next, accumulators: &accumulators)
            case .integer(let narrow, let wide, let runs):
                runInteger(narrow, wide, runs, inputs, count: count, isLast: isLast, next: &next, accumulators: &accumulators)
            case .codes, .planes:
                break
            }
            if isLast { break }
            // Per-pixel outputs of whole limbs already form the HWC image.
            if stage.window != nil && stage.outputs % 64 != 0 {
                next = WindowOps.gather(next, count: count, pixels: stage.pixels, channels: stage.outputs)
            }
            if let pool = stage.pool { next = WindowOps.pool(next, count: count, pool) }
            stageBits.append(next)
            stageCodes.append(StageCodes(bytes: []))
            bits = next
            length = stage.outputCount
        }
        return SimulationResult(count: count, classes: classes, stageBits: stageBits, stageCodes: stageCodes,
                                accumulators: accumulators, output: design.output)
    }

    private func runBinary(_ k: BinaryKernel, _ stage: MvauStage, _ bits: [UInt64], count: Int, isLast: Bool,
                           next: inout [UInt64], accumulators: inout [Int]) {
        let vectors = count * stage.pixels
        let layout: VectorLayout
        var x = bits
        if let window = stage.window {
            if stage.inputKind == .maskedBinary {
                x = WindowOps.windows(bits: bits, count: count, window)
                x.withUnsafeBufferPointer { x in
                    next.withUnsafeMutableBufferPointer { k.thresholdMasked(x, count: vectors, into: $0) }
                }
                return
            }
            if VectorLayout.canReadDirectly(window) {
                layout = .direct(window: window, count: count)
            } else {
                x = WindowOps.windows(bits: bits, count: count, window)
                layout = .contiguous(count: vectors, limbs: k.inputLimbs)
            }
        } else {
            layout = .contiguous(count: vectors, limbs: k.inputLimbs)
        }
        x.withUnsafeBufferPointer { x in
            if isLast {
                accumulators.withUnsafeMutableBufferPointer { k.accumulate(x, layout, into: $0) }
            } else {
                next.withUnsafeMutableBufferPointer { k.threshold(x, layout, into: $0) }
            }
        }
    }

    /// The 8-bit layer, on Int16 lanes when this chunk's values allow it.
    private func runInteger(_ narrow: IntegerKernel<SIMD32<Int16>>?, _ wide: IntegerKernel<SIMD16<Int32>>, _ runs: PixelRuns,
                            _ inputs: UnsafeBufferPointer<Int>, count: Int, isLast: Bool,
                            next: inout [UInt64], accumulators: inout [Int]) {
        let zeroPoint = design.input.zeroPoint
        let perInput = design.input.count
        let range = IntegerType(bits: design.input.bits, isSigned: design.input.isSigned).range
        if let narrow, Self.allInside(inputs, range) {
            let values = Self.centered(inputs, zeroPoint: zeroPoint, as: Int16.self)
            Self.runInteger(narrow, values, perInput: perInput, count: count, runs: runs, isLast: isLast, next: &next, accumulators: &accumulators)
        } else {
            // Exact while |sum| <= Int32.max / 2: always, for inputs inside the encoding's range.
            let values = Self.centered(inputs, zeroPoint: zeroPoint, as: Int32.self)
            Self.runInteger(wide, values, perInput: perInput, count: count, runs: runs, isLast: isLast, next: &next, accumulators: &accumulators)
        }
    }

    /// Whether every input lies in `range` (a min/max scan, which vectorizes).
    private static func allInside(_ inputs: UnsafeBufferPointer<Int>, _ range: ClosedRange<Int>) -> Bool {
        var lowest = Int.max
        var highest = Int.min
        for q in inputs {
            lowest = min(lowest, q)
            highest = max(highest, q)
        }
        return inputs.isEmpty || (range.contains(lowest) && range.contains(highest))
    }

    /// `q - zero_point` per input, clamped to `T` (a no-op for inputs inside the encoding's range).
    private static func centered<T: FixedWidthInteger>(_ inputs: UnsafeBufferPointer<Int>, zeroPoint: Int, as: T.Type) -> [T] {
        [T](unsafeUninitializedCapacity: inputs.count) { values, initialized in
            for i in 0..<inputs.count { values.initializeElement(at: i, to: T(clamping: inputs[i] &- zeroPoint)) }
            initialized = inputs.count
        }
    }

    /// The largest |q - zero_point| over the encoding's range.
    private static func largestValue(_ input: DesignInput) -> Int {
        let range = IntegerType(bits: input.bits, isSigned: input.isSigned).range
        return max(abs(range.lowerBound - input.zeroPoint), abs(range.upperBound - input.zeroPoint))
    }

    private static func runInteger<Lanes: AccumulatorLanes>(_ k: IntegerKernel<Lanes>, _ values: [Lanes.Scalar], perInput: Int, count: Int,
                                                            runs: PixelRuns, isLast: Bool, next: inout [UInt64], accumulators: inout [Int]) {
        values.withUnsafeBufferPointer { x in
            if isLast {
                accumulators.withUnsafeMutableBufferPointer { k.accumulate(x, imageValues: perInput, count: count, runs: runs, into: $0) }
            } else {
                next.withUnsafeMutableBufferPointer { k.threshold(x, imageValues: perInput, count: count, runs: runs, into: $0) }
            }
        }
    }

    private func binarize(_ inputs: UnsafeBufferPointer<Int>, count: Int, _ b: BinarizerStage) -> [UInt64] {
        let n = design.input.count
        let channels = design.input.channels
        return Self.pack(count: count, length: n) { image, e in inputs[image * n + e] >= b.thresholds[e % channels] }
    }

    /// +1 -> bit 1, -1 -> bit 0: the hot path of bipolar-input networks, so no closure here.
    static func packBipolar(_ x: UnsafeBufferPointer<Int>, count: Int, length: Int) -> [UInt64] {
        let limbs = (length + 63) / 64
        var out = [UInt64](repeating: 0, count: count * limbs)
        out.withUnsafeMutableBufferPointer { o in
            for image in 0..<count {
                let base = image * length
                for l in 0..<limbs {
                    // Branch-free, so the compare-and-pack vectorizes.
                    var word: UInt64 = 0
                    let first = base + l * 64
                    for b in 0..<min(64, length - l * 64) {
                        word |= UInt64(truncatingIfNeeded: x[first &+ b] == 1 ? 1 : 0) &<< UInt64(b)
                    }
                    o[image * limbs + l] = word
                }
            }
        }
        return out
    }

    static func pack(count: Int, length: Int, bit: (Int, Int) -> Bool) -> [UInt64] {
        let limbs = (length + 63) / 64
        var out = [UInt64](repeating: 0, count: count * limbs)
        for image in 0..<count {
            for e in 0..<length where bit(image, e) { out[image * limbs + e / 64] |= 1 << UInt64(e % 64) }
        }
        return out
    }
}

/// Collects per-thread results; each index is written by exactly one worker.
private final class ResultBox: @unchecked Sendable {
    var results: [SimulationResult?]
    private let lock = NSLockLike()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: SimulationResult) {
        lock.locked { results[i] = result }
    }
}

/// A tiny lock on top of Dispatch, to avoid pulling Foundation into the hot module.
private final class NSLockLike: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    func locked(_ body: () -> Void) {
        semaphore.wait()
        body()
        semaphore.signal()
    }
}

