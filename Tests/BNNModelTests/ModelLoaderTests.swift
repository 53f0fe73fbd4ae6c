import BNNModel
import XCTest

/// Loading and validation: every rejection names the file, the layer and the JSON path.
final class ModelLoaderTests: XCTestCase {
    func load(_ text: String) throws -> Network {
        try ModelLoader().load(bytes: Array(text.utf8), file: "model.json")
    }

    func model(input: String = #"{"shape": [3], "encoding": "bipolar"}"#, layers: [String], extra: String = "") -> String {
        #"{"format": "bnn-hls-model", "version": 1, "name": "m", "input": \#(input), "layers": [\#(layers.joined(separator: ", "))]\#(extra)}"#
    }

    let dense = #"{"type": "dense", "name": "fc1", "units": 2, "weight": [[1, -1, 0], [-0.5, 2, 3]], "bias": [0.5, -1], "alpha": 2}"#

    func assertError(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(text), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testLoadsDenseNetwork() throws {
        let network = try load(model(layers: [dense], extra: #", "output": {"mode": "argmax"}, "labels": ["a", "b"]"#))
        XCTAssertEqual(network.layers.count, 1)
        guard case .dense(let d) = network.layers[0].kind else { return XCTFail("not dense") }
        XCTAssertEqual(d.weights.isPositive, [true, false, true, false, true, true])  // sign(0) = +1
        XCTAssertEqual(d.alpha, [2, 2])
        XCTAssertEqual(d.bias, [0.5, -1])
        XCTAssertEqual(network.outputMode, .argmax)
        XCTAssertEqual(network.labels ?? [], ["a", "b"])
    }

    func testBase64Tensors() throws {
        // 2x3 bipolar: bits 1,0,1, 1,1,0 -> byte 0b011101 = 0x1d.
        let bipolar = #"{"type": "dense", "units": 2, "weight": {"shape": [2, 3], "dtype": "bipolar", "base64": "HQ=="}}"#
        guard case .dense(let d) = try load(model(layers: [bipolar])).layers[0].kind else { return XCTFail() }
        XCTAssertEqual(d.weights.isPositive, [true, false, true, true, true, false])
        let float32 = #"{"type": "dense", "units": 1, "weight": {"shape": [1, 3], "dtype": "float32", "base64": "AACAPwAAAMAAAAAA"}}"#
        guard case .dense(let f) = try load(model(layers: [float32])).layers[0].kind else { return XCTFail() }
        XCTAssertEqual(f.weights.isPositive, [true, false, true])
    }

    func testErrorsNameFileLayerAndPath() {
        let bn = #"{"type": "batchnorm", "name": "bn1", "gamma": [1, 1], "beta": 0, "mean": 0, "var": [1, -0.2]}"#
        assertError(model(layers: [dense, bn]), "model.json: error: layers[1] (bn1).var[1]: must be >= 0, got -0.2")
        let zero = #"{"type": "batchnorm", "gamma": 1, "beta": 0, "mean": 0, "var": 0, "eps": 0}"#
        assertError(model(layers: [dense, zero]), "model.json: error: layers[1] (batchnorm).var: var + eps must be > 0, got var = 0, eps = 0")
        assertError(model(layers: [#"{"type": "dense", "units": 2, "weight": [[1, 1], [1, 1]]}"#]),
                    "model.json: error: layers[0] (dense).weight: expected shape [2, 3] (units x inputs, inputs = 3 from input shape [1, 1, 3]), got [2, 2]")
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": [[1, 1, 1]], "bias": [1, 2]}"#]),
                    "model.json: error: layers[0] (dense).bias: expected 1 values (shape [1]) or a single number, got shape [2]")
        assertError(model(layers: [#"{"type": "dense", "units": 2.0, "weight": [[1, 1, 1]]}"#]),
                    "model.json: error: layers[0] (dense).units: expected an integer literal, got 2.0")
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": [[1, 1], [1]]}"#]),
                    "model.json: error: layers[0] (dense).weight[1]: expected 2 elements like its siblings, got 1 (ragged nested array)")
        assertError(model(layers: [#"{"type": "conv3d"}"#]),
                    #"model.json: error: layers[0].type: unknown layer type "conv3d"; expected one of dense, conv2d, maxpool2d, batchnorm, sign, flatten"#)
        assertError(model(layers: []), "model.json: error: layers: the network has no layers")
        assertError(model(input: #"{"shape": [3], "encoding": "bipolar", "scale": 2}"#, layers: [dense]),
                    "model.json: error: input.scale: not allowed with bipolar encoding (elements are exactly -1 or +1)")
        assertError(model(input: #"{"shape": [3], "encoding": "uint8", "scale": -1}"#, layers: [dense]),
                    "model.json: error: input.scale: must be > 0, got -1")
        assertError(model(input: #"{"shape": [3], "encoding": "int8", "zero_point": 200}"#, layers: [dense]),
                    "model.json: error: input.zero_point: must be in -128...127, got 200")
        assertError(model(layers: [dense], extra: #", "labels": ["a"]"#),
                    "model.json: error: labels: expected 2 labels (one per output), got 1")
        assertError(model(layers: [dense, #"{"type": "sign", "name": "fc1"}"#]),
                    #"model.json: error: layers[1] (fc1).name: duplicate layer name "fc1" (also used by layers[0])"#)
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": {"shape": [1, 3], "dtype": "int4", "base64": "AAA="}}"#]),
                    #"model.json: error: layers[0] (dense).weight.dtype: unknown dtype "int4"; expected one of float32, float64, int8, bipolar"#)
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": {"shape": [1, 3], "dtype": "int8", "base64": "AAAAAA=="}}"#]),
                    "model.json: error: layers[0] (dense).weight.base64: decodes to 4 bytes, but shape [1, 3] of int8 needs 3")
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": {"shape": [1000000, 1000000], "dtype": "bipolar", "base64": ""}}"#]),
                    "model.json: error: layers[0] (dense).weight.shape: tensor of shape [1000000, 1000000] exceeds the limit of 134217728 elements (raise it with --max-tensor-elements)")
        assertError(model(layers: [#"{"type": "dense", "units": 1, "weight": {"shape": [1, 3], "dtype": "bipolar", "base64": "/w=="}}"#]),
                    "model.json: error: layers[0] (dense).weight.base64: padding bits of the last byte must be zero")
    }

    func model2(input: String = #"{"shape": [2, 2, 2], "encoding": "int8"}"#, layers: [String]) -> String {
        #"{"format": "bnn-hls-model", "version": 2, "name": "m", "input": \#(input), "layers": [\#(layers.joined(separator: ", "))]}"#
    }

    /// Version 2: integer weights reordered like sign weights (OIHW -> (ky, kx, c)), graph links
    /// resolved to layer indices, shapes taken from the layer read.
    func testLoadsVersion2Graph() throws {
        let conv = #"{"type": "conv2d", "name": "c", "filters": 1, "kernel": [1, 2], "pad_value": "odd_even", "weight_bits": 3, "weight": [[[[-4, 3]], [[2.0, -1]]]]}"#
        let network = try load(model2(layers: [
            #"{"type": "quantize", "name": "q", "bits": 3, "signed": true, "narrow": true, "scale": 0.5, "rounding": "to_zero"}"#,
            conv,
            #"{"type": "sign", "name": "s", "input": "q"}"#,
            #"{"type": "avgpool2d", "name": "p", "pool": [2, 1]}"#,
            #"{"type": "clamp", "name": "k", "min": -1, "max": 0.5}"#,
            #"{"type": "add", "name": "a", "from": "p"}"#,
            #"{"type": "multithreshold", "name": "m", "thresholds": [[0, 0], [-1, 2]], "out_scale": 2, "out_bias": -1}"#,
        ]))
        XCTAssertEqual(network.version, 2)
        guard case .quantize(let q) = network.layers[0].kind else { return XCTFail() }
        XCTAssertEqual(q, Quantize(bits: 3, signed: true, narrow: true, scale: 0.5, rounding: .toZero))
        guard case .conv2d(let c) = network.layers[1].kind, let w = c.integerWeights else { return XCTFail() }
        XCTAssertEqual(c.padValue, .oddEven)
        XCTAssertEqual(c.weightBits, 3)
        XCTAssertEqual(network.layers[1].outputShape, Shape3(height: 2, width: 1, channels: 1))
        // Columns (kx, c) with c fastest: (0,0) -4, (0,1) 2, (1,0) 3, (1,1) -1.
        XCTAssertEqual((0..<4).map { w[0, $0] }, [-4, 2, 3, -1])
        XCTAssertEqual(network.layers[2].inputLayer, 0)
        XCTAssertEqual(network.layers[2].sourceIndex, 0)
        XCTAssertEqual(network.layers[2].inputShape, Shape3(height: 2, width: 2, channels: 2))
        XCTAssertEqual(network.layers[3].outputShape, Shape3(height: 1, width: 2, channels: 2))
        guard case .add(let add) = network.layers[5].kind else { return XCTFail() }
        XCTAssertEqual(add.from, 3)
        guard case .multithreshold(let m) = network.layers[6].kind else { return XCTFail() }
        XCTAssertEqual(m, MultiThreshold(thresholds: [[0, 0], [-1, 2]], outScale: 2, outBias: -1))
        // weight_bits 1 in a version-2 file: sign weights, as in version 1.
        let binary = try load(model2(input: #"{"shape": [2], "encoding": "bipolar"}"#,
                                     layers: [#"{"type": "dense", "units": 1, "weight_bits": 1, "weight": [[0.5, -2]]}"#]))
        guard case .dense(let d) = binary.layers[0].kind else { return XCTFail() }
        XCTAssertNil(d.integerWeights)
        XCTAssertEqual(d.weights.isPositive, [true, false])
    }

    func testVersion2Errors() {
        assertError(model2(layers: [#"{"type": "conv3d"}"#]),
                    #"model.json: error: layers[0].type: unknown layer type "conv3d"; expected one of dense, conv2d, maxpool2d, batchnorm, sign, flatten, quantize, multithreshold, shift, prelu, clamp, avgpool2d, add"#)
        assertError(model2(layers: [#"{"type": "shift", "name": "s", "value": [1, 2, 3]}"#]),
                    "model.json: error: layers[0] (s).value: expected 2 values (shape [2]) or a single number, got shape [3]")
        assertError(model2(layers: [#"{"type": "multithreshold", "thresholds": [[1], [2]], "out_bias": "x"}"#]),
                    #"model.json: error: layers[0] (multithreshold).out_bias: expected a number, got the string "x""#)
        assertError(model2(layers: [#"{"type": "multithreshold", "thresholds": [[], []]}"#]),
                    "model.json: error: layers[0] (multithreshold).thresholds: expected shape [2, n] (one row of n >= 1 thresholds per channel, 2 channels), got [2, 0]")
        assertError(model2(layers: [#"{"type": "avgpool2d", "pool": 3}"#]),
                    "model.json: error: layers[0] (avgpool2d).pool: pool [3, 3] does not fit the input [2, 2, 2]")
        assertError(model2(layers: [#"{"type": "add", "from": 3}"#]),
                    "model.json: error: layers[0] (add).from: expected a string, got a number")
        assertError(model2(layers: [#"{"type": "clamp", "min": 2, "max": -1}"#]),
                    "model.json: error: layers[0] (clamp).min: must be < max, got min = 2, max = -1")
        assertError(model2(layers: [#"{"type": "dense", "units": 1, "weight_bits": 8, "weight": [[1, 2, 3, 4, 5, 6, 7, 128]]}"#]),
                    "model.json: error: layers[0] (dense).weight[0][7]: must be an integer in -128...127 (weight_bits 8), got 128")
        assertError(model(layers: [#"{"type": "clamp", "min": 0, "max": 1}"#]),
                    #"model.json: error: layers[0].type: layer type "clamp" needs "version": 2 (this file says version 1)"#)
    }
}
