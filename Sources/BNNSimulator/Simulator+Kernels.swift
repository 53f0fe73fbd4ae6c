import BNNDesign

/// Which kernel runs each stage, and the ROMs read back into the form the kernels use.
extension Simulator {
    /// Which kernel runs a stage: the packed XNOR-popcount and 8-bit kernels for what version 1
    /// designs use; for everything multi-bit the bit-plane kernel where it applies (code or
    /// unsigned raw input of 1...8 bits, no masked padding, multi-threshold or accumulator
    /// output), else the lane-by-lane `CodeKernel`.
    static func kernel(for stage: MvauStage, largestValue: Int) -> LayerKernel {
        if needsCodeKernel(stage) {
            switch stage.activation {
            case .multiThreshold, .accumulator:
                if let planes = BitPlaneKernel(stage: stage) { return .planes(planes, stage) }
            case .thresholds:
                break
            }
            return .codes(CodeKernel(stage: stage))
        }
        let thresholds = Self.neuronThresholds(stage)
        switch stage.inputKind {
        case .binary, .maskedBinary:
            return .binary(BinaryKernel(rows: stage.outputs, columns: stage.inputs,
                                        rowBits: { Self.rowBits(stage, row: $0) }, thresholds: thresholds?.first))
        case .integer, .codes:
            let weight = { Self.weightBit(stage, row: $0, column: $1) }
            let classes = Self.pixelClasses(stage)
            let narrow = stage.inputs * largestValue <= SIMD32<Int16>.sumBound
                ? IntegerKernel<SIMD32<Int16>>(rows: stage.outputs, columns: stage.inputs, weight: weight, thresholds: thresholds, pixelClasses: classes)
                : nil
            return .integer(narrow: narrow,
                            wide: IntegerKernel(rows: stage.outputs, columns: stage.inputs, weight: weight, thresholds: thresholds, pixelClasses: classes),
                            runs: stage.window.map(PixelRuns.init(window:)) ?? PixelRuns(columns: stage.inputs))
        }
    }

    /// True where a stage uses a version-2 feature the packed kernels do not model.
    static func needsCodeKernel(_ stage: MvauStage) -> Bool {
        if stage.weights.weightBits > 1 { return true }
        if case .codes = stage.inputKind { return true }
        if case .multiThreshold = stage.activation { return true }
        if case .parity = stage.window?.pad { return true }
        if let pool = stage.pool, pool.kind != .max || pool.bits > 1 { return true }
        return false
    }

    /// A multi-bit stage's output for `count` images of its input elements `x`: codes after
    /// the pool, or for the last stage the accumulators. Nil for the packed kernels.
    static func runCodes(_ kernel: LayerKernel, _ x: StageCodes, count: Int, isLast: Bool) -> StageCodes? {
        switch kernel {
        case .codes(let k): return StageCodes(k.run(Array(x), count: count, isLast: isLast))
        case .planes(let k, let stage):
            // Only each element's low `codeBits` bits are read: the masking `CodeKernel` does.
            let input = x.lowBytes
            let n = count * k.pixels * k.rows
            var accumulates = isLast
            if case .accumulator = stage.activation { accumulates = true }
            if accumulates {
                var out = [Int](repeating: 0, count: n)
                input.withUnsafeBufferPointer { x in
                    out.withUnsafeMutableBufferPointer { k.accumulate(x, imageValues: x.count / max(count, 1), count: count, into: $0) }
                }
                guard !isLast, let pool = stage.pool else { return StageCodes(out) }
                return StageCodes(CodePooling.run(out, count: count, pool))
            }
            var codes = [UInt8](repeating: 0, count: n)
            input.withUnsafeBufferPointer { x in
                codes.withUnsafeMutableBufferPointer { _ = k.codes(x, imageValues: x.count / max(count, 1), count: count, into: $0) }
            }
            guard let pool = stage.pool else { return StageCodes(bytes: codes) }
            // A sum pool widens the codes; a max pool keeps them in bytes.
            if pool.kind == .sum { return StageCodes(CodePooling.run(codes.map { Int($0) }, count: count, pool)) }
            return StageCodes(bytes: CodePooling.run(codes, count: count, pool))
        case .binary, .integer:
            return nil
        }
    }

    /// Packed bits back to one Int (0 or 1) per element.
    static func unpack(_ bits: [UInt64], count: Int, length: Int) -> [Int] {
        let limbs = (length + 63) / 64
        var out: [Int] = []
        out.reserveCapacity(count * length)
        for image in 0..<count {
            for e in 0..<length { out.append(Int((bits[image * limbs + e / 64] >> UInt64(e % 64)) & 1)) }
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

    /// `[border class][neuron]`, read back from the threshold ROM.
    static func neuronThresholds(_ stage: MvauStage) -> [[Int]]? {
        guard case .thresholds(let rom) = stage.activation else { return nil }
        return (0..<rom.classes).map { k in
            (0..<stage.outputs).map { rom.threshold(bank: $0 % rom.pe, address: $0 / rom.pe, borderClass: k) }
        }
    }

    /// The border class of each output pixel, from the row and column class tables the C++
    /// activation reads (all 0 without border classes).
    static func pixelClasses(_ stage: MvauStage) -> [Int] {
        guard case .thresholds(let rom) = stage.activation, let border = rom.border else {
            return Array(repeating: 0, count: stage.pixels)
        }
        return (0..<stage.pixels).map { border.classOf(pixel: $0) }
    }
}
