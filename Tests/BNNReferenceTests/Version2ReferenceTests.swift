import BNNModel
import BNNReference
import XCTest

/// The reference on small version-2 graphs whose exact answers are known by hand.
final class Version2ReferenceTests: XCTestCase {
    func network(input: String, _ layers: [String]) throws -> ReferenceNetwork {
        let text = #"{"format": "bnn-hls-model", "version": 2, "name": "t", "input": \#(input), "layers": [\#(layers.joined(separator: ", "))]}"#
        return ReferenceNetwork(try ModelLoader().load(bytes: Array(text.utf8), file: "t.json"))
    }

    /// Nine exact means of 1/9 sum to exactly 1; float64 accumulation of fl(1/9) gives 1.0000000000000002.
    func testAveragePoolNinthsSumExactly() throws {
        let ref = try network(input: #"{"shape": [3, 3, 9], "encoding": "bipolar"}"#, [
            #"{"type": "avgpool2d", "name": "gap", "pool": 3}"#,
            #"{"type": "dense", "name": "fc", "units": 1, "weight": [[1, 1, 1, 1, 1, 1, 1, 1, 1]]}"#,
        ])
        // Every channel: five +1 and four -1 over the nine pixels, so each mean is 1/9.
        var frame: [Int] = []
        for pixel in 0..<9 { for channel in 0..<9 { frame.append((pixel + channel) % 9 < 5 ? 1 : -1) } }
        let result = try ref.evaluate(frame)
        XCTAssertEqual(result.layerOutputs[0], Array(repeating: 1.0 / 9.0, count: 9))
        XCTAssertEqual(result.logits, [1])
        var naive = 0.0
        for _ in 0..<9 { naive += 1.0 / 9.0 }
        XCTAssertEqual(naive, 1.0000000000000002, "the float64 running sum this test guards against")
    }

    /// multithreshold's exact levels `0.1 + k` (0.1 the float64): 1.1 + 2.1 + 3.1 is exactly 6.3
    /// plus 3 * (0.1's error), nearest 6.3; a float64 running sum gives 6.300000000000001.
    func testMultithresholdLevelsSumExactly() throws {
        let ref = try network(input: #"{"shape": [3], "encoding": "uint8"}"#, [
            #"{"type": "multithreshold", "thresholds": [[0.5, 1.5, 2.5], [0.5, 1.5, 2.5], [0.5, 1.5, 2.5]], "out_bias": 0.1}"#,
            #"{"type": "dense", "units": 2, "weight": [[1, 1, 1], [1, -1, 1]]}"#,
        ])
        let result = try ref.evaluate([1, 2, 3])
        XCTAssertEqual(result.layerOutputs[0], [1.1, 2.1, 3.1])
        XCTAssertEqual(result.logits, [6.3, 2.1])
        XCTAssertEqual(1.1 + 2.1 + 3.1, 6.300000000000001)
    }

    /// Odd-even padding is `+1` where `i + j` is even in the unpadded input's coordinates: with
    /// asymmetric padding (top 1, left 2) this differs from the parity of padded coordinates.
    func testOddEvenPaddingPositions() throws {
        let ref = try network(input: #"{"shape": [2, 2, 1], "encoding": "int8"}"#, [
            #"{"type": "conv2d", "filters": 1, "kernel": 1, "padding": [1, 0, 2, 0], "pad_value": "odd_even", "weight_bits": 2, "weight": [[[[1]]]]}"#,
        ])
        let result = try ref.evaluate([0, 0, 0, 0])
        // Rows i = -1, 0, 1; columns j = -2, -1, 0, 1; the input itself is 0.
        XCTAssertEqual(result.logits, [-1, 1, -1, 1,
                                        1, -1, 0, 0,
                                        -1, 1, 0, 0])
        // A 3x3 window at the top-left corner with padding 1: (-1,-1) +1, (-1,0) -1, (-1,1) +1, (0,-1) -1, (1,-1) +1.
        let window = try network(input: #"{"shape": [2, 3, 1], "encoding": "int8"}"#, [
            #"{"type": "conv2d", "filters": 1, "kernel": 3, "padding": 1, "pad_value": "odd_even", "weight_bits": 2, "weight": [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]}"#,
        ])
        XCTAssertEqual(try window.evaluate([0, 0, 0, 0, 0, 0]).logits[0], 1)
    }

    /// Multi-bit weights are used as they are; pad_value 1 on 8-bit input sums `scale * A + P` once.
    func testIntegerWeightsAndPaddingOnScaledInput() throws {
        let ref = try network(input: #"{"shape": [1, 2, 1], "encoding": "int8", "scale": 0.1}"#, [
            #"{"type": "conv2d", "filters": 1, "kernel": [1, 3], "padding": [0, 0, 1, 0], "pad_value": 1, "weight_bits": 8, "weight": [[[[-7, 3, 5]]]]}"#,
        ])
        // Outputs: w = (-7, 3, 5) over (pad, q0, q1) and (q0, q1, out of range -> none).
        let result = try ref.evaluate([10, -3])
        // Exact: 0.1 * (3 * 10 + 5 * -3) - 7 = 0.1 * 15 - 7 (0.1 the float64), rounded once.
        XCTAssertEqual(result.logits, [-5.5])
        XCTAssertEqual(result.sums[0], [15])
    }

    /// A branch: `input` reads an earlier layer; `add` joins its output back.
    func testGraphInputAndAdd() throws {
        let ref = try network(input: #"{"shape": [2], "encoding": "int8", "scale": 0.5}"#, [
            #"{"type": "quantize", "name": "q", "bits": 4, "signed": true, "scale": 0.5}"#,
            #"{"type": "shift", "name": "up", "value": [10, 20]}"#,
            #"{"type": "prelu", "name": "neg", "input": "q", "slope": 0.5}"#,
            #"{"type": "add", "name": "sum", "from": "up"}"#,
        ])
        // x = (1.5, -1): q = (1.5, -1); up = (11.5, 19); neg = (1.5, -0.5); sum = (13, 18.5).
        let result = try ref.evaluate([3, -2])
        XCTAssertEqual(result.layerOutputs.map { $0 }, [[1.5, -1], [11.5, 19], [1.5, -0.5], [13, 18.5]])
    }
}
