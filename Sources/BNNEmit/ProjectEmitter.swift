import BNNDataflow
import BNNDesign
import BNNModel
import Templates

/// What the emitted project needs besides the design.
public struct EmitOptions: Sendable {
    /// The model file as the user named it (only its last component is written, to keep
    /// output free of machine-specific paths).
    public var modelFile: String
    public var part: String
    public var clockNs: Double
    /// The model's input shape `[H, W, C]`, for the driver to take `[N, H, W, C]` as `simulate`
    /// does (nil: the driver takes `[N, elements]` only).
    public var inputShape: [Int]?
    /// Weights and thresholds in RAMs loaded through the top's weights port (`--runtime-weights`).
    public var runtimeWeights: Bool

    public static let defaultPart = "xc7z020clg400-1"
    public static let defaultClockNs = 10.0

    public init(modelFile: String, part: String = defaultPart, clockNs: Double = defaultClockNs, inputShape: [Int]? = nil, runtimeWeights: Bool = false) {
        self.modelFile = modelFile
        self.part = part
        self.clockNs = clockNs
        self.inputShape = inputShape
        self.runtimeWeights = runtimeWeights
    }
}

public struct EmitError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Design and its dataflow graph -> the files of a self-contained Vitis HLS project, in memory,
/// deterministic. The command line adds folding.json and the reports, then `marked`.
public enum ProjectEmitter {
    /// Name of the file that marks a directory as bnn-hls output (safe to replace).
    public static let markerFile = "bnn-hls-output.txt"

    /// `graph` is the design's lowering (`DataflowGraph(design:)` when not given). With
    /// `options.runtimeWeights` the design must be `runtimeWritable()` (and `graph` its lowering).
    public static func emit(_ design: Design, graph: DataflowGraph? = nil, vectors: TestVectors, options: EmitOptions) throws -> [GeneratedFile] {
        let graph = graph ?? DataflowGraph(design: design)
        let runtime = options.runtimeWeights ? RuntimeProject(design: design, graph: graph) : nil
        let stages = graph.stages
        let top = TopEmitter(design: design, stages: stages, depths: graph.fifo.depths)
        if let widest = top.widths.max(), widest > TopEmitter.maxWidth {
            throw EmitError(message: "a stream word or converter buffer would be \(widest) bits wide, over Vitis's limit of \(TopEmitter.maxWidth); lower PE or SIMD with --fold")
        }
        // bnn::LogitMap holds the integer sum's scale and offset as C++ ints.
        if let m = design.output.maps.first(where: { Int32(exactly: $0.accScale) == nil || Int32(exactly: $0.accOffset) == nil }) {
            throw EmitError(message: "a logit map's integer sum (\(m.accScale) * acc + \(m.accOffset)) does not fit the C++ map's 32-bit fields")
        }
        let name = design.name
        let modelFile = String(options.modelFile.split(separator: "/").last ?? "model.json")
        let common = ["name": name, "model_file": SafeText.cppComment(modelFile)]
        // Prefixed so that no model name can make a guard equal a macro the headers define or test.
        let guardName = "BNN_GENERATED_" + name.uppercased()
        let last = design.layers.last
        var files: [GeneratedFile] = []

        func render(_ template: String, _ values: [String: String]) throws -> String {
            guard let bytes = TemplateFiles.named(template) else { throw EmitError(message: "missing template \(template)") }
            return try TemplateRenderer.render(String(decoding: bytes, as: UTF8.self), named: template, values)
        }

        let outputDescription = design.output.isArgmax
            ? "the class index (\(top.indexBits) bits), one word per frame"
            : "\(top.outputLanes) class accumulators of \(last?.accumulatorType.bits ?? 0) bits, class \(top.outputLanes > 1 ? "f*\(top.outputLanes)+i" : "f") in lane i of word f"
        files.append(GeneratedFile(path: "src/\(name).hpp", text: try render("top.hpp.tmpl", common.merging([
            "guard": guardName,
            "max_width_define": (top.widths.max() ?? 0) > TopEmitter.defaultMaxWidth
                ? "// Stream words wider than 1024 bits need this before the first ap_int.h.\n#define AP_INT_MAX_W \(TopEmitter.maxWidth)" : "",
            "input_lanes": "\(top.inputLanes)", "input_bits": "\(design.input.bits)",
            "input_word_bits": "\(top.inputWordBits)", "output_word_bits": "\(top.outputWordBits)",
            "output_description": outputDescription, "input_elements": "\(design.input.count)",
            "classes": "\(design.classCount)", "output_argmax": design.output.isArgmax ? "true" : "false",
            "output_lanes": "\(top.outputLanes)", "output_words_constant": "\(top.outputWords)", "accumulator_type": last?.accumulatorType.cName ?? "ap_int<1>",
            "output_words": "\(top.outputWords)",
            "class_maps": runtime?.headerDefinitions(name) ?? ParamsEmitter.logitMapDefinitions(design),
            "top_params": runtime == nil ? "" : ", hls::stream<ap_uint<32> > &weights, ap_uint<1> load",
        ]) { $1 })))
        var topValues = common.merging([
            "stage_summary": stageSummary(stages),
            "partitions": top.partitions.joined(separator: "\n"),
            "streams": top.streams.joined(separator: "\n"),
            "calls": top.calls.joined(separator: "\n"),
        ]) { $1 }
        if let runtime { topValues["loads"] = runtime.loads }
        files.append(GeneratedFile(path: "src/\(name).cpp", text: try render(runtime == nil ? "top.cpp.tmpl" : "top_runtime.cpp.tmpl", topValues)))
        files.append(GeneratedFile(path: "src/\(name)_params.hpp", text: try render("params.hpp.tmpl", common.merging([
            "guard": guardName, "definitions": runtime?.definitions ?? ParamsEmitter.definitions(design),
        ]) { $1 })))
        files.append(GeneratedFile(path: "tb/\(name)_tb.cpp", text: try render("testbench.cpp.tmpl", [
            "name": name, "tb_includes": runtime?.testbenchIncludes ?? "",
            "tb_load_weights": runtime?.testbenchLoad(name) ?? "", "tb_infer_args": runtime == nil ? "" : ", weights, 0",
        ])))
        let flow = ["name": name, "part": options.part, "clock_ns": CppLiterals.double(options.clockNs)]
        files.append(GeneratedFile(path: "run_hls.tcl", text: try render("run_hls.tcl.tmpl", flow)))
        files.append(GeneratedFile(path: "hls_config.cfg", text: try render("hls_config.cfg.tmpl", flow)))
        files.append(GeneratedFile(path: "Makefile", text: try render("Makefile.tmpl", ["name": name])))
        files.append(GeneratedFile(path: "README.md", text: try render("README.md.tmpl", flow.merging([
            "model_file": SafeText.markdown(modelFile), "stage_table": ReadmeTables.stages(design, stages),
            "input_description": ReadmeTables.input(design), "output_description": outputDescription,
            "bottleneck_cycles": "\(graph.bottleneckCycles)", "multibit_layout": ReadmeTables.multiBitLayout(design) + (runtime == nil ? "" : RuntimeProject.readme),
        ]) { $1 })))
        files += try DriverEmitter.files(design, top: top, options: options, runtime: runtime, render: render)
        files += try BoardEmitter.files(design, top: top, options: options, runtime: runtime != nil, render: render)
        for library in TemplateFiles.library {
            files.append(GeneratedFile(path: library.name.hasSuffix(".sh") ? library.name : "src/\(library.name)",
                                       contents: library.contents, isExecutable: library.name.hasSuffix(".sh")))
        }
        if let runtime {
            for library in TemplateFiles.runtimeLibrary { files.append(GeneratedFile(path: "src/\(library.name)", contents: library.contents)) }
            files.append(GeneratedFile(path: "vectors/weights.bin", contents: WeightFile.encode(runtime.image)))
        }
        files.append(GeneratedFile(path: "vectors/inputs.txt", text: vectors.inputsText(elements: design.input.count)))
        files.append(GeneratedFile(path: "vectors/expected.txt",
                                   text: vectors.expectedText(classes: design.classCount, argmax: design.output.isArgmax)))
        return files.sorted { $0.path < $1.path }
    }

    /// `files` and the marker file listing them all, sorted by path. `note` says what made the
    /// directory and which command replaces it.
    public static func marked(_ files: [GeneratedFile], note: String) -> [GeneratedFile] {
        let listing = files.map(\.path).sorted().joined(separator: "\n")
        return (files + [GeneratedFile(path: markerFile, text: "\(note)\n\n\(listing)\n")]).sorted { $0.path < $1.path }
    }

    private static func stageSummary(_ stages: [HardwareStage]) -> String {
        "Stages: " + SafeText.cppComment(stages.map(\.label).joined(separator: " -> "))
    }
}

/// Markdown tables for the generated README.
enum ReadmeTables {
    /// One row per stage of the top function, in stream order (the pipeline the calls instantiate).
    static func stages(_ design: Design, _ stages: [HardwareStage]) -> String {
        var rows = ["| stage | function | what | PE | SIMD | cycles/frame |", "| --- | --- | --- | --- | --- | --- |"]
        for stage in stages {
            var what = ""
            var pe = ""
            var simd = ""
            var function = stage.kind.name
            switch stage.kind {
            case .binarize(let lanes, let channels, let encoding, _, _):
                let levels = design.binarizer?.levels ?? 1
                what = "\(encoding.rawValue) input, \(channels) channels, thresholds per channel"
                    + (levels > 1 ? " (\(levels) levels, \(MultiThresholdROM.bits(levels: levels))-bit codes)" : "")
                if levels > 1 { function = "Quantize" }
                simd = "\(lanes)"
            case .widthConverter(let inWidth, let outWidth, _):
                what = "\(inWidth)-bit words to \(outWidth)-bit words"
            case .repack(let r):
                what = "\(r.inLanes) to \(r.outLanes) lanes of \(r.laneBits) bits per word"
                    + (r.inVector % r.inLanes != 0 ? ", drops padding after every \(r.inVector)" : "")
                    + (r.outVector % r.outLanes != 0 ? ", pads every \(r.outVector) to whole words" : "")
            case .slidingWindow(let w, let lanes, _, _):
                let p = w.padding
                what = "\(w.input.height)x\(w.input.width)x\(w.input.channels), kernel \(w.kernel.height)x\(w.kernel.width), stride \(w.stride.height)x\(w.stride.width), padding \(p.top),\(p.bottom),\(p.left),\(p.right)"
                simd = "\(lanes)"
            case .mvau(let layer, let f):
                let s = design.layers[stage.layer]
                let padded = s.paddedInputs > s.inputs || s.paddedOutputs > s.outputs ? " (padded to \(s.paddedInputs) x \(s.paddedOutputs))" : ""
                what = "\(SafeText.markdown(s.label)): MW \(layer.inputs) x MH \(layer.outputs)\(padded)\(layer.pixels > 1 ? ", \(layer.pixels) pixels" : "")"
                if s.weights.weightBits > 1 { what += ", \(s.weights.weightBits)-bit weights" }
                if case .codes(let bits) = s.inputKind { what += ", \(bits)-bit input codes" }
                if case .multiThreshold(let rom) = s.activation { what += ", \(rom.levels) thresholds per neuron to \(rom.outputBits)-bit codes" }
                pe = "\(f.pe)"
                simd = "\(f.simd)"
            case .maxPool(let pool, let lanes):
                let ands = pool.andChannels.filter { $0 }.count
                what = "\(SafeText.markdown(pool.label)): \(pool.pool.height)x\(pool.pool.width), stride \(pool.stride.height)x\(pool.stride.width)"
                switch (pool.kind, pool.bits) {
                case (.sum, _): what += ", sums of \(pool.bits)-bit codes in \(pool.outputBits) bits"
                case (.max, 1): what += ands > 0 ? ", \(ands) AND channels" : ""
                case (.max, _): what += ", \(pool.bits)-bit codes" + (ands > 0 ? ", \(ands) MIN channels" : "")
                }
                pe = "\(lanes)"
            case .argMax(let classes, let lanes, _, _):
                what = "\(classes) classes"
                pe = "\(lanes)"
            case .duplicate(let width, _):
                what = "\(width)-bit words to two readers"
            case .join(let j):
                what = "\(j.channels) channels x \(j.pixels) pixels, \(j.mainType.bits)-bit main values"
                    + (j.shortcutBits.map { ", thresholds per \($0)-bit shortcut code" } ?? "")
                    + ", \(j.levels) levels to \(j.outputBits)-bit codes"
                pe = "\(j.pe)"
            }
            rows.append("| \(SafeText.markdown(stage.label)) | `\(function)` | \(what) | \(pe) | \(simd) | \(stage.cycles) |")
        }
        return rows.joined(separator: "\n")
    }

    /// The ROM layouts only multi-bit designs use (empty otherwise, so version-1 READMEs keep
    /// their bytes): integer weights, multi-thresholds, the multi-level input quantizer.
    static func multiBitLayout(_ design: Design) -> String {
        var parts: [String] = []
        if design.layers.contains(where: { $0.weights.weightBits > 1 }) {
            parts.append("Integer weights (`bnn::IntegerWeights<SIMD, PE, WORDS, WB>`, weight_bits WB of 2 to 8) keep the same "
                + "banks and addresses, with SIMD lanes of WB bits per word: the weight of column `c` is lane `c % SIMD`, bits "
                + "`(c % SIMD) * WB` up to `+ WB - 1`, a two's complement integer (the integer weight code; the compiler "
                + "folds its per-channel scale into the thresholds or the logit map). Padding rows and columns hold 0. "
                + "WB = 2 adds, subtracts or skips; wider weights use a small LUT multiplier (`BIND_OP impl=fabric`).")
        }
        if design.layers.contains(where: { if case .codes = $0.inputKind { return true } else { return false } }) {
            parts.append("Multi-bit activations travel as unsigned codes `u` of b bits per lane (`bnn::CodeLane<b>`); a lane adds "
                + "`w * u`. What a code means (`offset + step * u`) lives only in the thresholds and the logit maps. "
                + "Padding lanes hold code 0.")
        }
        if design.layers.contains(where: { if case .multiThreshold = $0.activation { return true } else { return false } }) {
            parts.append("Multi-thresholds (`bnn::MultiThresholdActivation<PE, NF, LEVELS, OUT_BITS, T>`): neuron `r`'s LEVELS "
                + "ascending thresholds are `values[r % PE][r / PE][0..LEVELS-1]` (by border class `k`: "
                + "`values[r % PE][k * NF + r / PE][...]`, NF = ceil(MH / PE)) and its output code is how many of them "
                + "`a` reaches, `count(a >= t[l])`, OUT_BITS bits wide; `a` is the accumulator, or its negation where "
                + "`falling[r % PE][r / PE]` is true (the float64 decision falls as the sum rises; integer weights are never "
                + "negated). Padding neurons hold 0.")
        }
        if let b = design.binarizer, b.levels > 1 {
            parts.append("The input quantizer (`bnn::Quantize`, `bnn::ChannelLevelThresholds`): channel `ch`'s \(b.levels) ascending "
                + "thresholds are `values[ch % SIMD][ch / SIMD][...]`; the code is how many the raw input value reaches.")
        }
        if design.layers.contains(where: { $0.pool.map { $0.kind == .sum || $0.bits > 1 } ?? false }) {
            parts.append("Pools over codes: `bnn::MaxPoolCodes` takes each window's largest code, or its smallest on the "
                + "channels flagged in `ChannelFlags` (bit `ch % PE` of word `ch / PE`); `bnn::SumPool` (avgpool2d) "
                + "outputs the window's sum, which the next layer's thresholds divide by the window size.")
        }
        return parts.isEmpty ? "" : "\n\n" + parts.joined(separator: "\n\n")
    }

    static func input(_ design: Design) -> String {
        let i = design.input
        switch i.encoding {
        case .bipolar: return "\(i.count) bipolar elements (1 bit each, 1 = +1)"
        case .uint8, .int8: return "\(i.count) \(i.encoding.rawValue) elements, real value \(CppLiterals.double(i.scale)) * (q - \(i.zeroPoint))"
        }
    }
}
