import BNNDesign
import BNNModel

/// The design's constants as C++ aggregates: weight ROMs, thresholds and the input binarizer's
/// thresholds (the params header), and the per-class logit maps (the top header, which the
/// testbench includes without compiling the ROMs a second time).
enum ParamsEmitter {
    static func definitions(_ design: Design) -> String {
        var out = ""
        if let b = design.binarizer {
            out += "// \(SafeText.cppComment(b.label)): input element of channel c -> bit (value >= threshold[c]).\n"
            out += binarizerThresholds(b, channels: design.input.channels)
        }
        for (l, stage) in design.layers.enumerated() {
            let f = stage.folding
            let padding = stage.paddedInputs > stage.inputs || stage.paddedOutputs > stage.outputs
                ? " (padded to \(stage.paddedInputs)x\(stage.paddedOutputs): padding columns hold weight +1, padding rows are ignored)" : ""
            out += "// \(SafeText.cppComment(stage.label)): MW=\(stage.inputs) MH=\(stage.outputs) PE=\(f.pe) SIMD=\(f.simd)\(padding)\n"
            out += weights(stage, name: TopEmitter.weightsName(l))
            if case .thresholds(let rom) = stage.activation {
                out += thresholds(rom, type: stage.accumulatorType, name: TopEmitter.thresholdsName(l))
            }
            if let pool = stage.pool {
                out += "// \(SafeText.cppComment(pool.label)): channels whose pooled maximum becomes a minimum after a negative batchnorm scale (AND instead of OR).\n"
                out += poolFlags(pool.padded(channels: stage.paddedOutputs).andChannels, simd: f.pe, name: TopEmitter.poolFlagsName(l))
            }
        }
        return out
    }

    static func logitMapDefinitions(_ design: Design) -> String {
        "// Last layer: accumulator -> logit, one float64 rounding per step (bnn::Logit).\n" + logitMaps(design.output.maps)
    }

    private static func weights(_ stage: MvauStage, name: String) -> String {
        let rom = stage.weights
        var out = "static const bnn::BinaryWeights<\(rom.simd), \(rom.pe), \(rom.depth)> \(name) = {{\n"
        for bank in 0..<rom.pe {
            let words = (0..<rom.depth).map { CppLiterals.word(rom.word(bank: bank, address: $0), bits: rom.simd) }
            out += "    {" + wrapped(words) + "},\n"
        }
        return out + "}};\n\n"
    }

    /// The C++ activation type of a threshold ROM (with border classes: per-pixel thresholds).
    static func activationType(_ rom: ThresholdROM, type: IntegerType) -> String {
        guard let border = rom.border else { return "bnn::ThresholdActivation<\(rom.pe), \(rom.depth), \(type.cName)>" }
        return "bnn::BorderThresholdActivation<\(rom.pe), \(rom.depth), \(type.cName), \(border.rowClasses.count), "
            + "\(border.columnClasses.count), \(border.rowOverlaps.count), \(border.columnOverlaps.count)>"
    }

    private static func thresholds(_ rom: ThresholdROM, type: IntegerType, name: String) -> String {
        let depth = rom.classes * rom.depth
        var banks = ""
        for bank in 0..<rom.pe {
            let values = (0..<depth).map { CppLiterals.integer(rom.threshold(bank: bank, address: $0 % rom.depth, borderClass: $0 / rom.depth), type) }
            banks += "    {" + wrapped(values) + "},\n"
        }
        guard let border = rom.border else {
            return "static const \(activationType(rom, type: type)) \(name) = {{\n" + banks + "}};\n\n"
        }
        let rows = border.rowClasses.map(String.init)
        let columns = border.columnClasses.map(String.init)
        return "// Thresholds by border class (pad_value +-1 on 8-bit input): neuron r of class k at values[r % PE][k * \(rom.depth) + r / PE];\n"
            + "// output pixel (y, x) is in class rowClass[y] * \(border.columnOverlaps.count) + colClass[x].\n"
            + "static const \(activationType(rom, type: type)) \(name) = {\n  {\n" + banks + "  },\n"
            + "  {" + wrapped(rows) + "},\n  {" + wrapped(columns) + "},\n};\n\n"
    }

    private static func binarizerThresholds(_ b: BinarizerStage, channels: Int) -> String {
        let folds = channels / b.simd
        var out = "static const bnn::ChannelThresholds<\(b.simd), \(folds), \(b.thresholdType.cName)> \(TopEmitter.inputThresholdsName) = {{\n"
        for lane in 0..<b.simd {
            let values = (0..<folds).map { CppLiterals.integer(b.thresholds[$0 * b.simd + lane], b.thresholdType) }
            out += "    {" + wrapped(values) + "},\n"
        }
        return out + "}};\n\n"
    }

    private static func poolFlags(_ flags: [Bool], simd: Int, name: String) -> String {
        let folds = flags.count / simd
        let words = (0..<folds).map { fold -> String in
            var limb: [UInt64] = Array(repeating: 0, count: (simd + 63) / 64)
            for lane in 0..<simd where flags[fold * simd + lane] { limb[lane / 64] |= 1 << UInt64(lane % 64) }
            return CppLiterals.word(limb[...], bits: simd)
        }
        return "static const bnn::ChannelFlags<\(simd), \(folds)> \(name) = {{" + wrapped(words) + "}};\n\n"
    }

    private static func logitMaps(_ maps: [LogitMap]) -> String {
        var out = "static const bnn::LogitMap \(TopEmitter.classMapsName)[\(maps.count)] = {\n"
        for m in maps {
            let bn = m.batchnorm
            let fields = [
                "\(m.accScale)", "\(m.accOffset)", CppLiterals.double(m.inputScale), CppLiterals.double(m.alpha),
                CppLiterals.double(m.bias), bn == nil ? "false" : "true", CppLiterals.double(bn?.mean ?? 0),
                CppLiterals.double(bn?.gamma ?? 1), CppLiterals.double(bn?.stddev ?? 1), CppLiterals.double(bn?.beta ?? 0),
            ]
            out += "    {" + fields.joined(separator: ", ") + "},\n"
        }
        return out + "};\n"
    }

    /// Comma-separated, a few per line so large ROMs stay readable.
    private static func wrapped(_ items: [String]) -> String {
        let perLine = items.first.map { max(1, 100 / ($0.count + 2)) } ?? 1
        return stride(from: 0, to: items.count, by: perLine).map {
            items[$0..<min($0 + perLine, items.count)].joined(separator: ", ")
        }.joined(separator: ",\n     ")
    }
}
