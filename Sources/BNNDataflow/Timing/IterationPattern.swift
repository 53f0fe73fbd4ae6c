import BNNDesign

/// Per-frame schedule of a stage's II=1 loop: for every iteration, whether it reads a word from
/// its input stream and whether it writes one. Built from the same loop structure as the C++;
/// the FIFO model replays it cycle by cycle.
public struct IterationPattern: Sendable {
    public static let read: UInt8 = 1
    public static let write: UInt8 = 2

    public var flags: [UInt8]

    public var iterations: Int { flags.count }
    public var reads: Int { flags.reduce(0) { $0 + Int($1 & Self.read) } }
    public var writes: Int { flags.reduce(0) { $0 + Int(($1 & Self.write) >> 1) } }

    public init(_ kind: StageKind) {
        switch kind {
        case .binarize(_, _, _, _, let words):
            flags = Array(repeating: Self.read | Self.write, count: words)
        case .widthConverter(let inWidth, let outWidth, let inWords):
            flags = Self.converter(inWidth: inWidth, outWidth: outWidth, inWords: inWords)
        case .repack(let r):
            flags = Self.repack(r)
        case .slidingWindow(let window, let simd, _, _):
            flags = Self.window(WindowSchedule(window, simd: simd))
        case .mvau(let layer, let folding):
            flags = Self.mvau(synapseFold: folding.synapseFold(inputs: layer.inputs), neuronFold: folding.neuronFold(outputs: layer.outputs), vectors: layer.pixels)
        case .maxPool(let pool, let simd):
            flags = Self.pool(pool, simd: simd)
        case .argMax(let classes, let pe, _, _):
            flags = Array(repeating: Self.read, count: Divisors.ceilDiv(classes, pe))
            if !flags.isEmpty { flags[flags.count - 1] |= Self.write }
        case .duplicate(_, let words):
            flags = Array(repeating: Self.read | Self.write, count: words)
        case .join(let j):
            flags = Array(repeating: Self.read | Self.write, count: j.words)
        }
    }

    /// Read while fewer than OUT bits are buffered, then write if OUT bits are.
    static func converter(inWidth: Int, outWidth: Int, inWords: Int) -> [UInt8] {
        let steps = max(inWords, inWords * inWidth / outWidth)
        var flags = [UInt8](repeating: 0, count: steps)
        var count = 0
        for i in 0..<steps {
            if count < outWidth {
                flags[i] |= read
                count += inWidth
            }
            if count >= outWidth {
                flags[i] |= write
                count -= outWidth
            }
        }
        return flags
    }

    /// bnn_repack.hpp's schedule: each iteration first reads a word if input remains and at most
    /// OUT lanes are buffered, then writes a word if the lanes it needs (OUT, or what is left of
    /// the output vector) are buffered; the loop ends with the last write.
    static func repack(_ r: Repack) -> [UInt8] {
        let reads = r.inWords, writes = r.outWords
        var flags: [UInt8] = []
        flags.reserveCapacity(max(reads, writes) + 2)
        var buffered = 0, readCount = 0, written = 0, inPosition = 0, outPosition = 0
        while written < writes {
            var step: UInt8 = 0
            if readCount < reads && buffered <= r.outLanes {
                let lanes = min(r.inLanes, r.inVector - inPosition)
                buffered += lanes
                inPosition = inPosition + lanes == r.inVector ? 0 : inPosition + lanes
                readCount += 1
                step |= read
            }
            let need = min(r.outLanes, r.outVector - outPosition)
            if buffered >= need {
                buffered -= need
                outPosition = outPosition + need == r.outVector ? 0 : outPosition + need
                written += 1
                step |= write
            }
            if step == 0 { break }  // only on inconsistent parameters (frames that differ)
            flags.append(step)
        }
        return flags
    }

    /// Preload, then one phase per output row: writes in its first WR iterations, reads the
    /// rows the next output row needs in its first iterations.
    static func window(_ s: WindowSchedule) -> [UInt8] {
        var flags: [UInt8] = []
        flags.reserveCapacity(s.preload + s.outputHeight * s.rowIterations)
        flags += Array(repeating: read, count: s.firstRows * s.rowWords)
        flags += Array(repeating: 0, count: CycleModel.windowGuard)
        var rowsRead = s.firstRows
        for p in stride(from: 1, through: s.outputHeight, by: 1) {
            let target = s.rowsRead(afterPhase: p)
            let readEnd = (target - rowsRead) * s.rowWords
            rowsRead = target
            for t in 0..<s.rowIterations {
                flags.append((t < readEnd ? read : 0) | (t < s.wordsPerRow ? write : 0))
            }
        }
        return flags
    }

    /// The input vector is read during the first neuron fold and replayed for the others; an
    /// output word leaves at the end of every neuron fold.
    static func mvau(synapseFold: Int, neuronFold: Int, vectors: Int) -> [UInt8] {
        var fold = [UInt8](repeating: 0, count: synapseFold * neuronFold)
        for nf in 0..<neuronFold {
            for sf in 0..<synapseFold {
                fold[nf * synapseFold + sf] = (nf == 0 ? read : 0) | (sf == synapseFold - 1 ? write : 0)
            }
        }
        var flags: [UInt8] = []
        flags.reserveCapacity(fold.count * vectors)
        for _ in 0..<vectors { flags += fold }
        return flags
    }

    /// One word per iteration for IN_W * CF iterations of each row (at least MIN_REVISIT per row);
    /// a word that completes the last column of a window in the last row of a window leaves.
    static func pool(_ p: PoolStage, simd: Int) -> [UInt8] {
        let cf = p.input.channels / simd
        let rowReads = p.input.width * cf
        let rowIterations = max(rowReads, CycleModel.poolMinRevisit)
        let out = p.output
        func completes(_ i: Int, size: Int, stride: Int, count: Int) -> Bool {
            let offset = i - (size - 1)
            return offset >= 0 && offset % stride == 0 && offset / stride < count
        }
        var flags: [UInt8] = []
        flags.reserveCapacity(p.input.height * rowIterations)
        for iy in 0..<p.input.height {
            let rowDone = completes(iy, size: p.pool.height, stride: p.stride.height, count: out.height)
            for t in 0..<rowIterations {
                guard t < rowReads else {
                    flags.append(0)
                    continue
                }
                let columnDone = completes(t / cf, size: p.pool.width, stride: p.stride.width, count: out.width)
                flags.append(read | (rowDone && columnDone ? write : 0))
            }
        }
        return flags
    }
}
