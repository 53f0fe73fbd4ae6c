import BNNDesign
import BNNEstimate

/// The top function's body: one stream per edge, one library call per stage, in data-flow
/// order (C simulation runs DATAFLOW processes in call order).
struct TopEmitter {
    static let inputThresholdsName = "input_thresholds"
    static let classMapsName = "class_maps"
    static func weightsName(_ l: Int) -> String { "layer\(l)_weights" }
    static func thresholdsName(_ l: Int) -> String { "layer\(l)_thresholds" }
    static func poolFlagsName(_ l: Int) -> String { "layer\(l)_pool_and" }

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
    private(set) var widths: [Int] = []
    /// The writer of each internal stream, in declaration order.
    private(set) var streamKeys: [StageID] = []
    private var streamCount = 0

    init(design: Design, depths: [StageID: Int] = [:]) {
        self.design = design
        self.depths = depths
        build()
    }

    var inputLanes: Int { design.binarizer?.simd ?? design.layers.first?.folding.simd ?? 1 }
    var inputWordBits: Int { inputLanes * design.input.bits }
    var lastLayer: MvauStage? { design.layers.last }
    var outputLanes: Int { design.output.isArgmax ? 1 : (lastLayer?.folding.pe ?? 1) }
    var indexBits: Int { IntegerType(holding: 0...max(design.classCount - 1, 1)).bits }
    var outputWordBits: Int {
        design.output.isArgmax ? indexBits : outputLanes * (lastLayer?.accumulatorType.bits ?? 1)
    }

    private mutating func newStream(width: Int, writer: StageID, _ comment: String) -> String {
        let name = "s\(streamCount)"
        streamCount += 1
        widths.append(width)
        streamKeys.append(writer)
        streams.append("    hls::stream<ap_uint<\(width)> > \(name)(\"\(name)\");  // \(comment)\n#pragma HLS STREAM variable=\(name) depth=\(depths[writer] ?? 2)")
        return name
    }

    /// A width converter from `width` to `needed` bits per word, if they differ.
    private mutating func convert(_ current: String, from width: Int, to needed: Int, totalBits: Int, layer: Int, _ comment: String) -> (String, Int) {
        guard needed != width else { return (current, width) }
        let next = newStream(width: needed, writer: .converter(layer: layer), comment)
        calls.append("    bnn::StreamWidthConverter<\(width), \(needed), \(totalBits / width)>(\(current), \(next), 1);")
        return (next, needed)
    }

    private func padPolicy(_ pad: WindowPad, _ input: MvauInput) -> String {
        switch pad {
        case .masked: return "bnn::MaskedPad"
        case .constant(let value): return "bnn::ConstantPad<\(input.bits), \(value)>"
        }
    }

    private mutating func build() {
        var current = "in"
        var width = inputWordBits
        var totalBits = design.input.count * design.input.bits
        widths.append(width)
        if let b = design.binarizer {
            let value = design.input.encoding == .bipolar ? "bnn::BipolarValue" : "bnn::IntegerValue<8, \(design.input.isSigned)>"
            let next = newStream(width: b.simd, writer: .binarize, "input bits")
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.inputThresholdsName).values complete dim=1")
            calls.append("    // \(CppLiterals.comment(b.label))\n    bnn::Binarize<\(b.simd), \(design.input.channels), \(value), \(b.thresholdType.cName)>(\(current), \(next), \(Self.inputThresholdsName), \(design.input.count / b.simd));")
            current = next
            width = b.simd
            totalBits = design.input.count
        }
        for (l, stage) in design.layers.enumerated() {
            let f = stage.folding
            if let window = stage.window {
                // The window generator reads whole pixels, SIMD channels per word.
                let elementBits = stage.inputKind == .maskedBinary ? 1 : stage.inputKind.bits
                (current, width) = convert(current, from: width, to: f.simd * elementBits, totalBits: totalBits, layer: l, "\(f.simd) channels for the window of layer \(l)")
                let next = newStream(width: f.simd * stage.inputKind.bits, writer: .window(layer: l), "layer \(l) windows")
                let p = window.padding
                let dims = "\(window.input.height), \(window.input.width), \(window.input.channels), \(window.kernel.height), \(window.kernel.width), \(window.stride.height), \(window.stride.width), \(p.top), \(p.bottom), \(p.left), \(p.right), \(f.simd)"
                calls.append("    bnn::SlidingWindow<\(dims), \(padPolicy(window.pad, stage.inputKind))>(\(current), \(next), 1);")
                current = next
                width = f.simd * stage.inputKind.bits
            } else {
                (current, width) = convert(current, from: width, to: f.simd * stage.inputKind.bits, totalBits: totalBits, layer: l, "\(f.simd) lanes for layer \(l)")
            }
            let isLast = l == design.layers.count - 1
            let acc = stage.accumulatorType.cName
            let lane: String
            switch stage.inputKind {
            case .binary: lane = "bnn::XnorLane"
            case .maskedBinary: lane = "bnn::MaskedXnorLane"
            case .integer(let bits, let signed, let zeroPoint): lane = "bnn::IntegerLane<\(bits), \(signed), \(zeroPoint)>"
            }
            let activationType: String
            let activationArgument: String
            let outWidth: Int
            if case .thresholds(let rom) = stage.activation {
                activationType = "bnn::ThresholdActivation<\(f.pe), \(rom.depth), \(acc)>"
                activationArgument = Self.thresholdsName(l)
                outWidth = f.pe
                partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.thresholdsName(l)).values complete dim=1")
            } else {
                activationType = "bnn::PassThroughActivation<\(acc)>"
                activationArgument = "\(activationType)()"
                outWidth = f.pe * stage.accumulatorType.bits
            }
            partitions.append("#pragma HLS ARRAY_PARTITION variable=\(Self.weightsName(l)).words complete dim=1")
            let target = isLast && !design.output.isArgmax ? "out" : newStream(width: outWidth, writer: .mvau(layer: l), isLast ? "class accumulators" : "layer \(l) output bits")
            if target == "out" { widths.append(outWidth) }
            let reps = stage.pixels == 1 ? "1" : "\(stage.pixels)"
            calls.append("    // \(CppLiterals.comment(stage.label)): \(f)\(stage.pixels > 1 ? ", one matrix-vector product per output pixel" : "")\n    bnn::Mvau<\(stage.inputs), \(stage.outputs), \(f.simd), \(f.pe), \(lane), \(acc), \(activationType)>(\(current), \(target), \(Self.weightsName(l)), \(activationArgument), \(reps));")
            current = target
            width = outWidth
            totalBits = stage.outputs * stage.pixels * (isLast ? stage.accumulatorType.bits : 1)
            if let pool = stage.pool {
                let next = newStream(width: f.pe, writer: .pool(layer: l), "layer \(l) pooled bits")
                let i = pool.input
                calls.append("    // \(CppLiterals.comment(pool.label))\n    bnn::MaxPoolBinary<\(i.height), \(i.width), \(i.channels), \(pool.pool.height), \(pool.pool.width), \(pool.stride.height), \(pool.stride.width), \(f.pe)>(\(current), \(next), \(Self.poolFlagsName(l)), 1);")
                current = next
                totalBits = pool.output.count
            }
        }
        guard let last = lastLayer else { return }
        let classes = design.classCount
        switch design.output {
        case .logits:
            break
        case .argmaxOfAccumulators:
            calls.append("    // Argmax over the class accumulators (one shared, strictly increasing logit map).\n    bnn::ArgMax<\(classes), \(last.folding.pe), \(last.accumulatorType.cName), \(indexBits)>(\(current), out, 1);")
        case .argmaxOfLogits:
            calls.append("    // Argmax over float64 logits: the classes' maps differ, so compare what the network compares.\n    bnn::LogitArgMax<\(classes), \(last.folding.pe), \(last.accumulatorType.cName), \(indexBits)>(\(current), out, \(Self.classMapsName), 1);")
        }
        if design.output.isArgmax { widths.append(indexBits) }
    }
}
