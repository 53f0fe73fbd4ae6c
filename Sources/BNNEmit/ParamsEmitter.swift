import BNNDesign
import BNNModel

/// The design's constants as C++ aggregates: weight ROMs, thresholds and the input binarizer's
/// thresholds (the params header), and the per-class logit maps (the top header, which the
/// testbench includes without compiling the ROMs a second time).
enum ParamsEmitter {
    static func definitions(_ design: Design) -> String {
        var out = ""
        if let b = design.binarizer {
            if b.levels > 1 {
                out += "// \(SafeText.cppComment(b.label)): input element of channel c -> code count(value >= t[c][l]), \(b.levels) ascending levels.\n"
                out += binarizerLevelThresholds(b, channels: design.input.channels)
            } else {
                out += "// \(SafeText.cppComment(b.label)): input element of channel c -> bit (value >= threshold[c]).\n"
                out += binarizerThresholds(b, channels: design.input.channels)
            }
        }
        for (l, stage) in design.layers.enumerated() {
            let f = stage.folding
            let integerWeights = stage.weights.weightBits > 1
            let padding = stage.paddedInputs > stage.inputs || stage.paddedOutputs > stage.outputs
                ? " (padded to \(stage.paddedInputs)x\(stage.paddedOutputs): padding columns hold weight \(integerWeights ? "0" : "+1"), padding rows are ignored)" : ""
            let weightBits = integerWeights ? " \(stage.weights.weightBits)-bit weights" : ""
            out += "// \(SafeText.cppComment(stage.label)): MW=\(stage.inputs) MH=\(stage.outputs) PE=\(f.pe) SIMD=\(f.simd)\(weightBits)\(padding)\n"
            out += weights(stage, name: TopEmitter.weightsName(l))
            switch stage.activation {
            case .thresholds(let rom):
                out += thresholds(rom, type: stage.accumulatorType, name: TopEmitter.thresholdsName(l))
            case .multiThreshold(let rom):
                out += multiThresholds(rom, type: thresholdType(rom, accumulator: stage.accumulatorType), name: TopEmitter.thresholdsName(l))
            case .accumulator:
                break
            }
            if let pool = stage.pool {
                switch (pool.kind, pool.bits) {
                case (.sum, _):
                    break
                case (.max, 1):
                    out += "// \(SafeText.cppComment(pool.label)): channels whose pooled maximum becomes a minimum after a negative batchnorm scale (AND instead of OR).\n"
                case (.max, _):
                    out += "// \(SafeText.cppComment(pool.label)): channels that take the smallest code of the window (the chain after the pool falls).\n"
                }
                if pool.kind == .max {
                    out += poolFlags(pool.padded(channels: stage.paddedOutputs).andChannels, simd: f.pe, name: TopEmitter.poolFlagsName(l))
                }
            }
        }
        for (n, node) in design.nodes.enumerated() {
            guard let t = node.thresholdStage else { continue }
            let codes = t.shortcutBits.map { "per \($0)-bit shortcut code k" } ?? "a requantization (k = 0)"
            out += "// \(SafeText.cppComment(t.label)): \(t.channels) channels, PE=\(t.pe), thresholds \(codes).\n"
            out += multiThresholds(t.thresholds, type: t.thresholdType, name: TopEmitter.nodeThresholdsName(n), typeName: joinThresholdsType(t))
            if let pool = t.pool, pool.kind == .max {
                let padded = Divisors.ceilDiv(t.channels, t.pe) * t.pe
                out += "// \(SafeText.cppComment(pool.label)): channels that take the smallest code of the window.\n"
                out += poolFlags(pool.padded(channels: padded).andChannels, simd: t.pe, name: TopEmitter.nodePoolFlagsName(n))
            }
        }
        return out
    }

    /// The C++ type of a threshold node's ROM (bnn_join.hpp).
    static func joinThresholdsType(_ t: ThresholdStage) -> String {
        let rom = t.thresholds
        return "bnn::CodeIndexedThresholds<\(rom.pe), \(rom.depth), \(t.shortcutCodes), \(rom.levels), \(rom.outputBits), \(t.thresholdType.cName)>"
    }

    static func logitMapDefinitions(_ design: Design) -> String {
        "// Last layer: accumulator -> logit, one float64 rounding per step (bnn::Logit).\n" + logitMaps(design.output.maps)
    }

    private static func weights(_ stage: MvauStage, name: String) -> String {
        let rom = stage.weights
        let type = rom.weightBits > 1 ? "bnn::IntegerWeights<\(rom.simd), \(rom.pe), \(rom.depth), \(rom.weightBits)>"
            : "bnn::BinaryWeights<\(rom.simd), \(rom.pe), \(rom.depth)>"
        var out = "static const \(type) \(name) = {{\n"
        for bank in 0..<rom.pe {
            let words = (0..<rom.depth).map { CppLiterals.word(rom.word(bank: bank, address: $0), bits: rom.wordBits) }
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

    /// The C++ activation type of a multi-threshold ROM (with border classes: per-pixel levels).
    static func activationType(_ rom: MultiThresholdROM, type: IntegerType) -> String {
        let common = "\(rom.pe), \(rom.depth), \(rom.levels), \(rom.outputBits), \(type.cName)"
        guard let border = rom.border else { return "bnn::MultiThresholdActivation<\(common)>" }
        return "bnn::BorderMultiThresholdActivation<\(common), \(border.rowClasses.count), \(border.columnClasses.count), "
            + "\(border.rowOverlaps.count), \(border.columnOverlaps.count)>"
    }

    /// A type holding every threshold of `rom` and the accumulator negated or not (the values a
    /// level compares), so no threshold literal can wrap.
    static func thresholdType(_ rom: MultiThresholdROM, accumulator: IntegerType) -> IntegerType {
        let range = accumulator.range
        let low = min(rom.values.min() ?? 0, range.lowerBound, -range.upperBound)
        let high = max(rom.values.max() ?? 0, range.upperBound, -range.lowerBound)
        return IntegerType(holding: low...high)
    }

    private static func multiThresholds(_ rom: MultiThresholdROM, type: IntegerType, name: String, typeName: String? = nil) -> String {
        let rows = rom.classes * rom.depth
        var values = ""
        var falling = ""
        for bank in 0..<rom.pe {
            let neurons = (0..<rows).map { row -> String in
                let levels = (0..<rom.levels).map {
                    CppLiterals.integer(rom.threshold(bank: bank, address: row % rom.depth, level: $0, borderClass: row / rom.depth), type)
                }
                return "{" + levels.joined(separator: ", ") + "}"
            }
            values += "    {" + wrapped(neurons) + "},\n"
            falling += "    {" + wrapped((0..<rom.depth).map { rom.isFalling(bank: bank, address: $0) ? "true" : "false" }) + "},\n"
        }
        let classed = rom.border != nil || rom.classes > 1
        var out = "// Multi-threshold: neuron r\(classed ? " of class k" : "") at values[r % PE][\(classed ? "k * \(rom.depth) + " : "")r / PE][0..\(rom.levels - 1)] (ascending);\n"
            + "// output code = count(a >= t[l]), a = -acc where falling[r % PE][r / PE], else acc.\n"
        guard let border = rom.border else {
            return out + "static const \(typeName ?? activationType(rom, type: type)) \(name) = {\n  {\n\(values)  },\n  {\n\(falling)  },\n};\n\n"
        }
        out += "// Output pixel (y, x) is in class rowClass[y] * \(border.columnOverlaps.count) + colClass[x].\n"
        return out + "static const \(activationType(rom, type: type)) \(name) = {\n  {\n\(values)  },\n  {\n\(falling)  },\n"
            + "  {" + wrapped(border.rowClasses.map(String.init)) + "},\n  {" + wrapped(border.columnClasses.map(String.init)) + "},\n};\n\n"
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

    private static func binarizerLevelThresholds(_ b: BinarizerStage, channels: Int) -> String {
        let folds = channels / b.simd
        var out = "static const bnn::ChannelLevelThresholds<\(b.simd), \(folds), \(b.levels), \(b.thresholdType.cName)> \(TopEmitter.inputThresholdsName) = {{\n"
        for lane in 0..<b.simd {
            let channelsOfLane = (0..<folds).map { fold -> String in
                "{" + b.levelThresholds[fold * b.simd + lane].map { CppLiterals.integer($0, b.thresholdType) }.joined(separator: ", ") + "}"
            }
            out += "    {" + wrapped(channelsOfLane) + "},\n"
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

    /// Which C++ map type the classes need (ROM literals and runtime words alike).
    struct LogitMapKind {
        var shifted: Bool
        var divided: Bool

        init(_ maps: [LogitMap]) {
            divided = maps.contains { $0.divisor != 1 }
            shifted = divided || maps.contains { $0.shift != nil }
        }

        var typeName: String { divided ? "DividedLogitMap" : shifted ? "ShiftedLogitMap" : "LogitMap" }
    }

    /// `bnn::LogitMap`s, `bnn::ShiftedLogitMap`s when a class has a shift, `bnn::DividedLogitMap`s
    /// when a class divides (each holds the one before it as its first member).
    private static func logitMaps(_ maps: [LogitMap]) -> String {
        let kind = LogitMapKind(maps)
        let (shifted, divided) = (kind.shifted, kind.divided)
        var out = "static const bnn::\(kind.typeName) \(TopEmitter.classMapsName)[\(maps.count)] = {\n"
        for m in maps {
            let bn = m.batchnorm
            let fields = [
                "\(m.accScale)", "\(m.accOffset)", CppLiterals.double(m.inputScale), CppLiterals.double(m.alpha),
                CppLiterals.double(m.bias), bn == nil ? "false" : "true", CppLiterals.double(bn?.mean ?? 0),
                CppLiterals.double(bn?.gamma ?? 1), CppLiterals.double(bn?.stddev ?? 1), CppLiterals.double(bn?.beta ?? 0),
            ]
            var map = "{" + fields.joined(separator: ", ") + "}"
            // ShiftedLogitMap holds the plain map as its first member.
            if shifted { map = "{\(map), \(m.shift == nil ? "false" : "true"), \(CppLiterals.double(m.shift ?? 0))}" }
            if divided { map = "{\(map), \(CppLiterals.double(m.divisor))}" }
            out += "    \(map),\n"
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
