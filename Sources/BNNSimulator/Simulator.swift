import BNNDesign
import Dispatch

/// Bit-accurate model of a compiled `Design`: it reads the same ROM words and integer
/// thresholds the generated C++ uses (unpacking FINN's layout back into rows), and computes
/// what the hardware computes, batched and vectorized.
public struct Simulator: Sendable {
    public let design: Design
    private let layers: [LayerKernel]

    private enum LayerKernel: Sendable {
        case binary(BinaryKernel)
        case integer(IntegerKernel)
    }

    public init(design: Design) {
        self.design = design
        layers = design.layers.map { stage in
            let thresholds = Self.neuronThresholds(stage)
            switch stage.inputKind {
            case .binary, .maskedBinary:
                return .binary(BinaryKernel(rows: stage.outputs, columns: stage.inputs,
                                            rowBits: { Self.rowBits(stage, row: $0) }, thresholds: thresholds))
            case .integer:
                return .integer(IntegerKernel(rows: stage.outputs, columns: stage.inputs,
                                              weight: { Self.weightBit(stage, row: $0, column: $1) }, thresholds: thresholds))
            }
        }
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

    /// Images per pass through the network: enough to reuse each weight block many times, few
    /// enough that a convolution's windows and accumulators stay in cache.
    private var tile: Int { design.layers.contains { $0.window != nil } ? 8 : 256 }

    private func runTiles(_ inputs: [Int], range: Range<Int>) -> SimulationResult {
        let perInput = design.input.count
        var parts: [SimulationResult] = []
        var first = range.lowerBound
        while first < range.upperBound {
            let last = min(first + tile, range.upperBound)
            parts.append(runChunk(Array(inputs[(first * perInput)..<(last * perInput)]), count: last - first))
            first = last
        }
        return parts.count == 1 ? parts[0] : SimulationResult.concatenate(parts)
    }

    private func runChunk(_ inputs: [Int], count: Int) -> SimulationResult {
        var stageBits: [[UInt64]] = []
        var bits: [UInt64] = []
        if let binarizer = design.binarizer {
            bits = binarize(inputs, count: count, binarizer)
            stageBits.append(bits)
        } else if design.input.encoding == .bipolar {
            bits = Self.packBipolar(inputs, count: count, length: design.input.count)
        }
        let classes = design.classCount
        var accumulators = [Int](repeating: 0, count: count * classes)
        for (l, kernel) in layers.enumerated() {
            let stage = design.layers[l]
            let isLast = l == layers.count - 1
            let vectors = count * stage.pixels
            let outLimbs = (stage.outputs + 63) / 64
            var next = [UInt64](repeating: 0, count: isLast ? 0 : vectors * outLimbs)
            switch kernel {
            case .binary(let k):
                let x = stage.window.map { WindowOps.windows(bits: bits, count: count, $0) } ?? bits
                x.withUnsafeBufferPointer { x in
                    if isLast {
                        accumulators.withUnsafeMutableBufferPointer { k.accumulate(x, count: vectors, into: $0) }
                    } else if stage.inputKind == .maskedBinary {
                        next.withUnsafeMutableBufferPointer { k.thresholdMasked(x, count: vectors, into: $0) }
                    } else {
                        next.withUnsafeMutableBufferPointer { k.threshold(x, count: vectors, into: $0) }
                    }
                }
            case .integer(let k):
                let raw = inputs.map { Int32($0 - design.input.zeroPoint) }
                let values = stage.window.map { WindowOps.windows(values: raw, count: count, $0) } ?? raw
                values.withUnsafeBufferPointer { x in
                    if isLast {
                        accumulators.withUnsafeMutableBufferPointer { k.accumulate(x, count: vectors, into: $0) }
                    } else {
                        next.withUnsafeMutableBufferPointer { k.threshold(x, count: vectors, into: $0) }
                    }
                }
            }
            if isLast { break }
            if stage.window != nil { next = WindowOps.gather(next, count: count, pixels: stage.pixels, channels: stage.outputs) }
            if let pool = stage.pool { next = WindowOps.pool(next, count: count, pool) }
            stageBits.append(next)
            bits = next
        }
        return SimulationResult(count: count, classes: classes, stageBits: stageBits, accumulators: accumulators, output: design.output)
    }

    private func binarize(_ inputs: [Int], count: Int, _ b: BinarizerStage) -> [UInt64] {
        let n = design.input.count
        let channels = design.input.channels
        return Self.pack(count: count, length: n) { image, e in inputs[image * n + e] >= b.thresholds[e % channels] }
    }

    /// +1 -> bit 1, -1 -> bit 0: the hot path of bipolar-input networks, so no closure here.
    static func packBipolar(_ inputs: [Int], count: Int, length: Int) -> [UInt64] {
        let limbs = (length + 63) / 64
        var out = [UInt64](repeating: 0, count: count * limbs)
        inputs.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                for image in 0..<count {
                    let base = image * length
                    for l in 0..<limbs {
                        var word: UInt64 = 0
                        for b in 0..<min(64, length - l * 64) where x[base + l * 64 + b] == 1 { word |= 1 << UInt64(b) }
                        o[image * limbs + l] = word
                    }
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

    // MARK: reading the ROMs back

    static func weightBit(_ stage: MvauStage, row r: Int, column c: Int) -> Bool {
        let f = stage.folding
        return stage.weights.bit(bank: r % f.pe, address: (r / f.pe) * stage.synapseFold + c / f.simd, lane: c % f.simd)
    }

    static func rowBits(_ stage: MvauStage, row r: Int) -> [UInt64] {
        var limbs = [UInt64](repeating: 0, count: (stage.inputs + 63) / 64)
        for c in 0..<stage.inputs where weightBit(stage, row: r, column: c) { limbs[c / 64] |= 1 << UInt64(c % 64) }
        return limbs
    }

    static func neuronThresholds(_ stage: MvauStage) -> [Int]? {
        guard case .thresholds(let rom) = stage.activation else { return nil }
        return (0..<stage.outputs).map { rom.threshold(bank: $0 % rom.pe, address: $0 / rom.pe) }
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
