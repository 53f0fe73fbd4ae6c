import BNNDesign
import BNNModel
import Templates

/// The host driver's files: `driver/design.json` (what the Python driver needs to pack inputs
/// into the top's AXI-Stream words and to unpack and map its outputs), the driver itself
/// (`driver/bnn_driver.py`, the same for every design) and the C entry points around the top
/// function that `make driver-lib` builds for the driver's csim backend.
enum DriverEmitter {
    static func files(_ design: Design, top: TopEmitter, options: EmitOptions, runtime: RuntimeProject?,
                      render: (String, [String: String]) throws -> String) throws -> [GeneratedFile] {
        guard let driver = TemplateFiles.named("bnn_driver.py") else { throw EmitError(message: "missing template bnn_driver.py") }
        return [
            GeneratedFile(path: "driver/bnn_driver.py", contents: driver),
            GeneratedFile(path: "driver/design.json", text: designJSON(design, top: top, options: options, runtime: runtime)),
            GeneratedFile(path: "driver/\(design.name)_driver_lib.cpp", text: try render("driver_lib.cpp.tmpl", ["name": design.name])),
        ]
    }

    /// Bytes a word of `bits` bits takes on an AXI-Stream port (Vitis pads TDATA to whole bytes).
    static func bytes(_ bits: Int) -> Int { (bits + 7) / 8 }

    /// Keys in a fixed order, doubles in their shortest round-tripping form (Python's float()
    /// reads back the very same value), so the same design gives the same bytes.
    /// In runtime-weights mode the logit maps come with the weights (the last table of the file,
    /// `logit_map_words` words per class from `logit_maps_offset`), so design.json has none.
    static func designJSON(_ design: Design, top: TopEmitter, options: EmitOptions, runtime: RuntimeProject? = nil) -> String {
        let input = design.input
        let shape = options.inputShape.map { "[\($0.map(String.init).joined(separator: ", "))]" } ?? "null"
        let last = design.layers.last
        let accumulator = last?.accumulatorType ?? IntegerType(bits: 1, isSigned: false)
        var out = "{\n"
        out += "  \"format\": \"bnn-hls-driver\",\n  \"version\": 1,\n"
        out += "  \"name\": \(JSONText.quoted(design.name, clip: false)),\n"
        out += "  \"clock_ns\": \(CppLiterals.double(options.clockNs)),\n"
        out += "  \"part\": \(JSONText.quoted(options.part, clip: false)),\n"
        out += "  \"input\": {\n"
        out += "    \"encoding\": \"\(input.encoding.rawValue)\", \"shape\": \(shape), \"elements\": \(input.count),\n"
        out += "    \"scale\": \(CppLiterals.double(input.scale)), \"zero_point\": \(input.zeroPoint),\n"
        out += "    \"element_bits\": \(input.bits), \"lanes\": \(top.inputLanes), \"word_bits\": \(top.inputWordBits), "
        out += "\"word_bytes\": \(bytes(top.inputWordBits)), \"words_per_frame\": \(input.count / max(top.inputLanes, 1))\n"
        out += "  },\n"
        out += "  \"output\": {\n"
        out += "    \"mode\": \"\(design.output.isArgmax ? "argmax" : "logits")\", \"classes\": \(design.classCount),\n"
        out += "    \"labels\": \(design.labels.map { "[" + $0.map { JSONText.quoted($0, clip: false) }.joined(separator: ", ") + "]" } ?? "null"),\n"
        out += "    \"lanes\": \(top.outputLanes), \"word_bits\": \(top.outputWordBits), \"word_bytes\": \(bytes(top.outputWordBits)), "
        out += "\"words_per_frame\": \(top.outputWords),\n"
        if design.output.isArgmax || runtime != nil {
            out += design.output.isArgmax ? "    \"index_bits\": \(top.indexBits), \"accumulator_bits\": null, \"accumulator_signed\": null,\n"
                : "    \"index_bits\": null, \"accumulator_bits\": \(accumulator.bits), \"accumulator_signed\": \(accumulator.isSigned),\n"
            out += "    \"logit_maps\": null\n"
        } else {
            out += "    \"index_bits\": null, \"accumulator_bits\": \(accumulator.bits), \"accumulator_signed\": \(accumulator.isSigned),\n"
            out += "    \"logit_maps\": [\n"
            out += design.output.maps.map { "      " + mapJSON($0) }.joined(separator: ",\n") + "\n"
            out += "    ]\n"
        }
        out += "  },\n"
        if let runtime {
            let maps = runtime.mapWords
            out += "  \"runtime_weights\": {\"format_version\": \(WeightFile.version), \"signature\": \"\(WeightFile.hex(runtime.image.signature))\", "
            out += "\"words\": \(runtime.image.words.count), \"logit_maps_offset\": \(runtime.image.words.count - maps), "
            out += "\"logit_map_words\": \(maps / max(design.classCount, 1))}\n"
        } else {
            out += "  \"runtime_weights\": null\n"
        }
        out += "}\n"
        return out
    }

    /// One class's float64 steps from accumulator to logit (`LogitMap.logit`); `divisor` only
    /// where the map divides (an absent one is 1: no division).
    static func mapJSON(_ m: LogitMap) -> String {
        let d = CppLiterals.double
        let bn = m.batchnorm.map { "{\"mean\": \(d($0.mean)), \"gamma\": \(d($0.gamma)), \"stddev\": \(d($0.stddev)), \"beta\": \(d($0.beta))}" } ?? "null"
        let divisor = m.divisor == 1 ? "" : ", \"divisor\": \(d(m.divisor))"
        return "{\"acc_scale\": \(m.accScale), \"acc_offset\": \(m.accOffset), \"input_scale\": \(d(m.inputScale)), "
            + "\"alpha\": \(d(m.alpha)), \"bias\": \(d(m.bias)), \"batchnorm\": \(bn), \"shift\": \(m.shift.map(d) ?? "null")\(divisor)}"
    }
}
