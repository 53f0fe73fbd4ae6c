import BNNDesign
import BNNRandomModels
import BNNSimulator
import Dispatch

/// A W-bit-weight, A-bit-activation network of the same topology as a compiled W1A1 design
/// (CNV-W1A2 / CNV-W2A2 shapes), run as a chain of `BitPlaneKernel`s: the first layer on the
/// raw 8-bit input (8-bit codes, zero point 0), the others on A-bit codes, each layer's
/// multi-threshold activation (2^A - 1 levels) fused into its kernel. Between layers the bench
/// max-pools codes (a plain loop, standing in for the simulator's pool over codes, not in this
/// branch). Weights and thresholds are random; only the time is of interest.
struct MultiBitChain {
    let stages: [MvauStage]
    let kernels: [BitPlaneKernel]
    let inputValues: Int

    init(design: Design, weightBits: Int, codeBits: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let levels = (1 << codeBits) - 1
        var stages: [MvauStage] = []
        for (l, w1a1) in design.layers.enumerated() {
            var stage = w1a1
            let folding = stage.folding
            let sf = stage.synapseFold
            var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: stage.neuronFold * sf, weightBits: weightBits)
            let low = weightBits == 1 ? -1 : -(1 << (weightBits - 1))
            let high = weightBits == 1 ? 1 : (1 << (weightBits - 1)) - 1
            var thresholds = [Int](repeating: 0, count: folding.pe * stage.neuronFold * levels)
            for r in 0..<stage.outputs {
                var rowSum = 0
                for c in 0..<stage.inputs {
                    var w = Int.random(in: low...high, using: &rng)
                    if weightBits == 1 && w == 0 { w = 1 }
                    rowSum += w
                    rom.setWeight(w, bank: r % folding.pe, address: (r / folding.pe) * sf + c / folding.simd, lane: c % folding.simd)
                }
                // Levels spread around the neuron's mean accumulator (codes drawn uniformly), so
                // every output code occurs.
                let largestCode = l == 0 ? 255 : levels
                let mean = rowSum * largestCode / 2
                let spread = max(1, Int(Double(stage.inputs).squareRoot()) * largestCode / 2)
                for k in 0..<levels {
                    thresholds[((r % folding.pe) * stage.neuronFold + r / folding.pe) * levels + k] = mean + (k - levels / 2) * spread
                }
            }
            stage.weights = rom
            stage.inputKind = l == 0 ? .integer(bits: 8, isSigned: false, zeroPoint: 0) : .codes(bits: codeBits)
            if l < design.layers.count - 1 {
                stage.activation = .multiThreshold(MultiThresholdROM(
                    pe: folding.pe, depth: stage.neuronFold, levels: levels, outputBits: codeBits, values: thresholds,
                    falling: Array(repeating: false, count: folding.pe * stage.neuronFold)))
            }
            stages.append(stage)
        }
        self.stages = stages
        // Every stage has code input and 1...8-bit weights, so each builds a kernel.
        kernels = stages.compactMap(BitPlaneKernel.init(stage:))
        inputValues = design.input.count
    }

    /// The last layer's accumulators for `count` raw 8-bit images (HWC), 8 images per pass
    /// as the simulator tiles a convolutional network.
    func run(_ images: [UInt8], count: Int, threads: Int) -> [Int] {
        let classes = stages.last?.outputs ?? 0
        let workers = max(1, min(threads, count))
        let size = (count + workers - 1) / workers
        var result = [Int](repeating: 0, count: count * classes)
        result.withUnsafeMutableBufferPointer { out in
            let out = UnsafeMutableSendableBuffer(out)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var first = worker * size
                while first < min((worker + 1) * size, count) {
                    let last = min(first + 8, count)
                    let acc = runTile(Array(images[(first * inputValues)..<(last * inputValues)]), count: last - first)
                    for (i, a) in acc.enumerated() { out.buffer[first * classes + i] = a }
                    first = last
                }
            }
        }
        return result
    }

    private func runTile(_ images: [UInt8], count: Int) -> [Int] {
        var codes = images
        var values = inputValues
        for (l, kernel) in kernels.enumerated() {
            if l == kernels.count - 1 {
                var acc = [Int](repeating: 0, count: count * kernel.rows)
                codes.withUnsafeBufferPointer { x in
                    acc.withUnsafeMutableBufferPointer { kernel.accumulate(x, imageValues: values, count: count, into: $0) }
                }
                return acc
            }
            var next = [UInt8](repeating: 0, count: count * kernel.pixels * kernel.rows)
            codes.withUnsafeBufferPointer { x in
                next.withUnsafeMutableBufferPointer { _ = kernel.codes(x, imageValues: values, count: count, into: $0) }
            }
            codes = next
            values = kernel.pixels * kernel.rows
            if let pool = stages[l].pool {
                codes = maxPool(codes, count: count, pool)
                values = pool.output.count
            }
        }
        return []
    }

    private func maxPool(_ codes: [UInt8], count: Int, _ pool: PoolStage) -> [UInt8] {
        let (input, out, c) = (pool.input, pool.output, pool.input.channels)
        var result = [UInt8](repeating: 0, count: count * out.count)
        for image in 0..<count {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for ky in 0..<pool.pool.height {
                        for kx in 0..<pool.pool.width {
                            let src = image * input.count + ((oy * pool.stride.height + ky) * input.width + ox * pool.stride.width + kx) * c
                            let dst = image * out.count + (oy * out.width + ox) * c
                            for ch in 0..<c { result[dst + ch] = max(result[dst + ch], codes[src + ch]) }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// A buffer the workers of `concurrentPerform` write at disjoint indices.
struct UnsafeMutableSendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int>
    init(_ buffer: UnsafeMutableBufferPointer<Int>) { self.buffer = buffer }
}
