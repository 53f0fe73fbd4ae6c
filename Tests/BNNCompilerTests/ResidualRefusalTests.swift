import BNNCompiler
import BNNModel
import XCTest

/// Residual graphs the compiler cannot map to hardware: each is refused with one line naming
/// the layer and key (and the model loads and runs in the reference, so it is the compiler
/// refusing, not the loader).
final class ResidualRefusalTests: XCTestCase {
    static let w4 = "[[1, -1, 1, 1], [-1, 1, 1, -1], [1, 1, -1, 1], [1, -1, -1, -1]]"
    static let bn = #""gamma": 1, "beta": 0, "mean": 0.25, "var": 1, "eps": 0"#

    /// A 4-input bipolar model with these layers (JSON objects) and logits output.
    static func compile(_ layers: [String], shape: String = "[4]") throws -> Diagnostic? {
        let text = #"{"format": "bnn-hls-model", "version": 2, "name": "g", "input": {"shape": \#(shape), "encoding": "bipolar"}, "layers": [\#(layers.joined(separator: ", "))]}"#
        let network = try ModelLoader().load(bytes: Array(text.utf8), file: "g.json")
        do {
            _ = try Pipeline(file: "g.json").compile(network)
            return nil
        } catch {
            return error
        }
    }

    static func dense(_ name: String, input: String? = nil, units: Int = 4) -> String {
        let weight = units == 4 ? w4 : "[[1, -1, 1, 1], [-1, 1, 1, -1]]"
        return #"{"type": "dense", "name": "\#(name)", \#(input.map { #""input": "\#($0)", "# } ?? "")"units": \#(units), "weight": \#(weight)}"#
    }

    static func batchnorm(_ name: String) -> String { #"{"type": "batchnorm", "name": "\#(name)", \#(bn)}"# }
    static func sign(_ name: String, input: String? = nil) -> String {
        #"{"type": "sign", "name": "\#(name)"\#(input.map { #", "input": "\#($0)""# } ?? "")}"#
    }
    static func add(_ name: String, from: String) -> String { #"{"type": "add", "name": "\#(name)", "from": "\#(from)"}"# }
    static let last = [dense("fc3", units: 2), batchnorm("bn3")]

    func check(_ layers: [String], _ expected: String, shape: String = "[4]", file: StaticString = #filePath, line: UInt = #line) throws {
        let diagnostic = try Self.compile(layers, shape: shape)
        XCTAssertEqual(diagnostic.map { "\($0)" }, expected, file: file, line: line)
    }

    func testTheBaseCompiles() throws {
        XCTAssertNil(try Self.compile([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2"), Self.batchnorm("bn2"),
                                       Self.add("add", from: "s1"), Self.sign("s2")] + Self.last))
    }

    func testFanOutOfARunningValue() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2", input: "bn1"), Self.batchnorm("bn2"),
                   Self.add("add", from: "s1"), Self.sign("s2")] + Self.last,
                  "g.json: error: layers[3] (fc2).input: reads layers[1] (bn1), whose output is not exact (not a quantizer's output): only exact tensors may fan out; \(FuseGraphText.supported)")
    }

    func testTwoRunningValuesAtAnAdd() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2"), Self.batchnorm("bn2"),
                   Self.add("add", from: "bn1"), Self.sign("s2")] + Self.last,
                  "g.json: error: layers[5] (add).from: two running values at an add: layers[1] (bn1) is not exact, and an add needs one exact operand; \(FuseGraphText.supported)")
    }

    func testAnAddInTheLastGroup() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2"), Self.batchnorm("bn2"), Self.add("add", from: "s1")],
                  "g.json: error: layers[5] (add): the last compute layer cannot have an add: only [batchnorm] [shift] may follow it")
    }

    func testABothExactAddWithoutAQuantizer() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2"), Self.batchnorm("bn2"), Self.sign("s2"),
                   Self.add("add", from: "s1")] + Self.last,
                  "g.json: error: layers[6] (add): an add of two exact tensors must be followed by elementwise steps and a quantizer (sign, quantize or multithreshold) that alone read its value")
    }

    func testANegativePreluSlopeAfterTheAdd() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.dense("fc2"), Self.batchnorm("bn2"),
                   Self.add("add", from: "s1"), #"{"type": "prelu", "name": "act", "slope": [0.5, -0.5, 1, 1]}"#, Self.sign("s2")] + Self.last,
                  "g.json: error: layers[6] (act).slope[1]: a negative prelu slope (-0.5) makes the output neither rise nor fall with the sum, so no thresholds reproduce it")
    }

    func testABranchNobodyReads() throws {
        try check([Self.dense("fc1"), Self.batchnorm("bn1"), Self.sign("s1"), Self.sign("dead", input: "s1"), Self.dense("fc2", input: "s1"),
                   Self.batchnorm("bn2"), Self.add("add", from: "s1"), Self.sign("s2")] + Self.last,
                  "g.json: error: layers[3] (dead): its output is never read: every branch must end at an add")
    }

    func testAMaxPoolBetweenTheConvolutionAndTheAdd() throws {
        let conv = { (name: String) in #"{"type": "conv2d", "name": "\#(name)", "filters": 1, "kernel": 1, "weight": [[[[1]]]]}"# }
        try check([conv("c1"), Self.batchnorm("bn1"), Self.sign("s1"), conv("c2"), #"{"type": "maxpool2d", "name": "mp", "pool": 1}"#, Self.batchnorm("bn2"),
                   Self.add("add", from: "s1"), Self.sign("s2"), #"{"type": "flatten", "name": "flat", "order": "HWC"}"#,
                   #"{"type": "dense", "name": "fc3", "units": 2, "weight": [[1, -1, 1, 1], [-1, 1, 1, -1]]}"#],
                  "g.json: error: layers[6] (add): layers[4] (mp) stands between the compute layer and the add, which cannot stay exact; pool the codes after the quantizer instead",
                  shape: "[2, 2, 1]")
    }

    func testPaddingThatIsNoCodeInAGroupWithAnAdd() throws {
        let conv = { (name: String, pad: String) in
            #"{"type": "conv2d", "name": "\#(name)", "filters": 1, "kernel": 3, "padding": 1, "pad_value": \#(pad), "weight": [[[[1, -1, 1], [1, 1, -1], [-1, 1, 1]]]]}"#
        }
        try check([conv("c1", "0"), Self.batchnorm("bn1"), #"{"type": "quantize", "name": "q1", "bits": 2, "scale": 0.75}"#, conv("c2", "1"),
                   Self.batchnorm("bn2"), Self.add("add", from: "q1"), Self.sign("s2"), #"{"type": "flatten", "name": "flat", "order": "HWC"}"#,
                   #"{"type": "dense", "name": "fc3", "units": 2, "weight": [[1, -1, 1, 1], [-1, 1, 1, -1]]}"#],
                  "g.json: error: layers[3] (c2).pad_value: pad_value 1 is no code of this input, so its padded taps would need thresholds per border class, which a group with an add does not support; pad with a value the input can hold (0 on codes, or +-1 on signs)",
                  shape: "[2, 2, 1]")
    }
}

/// The graph pass's list of what it supports, as its messages end.
enum FuseGraphText {
    static let supported =
        "supported graphs: every compute layer reads an exact tensor (a quantizer's output, maybe pooled or flattened); one add per group whose other operand is exact (or an add of two exact tensors followed by steps and a quantizer); only exact tensors fan out"
}
