import BNNDesign

/// The stages of the top function for a geometry and folding, in stream order: the one place
/// that decides them (the emitter renders this list, the cost model prices it). A window
/// generator goes in front of every convolution and the pool after it; a converter goes
/// wherever a stream's words differ from what its consumer reads.
public enum DataflowPipeline {
    public static func stages(_ geometry: NetworkGeometry, foldings: [Folding]) -> [HardwareStage] {
        var stages: [HardwareStage] = []
        guard foldings.first != nil, geometry.layers.first != nil, foldings.count == geometry.layers.count else { return stages }
        guard geometry.isChain else { return graphStages(geometry, foldings: foldings) }
        var stream = inputStream(geometry, foldings: foldings, into: &stages)
        for (l, (layer, folding)) in zip(geometry.layers, foldings).enumerated() {
            adapt(&stream, to: layerInput(layer, folding), id: .converter(layer: l), layer: l, label: "\(layer.key) converter",
                  pad: neutralLane(layer.inputKind), into: &stages)
            stream = layerStages(layer, folding, index: l, into: &stages)
        }
        appendArgmax(geometry, foldings: foldings, stream: stream, into: &stages)
        for i in stages.indices.dropFirst() { stages[i].inputs = [stages[i - 1].id] }
        return stages
    }

    /// The binarizer (if any) and the format of the stream the first layer's stages read from.
    static func inputStream(_ geometry: NetworkGeometry, foldings: [Folding], into stages: inout [HardwareStage]) -> StreamFormat {
        let first = foldings[0], firstLayer = geometry.layers[0]
        let input = geometry.input
        var stream: StreamFormat
        if let thresholdType = geometry.binarizerThresholdType {
            let simd = first.binarizerLanes(channels: input.channels)
            let raw = StreamFormat(lanes: simd, laneBits: input.bits, vector: input.count, frame: input.count)
            stream = StreamFormat(lanes: simd, laneBits: MultiThresholdROM.bits(levels: geometry.binarizerLevels), vector: input.count, frame: input.count)
            stages.append(HardwareStage(id: .binarize, kind: .binarize(simd: simd, channels: input.channels, input: input.encoding, thresholdType: thresholdType, words: raw.words),
                                        layer: 0, label: "binarize input", from: raw, to: stream))
        } else {
            stream = StreamFormat(lanes: inputLanes(firstLayer, first, count: input.count), laneBits: input.bits, vector: input.count, frame: input.count)
        }
        return stream
    }

    /// The argmax after the last layer, unless the design outputs logits.
    static func appendArgmax(_ geometry: NetworkGeometry, foldings: [Folding], stream: StreamFormat, into stages: inout [HardwareStage]) {
        if geometry.output != .logits, let last = geometry.layers.last, let folding = foldings.last {
            let indexBits = max(1, Divisors.ceilLog2(max(last.outputs, 2)))
            stages.append(HardwareStage(id: .argmax, kind: .argMax(classes: last.outputs, pe: folding.pe, accumulatorType: last.accumulatorType, logits: geometry.output == .argmaxOfLogits),
                                        layer: geometry.layers.count - 1, label: "argmax", from: stream,
                                        to: StreamFormat(lanes: 1, laneBits: indexBits, vector: 1, frame: 1)))
        }
    }

    /// A layer's own stages, from its window generator (or MVAU) to its pool, appended to
    /// `stages`; returns the format of the last one's output. The stream entering them is
    /// already in the format the first one reads.
    /// One layer's own stages alone (the optimizer prices a folding per layer with them).
    public static func stages(of layer: LayerGeometry, _ folding: Folding) -> [HardwareStage] {
        var stages: [HardwareStage] = []
        layerStages(layer, folding, index: 0, into: &stages)
        return stages
    }

    @discardableResult
    static func layerStages(_ layer: LayerGeometry, _ folding: Folding, index l: Int, into stages: inout [HardwareStage]) -> StreamFormat {
        var stream = layerInput(layer, folding)
        if let window = layer.window {
            let chunk = stream.lanes
            let inBits = stream.laneBits
            let windows = StreamFormat(lanes: chunk, laneBits: layer.inputKind.bits, vector: layer.inputs, frame: layer.pixels * layer.inputs)
            stages.append(HardwareStage(id: .window(layer: l), kind: .slidingWindow(window, simd: chunk, inBits: inBits, outBits: layer.inputKind.bits),
                                        layer: l, label: "\(layer.key) window", from: stream, to: windows))
            stream = windows
            adapt(&stream, to: mvauInput(layer, folding), id: .windowRepack(layer: l), layer: l, label: "\(layer.key) window repack",
                  pad: neutralLane(layer.inputKind), into: &stages)
        }
        let outputs = StreamFormat(lanes: folding.pe, laneBits: layer.outputBits, vector: layer.outputs, frame: layer.pixels * layer.outputs)
        stages.append(HardwareStage(id: .mvau(layer: l), kind: .mvau(layer, folding), layer: l, label: "\(layer.key) MVAU", from: stream, to: outputs))
        stream = outputs
        if let pool = layer.pool {
            let pooled = StreamFormat(lanes: folding.pe, laneBits: layer.pooledBits, vector: layer.outputs, frame: pool.output.count)
            stages.append(HardwareStage(id: .pool(layer: l), kind: .maxPool(pool.padded(channels: folding.paddedOutputs(layer.outputs)), simd: folding.pe), layer: l,
                                        label: "\(layer.key) \(pool.kind == .sum ? "sum-pool" : "max-pool")", from: stream, to: pooled))
            stream = pooled
        }
        return stream
    }

    /// What a layer's first stage reads: pixels of a convolution's input channels in words of
    /// the window generator's channels, or the MVAU's input vectors.
    static func layerInput(_ layer: LayerGeometry, _ folding: Folding) -> StreamFormat {
        guard let window = layer.window else { return mvauInput(layer, folding) }
        let inBits = layer.inputKind == .maskedBinary ? 1 : layer.inputKind.bits
        return StreamFormat(lanes: window.channelsPerWord(simd: folding.simd), laneBits: inBits, vector: window.input.channels, frame: window.input.count)
    }

    /// What an MVAU reads: vectors of MW lanes in SIMD-lane words, the last one padded.
    static func mvauInput(_ layer: LayerGeometry, _ folding: Folding) -> StreamFormat {
        StreamFormat(lanes: folding.simd, laneBits: layer.inputKind.bits, vector: layer.inputs, frame: layer.pixels * layer.inputs)
    }

    /// Elements per word of the top function's input stream when no binarizer comes first: what
    /// the first layer reads (its window generator's channels, or SIMD), or, where that would
    /// not divide the input, the largest divisor of it below SIMD (a converter pads the rest).
    static func inputLanes(_ layer: LayerGeometry, _ folding: Folding, count: Int) -> Int {
        if let window = layer.window { return window.channelsPerWord(simd: folding.simd) }
        return Divisors.of(count).last { $0 <= folding.simd } ?? 1
    }

    /// The input lane that adds nothing to an MVAU's accumulator given weight bit 1 (what
    /// PackWeights stores in padding columns): a 0 bit (XNOR 0), a not-valid masked lane, the
    /// zero point of 8-bit input, or code 0 (adds `w * 0`).
    public static func neutralLane(_ kind: MvauInput) -> Int {
        switch kind {
        case .binary, .maskedBinary, .codes: return 0
        case .integer(let bits, _, let zeroPoint): return zeroPoint & ((1 << bits) - 1)
        }
    }

    /// Appends the stage that turns `stream` into `needed`, if they differ: a width converter
    /// when neither pads, else a repack that drops and writes padding lanes.
    static func adapt(_ stream: inout StreamFormat, to needed: StreamFormat, id: StageID, layer: Int, label: String, pad: Int,
                              into stages: inout [HardwareStage]) {
        if !stream.isPadded && !needed.isPadded {
            guard stream.lanes != needed.lanes else { return }
            stages.append(HardwareStage(id: id, kind: .widthConverter(inWidth: stream.width, outWidth: needed.width, inWords: stream.words),
                                        layer: layer, label: label, from: stream, to: needed))
        } else {
            let repack = Repack(laneBits: needed.laneBits, inLanes: stream.lanes, inVector: stream.vector, outLanes: needed.lanes,
                                outVector: needed.vector, frame: needed.frame, pad: pad)
            stages.append(HardwareStage(id: id, kind: .repack(repack), layer: layer, label: label, from: stream, to: needed))
        }
        stream = needed
    }
}

/// How a stream carries a frame: `frame` lanes of `laneBits` bits, in vectors of `vector` lanes,
/// each vector in ceil(vector / lanes) words (the last one padded when `lanes` does not divide it).
struct StreamFormat: Equatable {
    var lanes: Int
    var laneBits: Int
    var vector: Int
    var frame: Int

    var width: Int { lanes * laneBits }
    var isPadded: Bool { vector % lanes != 0 }
    var words: Int { frame / max(vector, 1) * Divisors.ceilDiv(vector, lanes) }
}

extension HardwareStage {
    init(id: StageID, kind: StageKind, layer: Int, label: String, from: StreamFormat, to: StreamFormat) {
        self.init(id: id, kind: kind, layer: layer, label: label, inputWidth: from.width, inputWords: from.words,
                  outputWidth: to.width, outputWords: to.words)
    }
}
