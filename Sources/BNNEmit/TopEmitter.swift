import BNNDataflow
import BNNDesign
import BNNModel

/// The top function's body: one stream per edge, one library call per stage, in data-flow
/// order (C simulation runs DATAFLOW processes in call order).
struct TopEmitter {
    // Global names start with `bnn_`, which no model name may: they cannot clash with the top function.
    static let inputThresholdsName = "bnn_input_thresholds"
    static let classMapsName = "bnn_class_maps"
    static func weightsName(_ l: Int) -> String { "bnn_layer\(l)_weights" }
    static func thresholdsName(_ l: Int) -> String { "bnn_layer\(l)_thresholds" }
    static func poolFlagsName(_ l: Int) -> String { "bnn_layer\(l)_pool_and" }
    static func nodeThresholdsName(_ n: Int) -> String { "bnn_node\(n)_thresholds" }
    static func nodePoolFlagsName(_ n: Int) -> String { "bnn_node\(n)_pool_and" }

    /// Widest `ap_uint` the open headers take without `AP_INT_MAX_W`.
    static let defaultMaxWidth = 1024
    /// Vitis's hard limit.
    static let maxWidth = 4096

    let design: Design
    /// FIFO depth per stream, keyed by the stage that writes it (missing: Vitis's default 2).
    let depths: [StageID: Int]
    private(set) var partitions: [String] = []
    private(set) var streams: [String] = []
    private(set) var calls: [String] = []
    /// Every `ap_uint` width the top function instantiates: its streams and the converters'
    /// shift buffers (IN + OUT bits wide).
    private(set) var widths: [Int] = []
    /// The writer of each internal stream, in declaration order.
    private(set) var streamKeys: [StageID] = []
    private var streamCount = 0

    /// The pipeline the calls instantiate: the design's dataflow graph, as the cost model priced it.
    let stages: [HardwareStage]

    init(design: Design, stages: [HardwareStage], depths: [StageID: Int] = [:]) {
        self.design = design
        self.stages = stages
        self.depths = depths
        build()
    }

    /// Elements per word of the top function's input stream.
    var inputLanes: Int { (stages.first?.inputWidth ?? design.input.bits) / design.input.bits }
    var inputWordBits: Int { inputLanes * design.input.bits }
    var lastLayer: MvauStage? { design.layers.last }
    var outputLanes: Int { design.output.isArgmax ? 1 : (lastLayer?.folding.pe ?? 1) }
    /// Words per frame on the output stream (logits: ceil(classes / PE), the last one padded).
    var outputWords: Int { design.output.isArgmax ? 1 : (lastLayer?.neuronFold ?? 1) }
    var indexBits: Int { IntegerType(holding: 0...max(design.classCount - 1, 1)).bits }
    var outputWordBits: Int {
        design.output.isArgmax ? indexBits : outputLanes * (lastLayer?.accumulatorType.bits ?? 1)
    }

    private mutating func newStream(width: Int, writer: StageID, _ comment: String) -> String {
        var name = "s\(streamCount)"
        if case .shortcut(let k) = writer {
            name = "shortcut\(k)"  // named, so BNN_CSIM_DEPTHS can cut it
        } else {
            streamCount += 1
        }
        widths.append(width)
        streamKeys.append(writer)
        let depth = depths[writer] ?? 2
        // BNN_FIFO_DEPTH bounds the FIFO in the threaded C simulation (bnn_threaded_csim.hpp).
        streams.append("    hls::stream<ap_uint<\(width)> > \(name)(\"\(name)\");  // \(comment)\n#pragma HLS STREAM variable=\(name) depth=\(depth)\n    BNN_FIFO_DEPTH(\(name), \(depth));")
        return name
    }

    private func padPolicy(_ pad: WindowPad, _ input: MvauInput) -> String {
        switch pad {
        case .masked: return "bnn::MaskedPad"
        case .constant(let value): return "bnn::ConstantPad<\(input.bits), \(value)>"
        case .parity(let even, let odd): return "bnn::ParityPad<\(input.bits), \(even), \(odd)>"
        }
    }

    private mutating func build() {
        var names: [StageID: String] = [:]
        widths.append(inputWordBits)
        for (i, stage) in stages.enumerated() {
            let isLast = i == stages.count - 1
            var targets: [String] = []
            if isLast {
                targets = ["out"]
                widths.append(stage.outputWidth)
            } else {
                for id in stage.outputs {
                    let name = newStream(width: stage.outputWidth, writer: id, streamComment(stage, id))
                    names[id] = name
                    targets.append(name)
                }
            }
            switch stage.kind {
            case .widthConverter, .repack: widths.append(stage.inputWidth + stage.outputWidth)
            default: break
            }
            let sources = stage.inputs.isEmpty ? ["in"] : stage.inputs.map { names[$0] ?? "in" }
            calls.append(Self.process(call(stage, from: sources, to: targets)))
        }
    }

    /// Wraps a call's statement (its last line) in BNN_PROCESS, one thread in the threaded C simulation.
    private static func process(_ call: String) -> String {
        var lines = call.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let last = lines.last, last.hasPrefix("    "), last.hasSuffix(";") else { return call }
        lines[lines.count - 1] = "    BNN_PROCESS(" + last.dropFirst(4).dropLast() + ");"
        return lines.joined(separator: "\n")
    }

    private func streamComment(_ stage: HardwareStage, _ stream: StageID) -> String {
        switch stream {
        case .binarize: return (design.binarizer?.outputBits ?? 1) == 1 ? "input bits" : "input codes"
        case .converter(let l): return "layer \(l) input"
        case .window(let l): return "layer \(l) windows"
        case .windowRepack(let l): return "layer \(l) MVAU input"
        case .mvau(let l):
            if l == design.layers.count - 1 { return "class accumulators" }
            if case .accumulator = design.layers[l].activation { return "layer \(l) accumulators (\(design.layers[l].accumulatorType.cName))" }
            let bits = design.layers[l].outputBits
            return bits == 1 ? "layer \(l) output bits" : "layer \(l) output codes (\(bits) bits each)"
        case .pool(let l):
            let bits = design.layers[l].pool.map { $0.kind == .sum ? $0.outputBits : $0.bits } ?? 1
            return bits == 1 ? "layer \(l) pooled bits" : "layer \(l) pooled codes (\(bits) bits each)"
        case .argmax: return "class index"
        case .duplicate(let n, _): return "\(n < 0 ? "input" : "node \(n) output") copy"
        case .shortcut: return "shortcut: the copy the join reads after the long branch"
        case .joinConverter(let n, let port): return "node \(n) \(port == 0 ? "main" : "shortcut") input"
        case .join(let n), .joinPool(let n):
            guard let t = design.nodes[n].thresholdStage else { return "node \(n) output" }
            return "\(SafeText.cppComment(t.label)) output codes (\(stream == .join(node: n) ? t.codeBits : t.outputBits) bits each)"
        }
    }

    /// One library call, with its comment line where it helps a reader.
    private mutating func call(_ stage: HardwareStage, from sources: [String], to targets: [String]) -> String {
        let l = stage.layer
        let current = sources[0], target = targets[0]
        switch stage.kind {
        case .binarize(let simd, let channels, let encoding, let thresholdType, let words):
            let value = encoding == .bipolar ? "bnn::BipolarValue" : "bnn::IntegerValue<8, \(encoding == .int8)>"
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.inputThresholdsName).values complete dim=1")
            let label = design.binarizer.map { SafeText.cppComment($0.label) } ?? "input sign"
            let pixels = words * simd / max(channels, 1)
            if let b = design.binarizer, b.levels > 1 {
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.inputThresholdsName).values complete dim=3")
                return "    // \(label): \(b.levels) levels to \(b.outputBits)-bit codes\n    bnn::Quantize<\(simd), \(channels), \(pixels), \(value), \(thresholdType.cName), \(b.levels), \(b.outputBits)>(\(current), \(target), \(Self.inputThresholdsName), 1);"
            }
            return "    // \(label)\n    bnn::Binarize<\(simd), \(channels), \(pixels), \(value), \(thresholdType.cName)>(\(current), \(target), \(Self.inputThresholdsName), 1);"
        case .widthConverter(let inWidth, let outWidth, let inWords):
            return "    bnn::StreamWidthConverter<\(inWidth), \(outWidth), \(inWords)>(\(current), \(target), 1);"
        case .repack(let r):
            var what: [String] = []
            if r.inVector % r.inLanes != 0 { what.append("drops the padding lanes after every \(r.inVector)") }
            if r.outVector % r.outLanes != 0 {
                what.append("pads every \(r.outVector) lanes to \((r.outVector + r.outLanes - 1) / r.outLanes * r.outLanes) with \(r.pad)")
            }
            return "    // Repack: \(what.joined(separator: ", ")).\n    bnn::StreamRepack<\(r.laneBits), \(r.inLanes), \(r.inVector), \(r.outLanes), \(r.outVector), \(r.frame), \(r.pad)>(\(current), \(target), 1);"
        case .slidingWindow(let window, let simd, _, _):
            let layer = design.layers[l]
            let p = window.padding
            let dims = "\(window.input.height), \(window.input.width), \(window.input.channels), \(window.kernel.height), \(window.kernel.width), \(window.stride.height), \(window.stride.width), \(p.top), \(p.bottom), \(p.left), \(p.right), \(simd)"
            return "    bnn::SlidingWindow<\(dims), \(padPolicy(window.pad, layer.inputKind)), \(CycleModel.windowGuard)>(\(current), \(target), 1);"
        case .mvau(_, let f):
            let layer = design.layers[l]
            let acc = layer.accumulatorType.cName
            let lane: String
            switch layer.inputKind {
            case .binary: lane = "bnn::XnorLane"
            case .maskedBinary: lane = "bnn::MaskedXnorLane"
            case .integer(let bits, let signed, let zeroPoint): lane = "bnn::IntegerLane<\(bits), \(signed), \(zeroPoint)>"
            case .codes(let bits): lane = "bnn::CodeLane<\(bits)>"
            }
            let activationType: String
            let activationArgument: String
            switch layer.activation {
            case .thresholds(let rom):
                activationType = ParamsEmitter.activationType(rom, type: layer.accumulatorType)
                activationArgument = Self.thresholdsName(l)
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.thresholdsName(l)).values complete dim=1")
            case .multiThreshold(let rom):
                activationType = ParamsEmitter.activationType(rom, type: ParamsEmitter.thresholdType(rom, accumulator: layer.accumulatorType))
                activationArgument = Self.thresholdsName(l)
                // Every PE lane compares against every level in the same cycle.
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.thresholdsName(l)).values complete dim=1")
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.thresholdsName(l)).values complete dim=3")
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.thresholdsName(l)).falling complete dim=1")
            case .accumulator:
                activationType = "bnn::PassThroughActivation<\(acc)>"
                activationArgument = "\(activationType)()"
            }
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.weightsName(l)).words complete dim=1")
            let reps = layer.pixels == 1 ? "1" : "\(layer.pixels)"
            var notes: [String] = []
            if layer.pixels > 1 { notes.append("one matrix-vector product per output pixel") }
            if layer.paddedOutputs > layer.outputs { notes.append("rows \(layer.outputs)..\(layer.paddedOutputs - 1) are padding") }
            if layer.paddedInputs > layer.inputs { notes.append("columns \(layer.inputs)..\(layer.paddedInputs - 1) are padding") }
            if layer.weights.weightBits > 1 { notes.append("\(layer.weights.weightBits)-bit weights") }
            let note = notes.isEmpty ? "" : ", " + notes.joined(separator: ", ")
            return "    // \(SafeText.cppComment(layer.label)): \(f)\(note)\n    bnn::Mvau<\(layer.inputs), \(layer.outputs), \(f.simd), \(f.pe), \(lane), \(acc), \(activationType)>(\(current), \(target), \(Self.weightsName(l)), \(activationArgument), \(reps));"
        case .maxPool(let pool, let simd):
            let i = pool.input
            var label = design.layers[l].pool.map { SafeText.cppComment($0.label) } ?? "max-pool"
            var flags = Self.poolFlagsName(l)
            if case .joinPool(let n) = stage.id {
                label = SafeText.cppComment(pool.label)
                flags = Self.nodePoolFlagsName(n)
            }
            let dims = "\(i.height), \(i.width), \(i.channels), \(pool.pool.height), \(pool.pool.width), \(pool.stride.height), \(pool.stride.width), \(simd)"
            let revisit = CycleModel.poolMinRevisit
            switch (pool.kind, pool.bits) {
            case (.sum, _):
                return "    // \(label): sums of \(pool.bits)-bit codes, \(pool.outputBits) bits\n    bnn::SumPool<\(dims), \(pool.bits), \(pool.outputBits), \(revisit)>(\(current), \(target), 1);"
            case (.max, 1):
                return "    // \(label)\n    bnn::MaxPoolBinary<\(dims), \(revisit)>(\(current), \(target), \(flags), 1);"
            case (.max, _):
                return "    // \(label): \(pool.bits)-bit codes\n    bnn::MaxPoolCodes<\(dims), \(pool.bits), \(revisit)>(\(current), \(target), \(flags), 1);"
            }
        case .argMax(let classes, let pe, let accumulatorType, let logits):
            if logits {
                return "    // Argmax over float64 logits: the classes' maps differ, so compare what the network compares.\n    bnn::LogitArgMax<\(classes), \(pe), \(accumulatorType.cName), \(indexBits)>(\(current), \(target), \(Self.classMapsName), 1);"
            }
            return "    // Argmax over the class accumulators (one shared, strictly increasing logit map).\n    bnn::ArgMax<\(classes), \(pe), \(accumulatorType.cName), \(indexBits)>(\(current), \(target), 1);"
        case .duplicate(let width, let words):
            return "    bnn::Duplicate<\(width), \(words)>(\(current), \(target), \(targets[1]), 1);"
        case .join(let j):
            guard case .join(let n) = stage.id, let t = design.nodes[n].thresholdStage else { return "" }
            let name = Self.nodeThresholdsName(n)
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(name).values complete dim=1")
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(name).values complete dim=3")
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(name).falling complete dim=1")
            let dims = "\(j.channels), \(j.pe), \(j.pixels), \(j.mainType.cName)"
            guard let bits = j.shortcutBits else {
                return "    // \(SafeText.cppComment(t.label)): requantization, \(j.levels) levels to \(j.outputBits)-bit codes\n    bnn::Requantize<\(dims)>(\(current), \(target), \(name), 1);"
            }
            return "    // \(SafeText.cppComment(t.label)): thresholds per shortcut code (\(bits)-bit), \(j.levels) levels to \(j.outputBits)-bit codes\n    bnn::JoinThresholds<\(dims), \(bits)>(\(current), \(sources[1]), \(target), \(name), 1);"
        }
    }
}
