@testable import BNNFuzz
import BNNModel
import XCTest

/// The fuzzer's parts on their own: JSON text pieces, rejection kinds, the model generator.
/// (`FuzzTests` in the end-to-end tests runs whole passes.)
final class FuzzPartsTests: XCTestCase {
    func testJSONPiecesKeepNumbersAsWrittenAndEscapeStrings() throws {
        let text = #"{"a": [1, 2.5e3, -0.0], "b\"": {"c": null, "d": true}, "e": "x\ny"}"#
        let tree = FuzzJSON(try JSONParser.parse(Array(text.utf8)))
        XCTAssertEqual(String(decoding: tree.bytes, as: UTF8.self), #"{"a": [1, 2.5e3, -0.0], "b\"": {"c": null, "d": true}, "e": "x\u000ay"}"#)
        XCTAssertEqual(tree.children, 3)
        // Breadth first: the document, its three members, then the array's numbers.
        XCTAssertEqual(tree.subtrees(limit: 100).count, 1 + 3 + 3 + 2)
        XCTAssertEqual(tree.subtrees(limit: 4).count, 4)
    }

    func testNumericTensorsAreRectangularNumberArrays() {
        func numbers(_ texts: [String]) -> FuzzJSON { .array(texts.map { .raw($0) }) }
        let square = FuzzJSON.array([numbers(["1", "2"]), numbers(["3", "4.5"])]).numericTensor
        XCTAssertEqual(square?.shape, [2, 2])
        XCTAssertEqual(square?.values, [1, 2, 3, 4.5])
        XCTAssertNil(FuzzJSON.array([numbers(["1", "2"]), numbers(["3"])]).numericTensor)
        XCTAssertNil(FuzzJSON.array([.raw("1"), .string("2")]).numericTensor)
        XCTAssertNil(FuzzJSON.raw("7").numericTensor)
    }

    func testRejectionKindsElideNumbersAndQuotedText() {
        XCTAssertEqual(FuzzState.kind(of: #"fuzz.json: error: layers[3] (fc1).units: expected 12, got "abc""#),
                       #"layers[#] (fc#).units: expected #, got "…""#)
        XCTAssertEqual(commandLineMessage(Diagnostic(file: "m.json", message: "bad")), Diagnostic(file: "m.json", message: "bad").description)
    }

    func testGeneratedModelsAreJSONAndRepeatable() throws {
        var generator = ModelGenerator(seed: 9)
        var again = ModelGenerator(seed: 9)
        var loaded = 0
        for _ in 0..<60 {
            let model = generator.model()
            XCTAssertEqual(model, again.model())
            // Every model is well-formed JSON; most are models the loader accepts.
            XCTAssertNoThrow(try JSONParser.parse(model), String(decoding: model, as: UTF8.self))
            if (try? ModelLoader().load(bytes: model, file: "gen.json")) != nil { loaded += 1 }
        }
        XCTAssertGreaterThan(loaded, 30)
    }
}
