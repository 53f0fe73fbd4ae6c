import BNNCommandLine
import BNNModel
import BNNReference
import Foundation
import XCTest

/// The malformed-input corpus (`Tests/Corpus`, written by `make_corpus.py`): every file goes
/// through the real command line and must fail with exactly one expected line on stderr, the
/// right exit code, nothing on stdout, and no output directory created or touched.
final class MalformedInputTests: XCTestCase {
    static let corpusDirectory = TestPaths.inRepo("Tests/Corpus")

    var scratch: URL!
    /// The `-o` directory every failing compile is pointed at; it must never appear.
    var out: String { scratch.appendingPathComponent("out").path }

    override func setUpWithError() throws {
        scratch = try TestPaths.temporaryDirectory("malformed-\(name.filter { $0.isLetter })")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func corpus(_ name: String) -> String { Self.corpusDirectory + "/" + name }

    var mlp: String { corpus("valid_mlp.json") }
    var cnn: String { corpus("valid_cnn.json") }

    /// One run of the tool and what it must print: `file` + `suffix` as the only stderr line (for
    /// usage errors, that line and the pointer to `bnn-hls help`).
    struct Case {
        var args: [String]
        var status: Int32
        var line: String
    }

    /// `compile FILE -o out`, failing on the model file.
    func model(_ name: String, _ suffix: String) -> Case {
        let file = corpus(name)
        return Case(args: ["compile", file, "-o", out], status: 1, line: file + suffix)
    }

    /// `compile MODEL --inputs FILE -o out`, failing on the inputs.
    func inputs(_ name: String, model: String? = nil, _ suffix: String) -> Case {
        let file = corpus(name)
        return Case(args: ["compile", model ?? mlp, "--inputs", file, "-o", out], status: 1, line: file + suffix)
    }

    func usage(_ args: [String], _ message: String) -> Case {
        Case(args: args, status: 2, line: "bnn-hls: usage error: \(message)")
    }

    func run(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        var stdout = "", stderr = ""
        let status = CommandLineTool.run(args, print: { stdout += $0 + "\n" }, printError: { stderr += $0 + "\n" })
        return (status, stdout, stderr)
    }

    func check(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) {
        for c in cases {
            let result = run(c.args)
            let shown = c.args.map { $0.replacingOccurrences(of: Self.corpusDirectory + "/", with: "") }.joined(separator: " ")
            XCTAssertEqual(result.status, c.status, "bnn-hls \(shown): \(result.stderr)", file: file, line: line)
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let expected = c.status == 2
                ? [c.line, "(run `bnn-hls help` for the commands and options)", ""]
                : [c.line, ""]
            XCTAssertEqual(lines, expected, "bnn-hls \(shown)", file: file, line: line)
            XCTAssertEqual(result.stdout, "", "bnn-hls \(shown) printed to stdout", file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "bnn-hls \(shown) created the output directory",
                           file: file, line: line)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
        XCTAssertEqual(leftovers, [], "temporary directories left behind", file: file, line: line)
    }

    // MARK: Text and JSON syntax

    func testSyntax() { check(syntaxCases) }

    var syntaxCases: [Case] {
        return [
            model("empty.json", ":1:1: error: file is empty"),
            model("whitespace_only.json", ":1:1: error: file contains only whitespace, expected a JSON object"),
            model("truncated.json", ":8:45: error: layers[1] (batchnorm).gamma[1]: unexpected end of file in a number"),
            model("syntax_missing_comma.json", ":4:2: error: expected ',' or '}' after object member"),
            model("syntax_trailing_comma.json", ":14:25: error: labels: trailing comma before ']' is not allowed"),
            model("syntax_comment.json", ":3:16: error: comments are not allowed in JSON"),
            model("syntax_single_quotes.json", ":4:2: error: object keys must be strings in double quotes, not single quotes"),
            model("top_level_array.json", ":1:1: error: top level must be a JSON object"),
            model("utf16_bom.json", ":1:1: error: file is UTF-16 encoded; JSON must be UTF-8"),
            model("utf8_bom.json", ":1:1: error: file starts with a byte order mark; save it as UTF-8 without BOM"),
            model("invalid_utf8.json", ":4:16: error: name: invalid UTF-8 byte sequence in string, starting with byte 0xFF"),
            model("duplicate_key.json", #":4:2: error: duplicate key "version""#),
            model("duplicate_key_in_layer.json", #":7:48: error: layers[0] (fc1): duplicate key "units""#),
            model("nan_token.json", ":8:203: error: layers[1] (batchnorm).eps: non-finite number NaN is not allowed (JSON numbers must be finite)"),
            model("infinity_token.json", ":7:252: error: layers[0] (fc1).bias[0]: non-finite number -Infinity is not allowed (JSON numbers must be finite)"),
            model("out_of_range_number.json", ":5:56: error: input.scale: number 1e400 is out of float64 range"),
            model("deep_nesting.json", ":10:178: error: layers[3] (fc2).alpha[0][0][0][0][0][0]...: nesting is deeper than the limit of 64 levels"),
        ]
    }

    // MARK: Top level and input

    func testTopLevel() { check(topLevelCases) }

    var topLevelCases: [Case] {
        return [
            model("wrong_format.json", #": error: format: expected "bnn-hls-model", got "bnn-model""#),
            model("wrong_version.json", ": error: version: unsupported format version 3; this bnn-hls reads versions 1 and 2"),
            model("version_as_string.json", #": error: version: expected an integer, got the string "1""#),
            model("missing_layers.json", #": error: missing required key "layers""#),
            model("unknown_top_key.json", #": error: lables: unknown key "lables" in the model (did you mean "labels"?); allowed keys: format, version, name, input, layers, output, labels"#),
            model("name_not_identifier.json", #": error: name: "tiny mlp" is not a C identifier after mapping '-' to '_' (letters, digits, '_', not starting with a digit, at most 64 characters)"#),
            model("name_reserved.json", #": error: name: "class" is a C++ keyword; the model name becomes the top function's name in the generated C++, so choose another"#),
            model("labels_count.json", ": error: labels: expected 2 labels (one per output), got 3"),
            model("output_mode.json", #": error: output.mode: unknown mode "softmax"; expected logits or argmax"#),
            model("empty_layers.json", ": error: layers: the network has no layers"),
            model("input_scale_zero.json", ": error: input.scale: must be > 0, got 0"),
            model("input_scale_negative.json", ": error: input.scale: must be > 0, got -0.5"),
            model("input_zero_point_range.json", ": error: input.zero_point: must be in 0...255, got 300"),
            model("input_encoding.json", #": error: input.encoding: unknown encoding "float32"; expected bipolar, uint8 or int8"#),
            model("input_bipolar_scale.json", ": error: input.scale: not allowed with bipolar encoding (elements are exactly -1 or +1)"),
            model("input_shape_rank.json", ": error: input.shape: expected [H, W, C] or [N], got 2 dimensions"),
            // Each dimension is in range; their product overflowed Int (a trap) before it was counted safely.
            model("input_shape_overflow.json", ": error: input.shape: input of shape [16777216, 16777216, 16777216] exceeds the limit of 134217728 elements (raise it with --max-tensor-elements)"),
        ]
    }

    // MARK: Layers

    func testLayers() { check(layerCases) }

    var layerCases: [Case] {
        return [
            model("unknown_layer_type.json", #": error: layers[2].type: unknown layer type "dropout"; expected one of dense, conv2d, maxpool2d, batchnorm, sign, flatten"#),
            model("misspelt_key.json", #": error: layers[1] (batchnorm).gama: unknown key "gama" in a batchnorm layer (did you mean "gamma"?); allowed keys: type, name, gamma, beta, mean, var, eps"#),
            // User text is escaped, so the message stays one line: a key holding a newline.
            model("key_with_newline.json", #": error: layers[1] (batchnorm)["ga\nma"]: unknown key "ga\nma" in a batchnorm layer (did you mean "gamma"?); allowed keys: type, name, gamma, beta, mean, var, eps"#),
            model("missing_type.json", #": error: layers[2]: missing required key "type""#),
            model("missing_weight.json", #": error: layers[3] (fc2): missing required key "weight""#),
            model("duplicate_layer_name.json", #": error: layers[3] (fc1).name: duplicate layer name "fc1" (also used by layers[0])"#),
            model("shape_mismatch_between_layers.json", ": error: layers[3] (fc2).weight: expected shape [2, 4] (units x inputs, inputs = 4 from input shape [1, 1, 4]), got [2, 5]"),
            model("wrong_weight_shape.json", ": error: layers[0] (fc1).weight: expected shape [4, 8] (units x inputs, inputs = 8 from input shape [1, 1, 8]), got [8, 4]"),
            model("ragged_weight.json", ": error: layers[0] (fc1).weight[2]: expected 8 elements like its siblings, got 7 (ragged nested array)"),
            model("per_channel_length.json", ": error: layers[1] (batchnorm).mean: expected 4 values (shape [4]) or a single number, got shape [3]"),
            model("nan_string.json", #": error: layers[1] (batchnorm).gamma[2]: expected a number, got the string "NaN" (only finite numbers are allowed)"#),
            model("infinity_string.json", #": error: layers[1] (batchnorm).eps: expected a number, got the string "Infinity" (only finite numbers are allowed)"#),
            model("negative_var.json", ": error: layers[1] (batchnorm).var[1]: must be >= 0, got -0.25"),
            model("var_plus_eps_zero.json", ": error: layers[4] (batchnorm).var[1]: var + eps must be > 0, got var = 0, eps = 0"),
            model("negative_eps.json", ": error: layers[4] (batchnorm).eps: must be >= 0, got -1e-05"),
            model("non_integer_units.json", ": error: layers[0] (fc1).units: expected an integer literal, got 4.0"),
            model("units_huge.json", ": error: layers[0] (fc1).units: must be in 1...16777216, got 1000000000000"),
            model("units_string.json", #": error: layers[0] (fc1).units: expected an integer, got the string "4""#),
            model("flatten_order.json", #": error: layers[4] (flatten).order: unknown order "NCHW"; expected "CHW" (PyTorch) or "HWC" (Keras)"#),
            model("flatten_no_order.json", #": error: layers[4] (flatten): missing required key "order""#),
        ]
    }

    // MARK: Names that would not compile or could break out of a generated file

    func testNames() { check(nameCases) }

    var nameCases: [Case] {
        let tail = "; the model name becomes the top function's name in the generated C++, so choose another"
        let rule = "names and labels may not hold control, format, separator or noncharacter code points"
        return [
            model("name_keyword_alt_token.json", #": error: name: "xor_eq" is a C++ keyword"# + tail),
            model("name_header_type.json", #": error: name: "uint8_t" is declared by the headers the generated C++ includes"# + tail),
            model("name_header_macro.json", #": error: name: "EOF" is a macro of the headers the generated C++ includes"# + tail),
            model("name_library_prefix.json", #": error: name: "bnn_mvau" starts with "bnn", reserved for the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)"# + tail),
            // The issue's injection: a newline would end the `//` comment and start live C++.
            model("layer_name_newline.json", ": error: layers[0].name: contains U+000A, a control character; " + rule),
            model("layer_name_nul.json", ": error: layers[0].name: contains U+0000, a control character; " + rule),
            model("name_with_line_separator.json", ": error: layers[3].name: contains U+2028, a line or paragraph separator; " + rule),
            model("layer_name_bidi.json", ": error: layers[3].name: contains U+202E, a format character (bidi or zero-width); " + rule),
            model("layer_name_too_long.json", ": error: layers[3].name: is 10000 bytes long; names and labels may have at most 256 bytes of UTF-8"),
            model("label_control.json", ": error: labels[1]: contains U+000D, a control character; " + rule),
            model("label_bidi.json", ": error: labels[0]: contains U+2066, a format character (bidi or zero-width); " + rule),
            // The part reaches run_hls.tcl.
            usage(["compile", mlp, "--part", "xc7z020clg400-1; exec touch pwned", "-o", out],
                  #"--part expects a part name of letters, digits, '-', '_' and '.' (e.g. xc7z020clg400-1), got "xc7z020clg400-1; exec touch pwned""#),
        ]
    }

    // MARK: Convolution and pooling geometry

    func testGeometry() { check(geometryCases) }

    var geometryCases: [Case] {
        return [
            model("kernel_too_large.json", ": error: layers[0] (conv1).kernel: kernel [9, 9] is larger than the padded input [8, 8]"),
            model("stride_zero.json", ": error: layers[0] (conv1).stride[1]: must be in 1...65536, got 0"),
            model("negative_padding.json", ": error: layers[0] (conv1).padding[2]: must be in 0...65536, got -1"),
            model("padding_length.json", ": error: layers[0] (conv1).padding: expected [top, bottom, left, right] or a single integer, got 2 values"),
            model("pad_value.json", ": error: layers[0] (conv1).pad_value: must be in -1...1, got 2"),
            model("pool_does_not_fit.json", ": error: layers[1] (pool1).pool: pool [2, 8] does not fit the input [6, 6, 4]"),
            // No tensor in the file is large, but the padded convolution's output would be (pooled back
            // to [2, 2, 4] before the dense layer): activations are bounded like tensors.
            model("conv_output_too_large.json", ": error: layers[0] (conv1): output of shape [131076, 131076, 4] exceeds the limit of 134217728 elements (raise it with --max-tensor-elements)"),
            model("conv_weight_shape.json", ": error: layers[0] (conv1).weight: expected shape [4, 2, 3, 3] (filters x input channels x kh x kw, OIHW), got [4, 3, 3, 3]"),
        ]
    }

    // MARK: base64 tensors and absurd sizes

    func testBase64Tensors() { check(base64Cases) }

    var base64Cases: [Case] {
        return [
            model("base64_wrong_length.json", ": error: layers[5] (fc).weight.base64: decodes to 6 bytes, but shape [3, 36] of bipolar needs 14"),
            model("base64_invalid.json", ": error: layers[5] (fc).weight.base64: is not valid base64"),
            model("base64_padding_bits.json", ": error: layers[5] (fc).weight.base64: padding bits of the last byte must be zero"),
            model("unknown_dtype.json", #": error: layers[5] (fc).weight.dtype: unknown dtype "float16"; expected one of float32, float64, int8, bipolar"#),
            model("base64_missing_dtype.json", #": error: layers[5] (fc).weight: missing required key "dtype""#),
            model("base64_huge_tensor.json", ": error: layers[5] (fc).weight.shape: tensor of shape [3, 333333334] exceeds the limit of 134217728 elements (raise it with --max-tensor-elements)"),
            model("base64_nan.json", ": error: layers[2] (bn1).mean.base64: element [2] is nan; only finite numbers are allowed"),
        ]
    }

    // MARK: Arrangements the compiler refuses (loaded fine, refused by FuseLayers)

    func testUnsupportedArrangements() { check(arrangementCases) }

    var arrangementCases: [Case] {
        let supported = "supported: an optional leading sign, then groups of [flatten] dense|conv2d [maxpool2d] [batchnorm] [maxpool2d] sign [maxpool2d] (at most one maxpool2d each), ending with [flatten] dense [batchnorm]"
        return [
            model("two_dense.json", ": error: layers[1] (fc2): dense layer follows layers[0] (fc1) without a sign in between; \(supported)"),
            model("trailing_sign.json", ": error: layers[5] (sign): the network must end with dense [batchnorm]: a trailing sign is refused because the outputs are logits or their argmax; \(supported)"),
            model("batchnorm_first.json", ": error: layers[0] (batchnorm): batchnorm must follow a compute layer (dense or conv2d); \(supported)"),
            model("maxpool_after_dense.json", ": error: layers[1] (maxpool2d): maxpool2d must follow a conv2d group, not a dense layer; \(supported)"),
            model("conv_last.json", ": error: layers[4] (conv2): the last compute layer must be a dense layer (optionally followed by one batchnorm); \(supported)"),
        ]
    }

    // MARK: Version 2

    func testVersion2() { check(version2Cases) }

    var version2Cases: [Case] {
        let needs = #"needs "version": 2 (this file says version 1)"#
        return [
            // The residual base itself simulates, verifies and compiles (testValidBasesWork).
            model("v2_weight_bits_range.json", ": error: layers[0] (conv1).weight_bits: must be in 1...8, got 9"),
            model("v2_weight_out_of_range.json", ": error: layers[0] (conv1).weight[0][1][2][0]: must be an integer in -2...1 (weight_bits 2), got 2"),
            model("v2_weight_fraction.json", ": error: layers[11] (fc).weight[1][0]: must be an integer in -128...127 (weight_bits 8), got 0.5"),
            model("v2_weight_int8_range.json", ": error: layers[11] (fc).weight.base64: element [1][1] must be an integer in -2...1 (weight_bits 2), got 5"),
            model("v2_quantize_bits.json", ": error: layers[2] (q1).bits: must be in 2...8, got 1"),
            model("v2_quantize_scale.json", ": error: layers[2] (q1).scale: must be > 0, got 0"),
            model("v2_unknown_rounding.json", #": error: layers[2] (q1).rounding: unknown rounding "nearest"; expected one of half_even, half_up, half_away, floor, ceil, to_zero"#),
            model("v2_signed_not_bool.json", #": error: layers[2] (q1).signed: expected true or false, got the string "yes""#),
            model("v2_misspelt_key.json", #": error: layers[2] (q1).bit: unknown key "bit" in a quantize layer (did you mean "bits"?); allowed keys: type, name, bits, signed, narrow, scale, rounding, input"#),
            model("v2_thresholds_decreasing.json", ": error: layers[9] (mt1).thresholds[1][1]: thresholds must not decrease along a row, got -0.5 after 0.5"),
            model("v2_thresholds_rows.json", ": error: layers[9] (mt1).thresholds: expected shape [2, n] (one row of n >= 1 thresholds per channel, 2 channels), got [3, 3]"),
            model("v2_out_scale.json", ": error: layers[9] (mt1).out_scale: must be > 0, got -1"),
            model("v2_clamp_min_max.json", ": error: layers[8] (clamp).min: must be < max, got min = 1, max = 1"),
            model("v2_from_later.json", #": error: layers[7] (add1).from: "mt1" is layers[9], after this layer; from must name an earlier layer"#),
            model("v2_from_self.json", #": error: layers[7] (add1).from: "add1" is this layer itself; from must name an earlier layer"#),
            model("v2_from_unknown.json", #": error: layers[7] (add1).from: no layer is named "s2"; from must name an earlier layer"#),
            model("v2_input_later.json", #": error: layers[4] (conv2).input: "fc" is layers[11], after this layer; input must name an earlier layer"#),
            model("v2_input_self.json", #": error: layers[4] (conv2).input: "conv2" is this layer itself; input must name an earlier layer"#),
            model("v2_input_unknown.json", #": error: layers[4] (conv2).input: no layer is named "q2"; input must name an earlier layer"#),
            model("v2_add_shape_mismatch.json", ": error: layers[7] (add1).from: layers[3] (s1) has shape [4, 4, 2], but the tensor it is added to has shape [2, 2, 2]; shapes must match"),
            model("v2_pad_value_string.json", #": error: layers[0] (conv1).pad_value: expected 0, 1, -1 or "odd_even", got the string "even_odd""#),
            model("v2_key_in_v1.json", #": error: layers[0] (fc1).weight_bits: key "weight_bits" \#(needs)"#),
            model("v2_input_in_v1.json", #": error: layers[3] (fc2).input: key "input" \#(needs)"#),
            model("v2_type_in_v1.json", #": error: layers[2].type: layer type "quantize" \#(needs)"#),
            model("v2_odd_even_in_v1.json", #": error: layers[0] (conv1).pad_value: pad_value "odd_even" \#(needs)"#),
        ]
    }

    // MARK: .npy inputs and labels

    func testNpyFiles() { check(npyCases) }

    var npyCases: [Case] {
        let goodInputs = corpus("valid_mlp_inputs.npy")
        let labels = corpus("npy_bad_labels.npy")
        return [
            inputs("npy_bad_magic.npy", ": error: not a .npy file (bad magic)"),
            inputs("npy_wrong_dtype.npy", ": error: dtype int8 does not match the model's uint8 input: expected uint8"),
            inputs("npy_float_inputs.npy", ": error: dtype float32 does not match the model's uint8 input: expected uint8"),
            inputs("npy_shape_mismatch.npy", ": error: shape [5, 9] does not fit the model's input [1, 1, 8]: expected [N, 1, 1, 8] or [N, 8]"),
            inputs("npy_truncated.npy", ": error: truncated: header says 40 bytes of data, file has 37"),
            inputs("npy_big_endian.npy", ": error: big-endian dtype '>i2' is not supported; convert with arr.astype('<i2')"),
            inputs("npy_bipolar_zero.npy", model: cnn, ": error: element 163 (frame 2) is 0; bipolar input must be -1 or +1"),
            inputs("valid_cnn_inputs.npy", ": error: shape [4, 6, 6, 2] does not fit the model's input [1, 1, 8]: expected [N, 1, 1, 8] or [N, 8]"),
            Case(args: ["simulate", mlp, "--inputs", goodInputs, "--labels", labels], status: 1,
                 line: labels + ": error: label 2 is 2; the model has classes 0...1"),
            Case(args: ["simulate", mlp, "--inputs", corpus("npy_truncated.npy")], status: 1,
                 line: corpus("npy_truncated.npy") + ": error: truncated: header says 40 bytes of data, file has 37"),
            Case(args: ["verify", cnn, "--inputs", corpus("npy_bipolar_zero.npy")], status: 1,
                 line: corpus("npy_bipolar_zero.npy") + ": error: element 163 (frame 2) is 0; bipolar input must be -1 or +1"),
        ]
    }

    // MARK: Options

    func testOptions() { check(optionCases) }

    var optionCases: [Case] {
        return [
            Case(args: ["compile", mlp, "--fold", "fc9=1x1", "-o", out], status: 1,
                 line: #"--fold: error: fc9: no dense or conv2d layer called "fc9"; foldable layers: fc1, fc2"#),
            Case(args: ["compile", mlp, "--fold", "fc1=5x8", "-o", out], status: 1,
                 line: "--fold: error: fc1: PE 5 is more than MH = 4 of layers[0] (fc1); PE runs one output neuron per lane, so at most 4"),
            Case(args: ["compile", mlp, "--fold", "fc2=1x5", "-o", out], status: 1,
                 line: "--fold: error: fc2: SIMD 5 is more than MW = 4 of layers[3] (fc2); SIMD takes one input element per lane, so at most 4"),
            Case(args: ["compile", mlp, "--fold", "fc1=0x8", "-o", out], status: 1,
                 line: "--fold: error: fc1: PE and SIMD must be at least 1, got PE 0, SIMD 8"),
            Case(args: ["compile", mlp, "--fold", corpus("fold_unknown_layer.json"), "-o", out], status: 1,
                 line: corpus("fold_unknown_layer.json") + #": error: fc3: no dense or conv2d layer called "fc3"; foldable layers: fc1, fc2"#),
            Case(args: ["compile", mlp, "--fold", corpus("fold_pe_string.json"), "-o", out], status: 1,
                 line: corpus("fold_pe_string.json") + #": error: fc1: expected {"pe": integer, "simd": integer}"#),
            Case(args: ["compile", mlp, "--fold", corpus("fold_syntax.json"), "-o", out], status: 1,
                 line: corpus("fold_syntax.json") + ":1:18: error: fc1: expected ',' or '}' after object member"),
            Case(args: ["compile", mlp, "--max-tensor-elements", "16", "-o", out], status: 1,
                 line: mlp + ": error: layers[0] (fc1).weight: tensor of shape [4, 8] exceeds the limit of 16 elements (raise it with --max-tensor-elements)"),
            Case(args: ["compile", corpus("no_such_model.json"), "-o", out], status: 1,
                 line: corpus("no_such_model.json") + ": error: no such file"),
            Case(args: ["compile", Self.corpusDirectory, "-o", out], status: 1,
                 line: Self.corpusDirectory + ": error: is a directory, expected a file"),
            usage(["compile", mlp, "--fold", "fc1=4", "-o", out], #"--fold expects LAYER=PExSIMD (e.g. fc1=16x32) or a .json file, got "fc1=4""#),
            usage(["compile", mlp, "--fold", "fc1=4x", "-o", out], #"--fold expects LAYER=PExSIMD (e.g. fc1=16x32) or a .json file, got "fc1=4x""#),
            usage(["compile", mlp, "--frobnicate", "-o", out], "unknown option --frobnicate for compile"),
            usage(["compile", mlp, "-o"], "-o needs a value"),
            usage(["compile", mlp, "-o", out, "--fold"], "--fold needs a value"),
            usage(["compile", mlp, "-o", out, "-o", out], "-o given more than once"),
            usage(["compile", mlp, cnn, "-o", out], #"unexpected argument "\#(cnn)" (one model file per call)"#),
            usage(["compile", mlp, "--vectors", "0", "-o", out], #"--vectors expects an integer in 1...1000000, got "0""#),
            usage(["compile", mlp, "--clock-ns", "-5", "-o", out], #"--clock-ns expects a positive number, got "-5""#),
            usage(["simulate", mlp], "simulate needs --inputs x.npy"),
            usage(["verify", mlp, "--random", "many"], #"--random expects an integer in 0...100000000, got "many""#),
        ]
    }

    // MARK: An existing output directory survives every failure

    func testFailuresLeaveExistingOutputByteIdentical() throws {
        let existing = scratch.appendingPathComponent("hw").path
        XCTAssertEqual(run(["compile", mlp, "-o", existing]).status, 0)
        let before = try snapshot(existing)
        XCTAssertGreaterThan(before.count, 5)
        let failures: [[String]] = [
            ["compile", corpus("negative_var.json"), "-o", existing],
            ["compile", corpus("two_dense.json"), "-o", existing],
            ["compile", mlp, "--inputs", corpus("npy_truncated.npy"), "-o", existing],
            ["compile", mlp, "--fold", "fc1=5x8", "-o", existing],
            ["compile", corpus("truncated.json"), "-o", existing, "--force"],
        ]
        for args in failures {
            XCTAssertEqual(run(args).status, 1, args.joined(separator: " "))
            XCTAssertEqual(try snapshot(existing), before, "\(args.joined(separator: " ")) changed \(existing)")
        }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(hidden, [], "temporary directories left behind")
    }

    /// Every file under `directory` with its bytes and permissions.
    func snapshot(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        for case let relative as String in fm.enumerator(atPath: directory)?.allObjects ?? [] {
            let path = directory + "/" + relative
            let attributes = try fm.attributesOfItem(atPath: path)
            let permissions = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                result[relative] = "dir \(permissions)"
            } else {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                result[relative] = "\(permissions) \(data.base64EncodedString())"
            }
        }
        return result
    }

    // MARK: The corpus itself

    /// The valid bases load, compile and verify, so every malformed case differs from a working model.
    func testValidBasesWork() {
        for (model, inputs) in [(mlp, corpus("valid_mlp_inputs.npy")), (cnn, corpus("valid_cnn_inputs.npy"))] {
            let result = run(["verify", model, "--inputs", inputs])
            XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        }
        let result = run(["verify", mlp, "--fold", corpus("valid_mlp_folding.json"), "--random", "20"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        // The version-2 base (a residual graph) simulates and verifies against the reference.
        let verified = run(["verify", corpus("valid_v2.json"), "--inputs", corpus("valid_v2_inputs.npy")])
        XCTAssertEqual(verified.status, 0, verified.stderr + verified.stdout)
        XCTAssertTrue(verified.stdout.contains("agree on all 3 inputs"), verified.stdout)
        let compiled = run(["compile", corpus("valid_v2.json"), "--inputs", corpus("valid_v2_inputs.npy"), "-o", out])
        XCTAssertEqual(compiled.status, 0, compiled.stderr + compiled.stdout)
        do {
            let network = try ModelLoader().load(path: corpus("valid_v2.json"))
            let inputs = try InputBatch.load(path: corpus("valid_v2_inputs.npy"), for: network)
            XCTAssertEqual(inputs.count, 3)
            for i in 0..<inputs.count {
                let logits = try ReferenceNetwork(network).evaluate(inputs.frame(i)).logits
                XCTAssertEqual(logits.count, 3)
                XCTAssertTrue(logits.allSatisfy(\.isFinite), "\(logits)")
            }
        } catch {
            XCTFail("\(error)")
        }
    }

    var allCases: [Case] {
        syntaxCases + topLevelCases + layerCases + nameCases + geometryCases + base64Cases + arrangementCases + version2Cases + npyCases + optionCases
    }

    /// Every file `make_corpus.py` writes exists and is exercised by a case.
    func testEveryCorpusFileIsUsed() throws {
        let manifest = try String(contentsOfFile: corpus("MANIFEST.txt"), encoding: .utf8)
        let listed = Set(manifest.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") })
        for name in listed {
            XCTAssertTrue(FileManager.default.fileExists(atPath: corpus(name)), "\(name) is in MANIFEST.txt but missing; run make_corpus.py")
        }
        XCTAssertGreaterThanOrEqual(listed.count, 35)
        let prefix = Self.corpusDirectory + "/"
        let used = Set(allCases.flatMap(\.args).filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        XCTAssertEqual(used.subtracting(listed).filter { !$0.hasPrefix("no_such") }.sorted(), [], "cases use files make_corpus.py does not write")
        // hostile_names_*.json load and are built by GeneratedProjectTests.testHostileNamesStayInside.
        let unused = listed.subtracting(used).filter { !$0.hasPrefix("valid_") && !$0.hasPrefix("hostile_") }
        XCTAssertEqual(unused.sorted(), [], "corpus files no case uses")
    }
}
