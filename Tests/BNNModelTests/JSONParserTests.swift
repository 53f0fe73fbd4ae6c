@testable import BNNModel
import XCTest

final class JSONParserTests: XCTestCase {
    // MARK: Helpers

    func parse(_ text: String, maxDepth: Int = 64) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Asserts the exact message, path, line and column of the error `bytes` produce.
    func assertFails(
        _ bytes: [UInt8], _ message: String, path: String = "", line: Int = 1, column: Int,
        maxDepth: Int = 64, file: StaticString = #filePath, testLine: UInt = #line
    ) {
        do {
            let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
            XCTFail("parsed, expected error \(message); got \(value)", file: file, line: testLine)
        } catch {
            XCTAssertEqual(error.message, message, file: file, line: testLine)
            XCTAssertEqual(error.path, path, "path", file: file, line: testLine)
            XCTAssertEqual(error.line, line, "line", file: file, line: testLine)
            XCTAssertEqual(error.column, column, "column", file: file, line: testLine)
        }
    }

    func assertFails(
        _ text: String, _ message: String, path: String = "", line: Int = 1, column: Int,
        maxDepth: Int = 64, file: StaticString = #filePath, testLine: UInt = #line
    ) {
        assertFails(Array(text.utf8), message, path: path, line: line, column: column, maxDepth: maxDepth,
                    file: file, testLine: testLine)
    }

    func object(_ value: JSONValue) -> JSONObject? {
        if case .object(let object) = value { return object }
        return nil
    }

    func number(_ text: String) throws -> JSONNumber {
        guard let object = object(try parse("{\"n\": \(text)}")), case .number(let number)? = object["n"] else {
            throw JSONSyntaxError(message: "not a number", path: "", line: 0, column: 0)
        }
        return number
    }

    // MARK: Valid documents

    func testParsesAllValueKindsInOrder() throws {
        let value = try parse(#" { "z": null, "b": [true, false], "n": -1.5e2, "s": "hi", "o": {"k": []} } "#)
        let expected = JSONValue.object(JSONObject(entries: [
            (key: "z", value: .null),
            (key: "b", value: .array([.bool(true), .bool(false)])),
            (key: "n", value: .number(JSONNumber(text: "-1.5e2", double: -150, isInteger: false))),
            (key: "s", value: .string("hi")),
            (key: "o", value: .object(JSONObject(entries: [(key: "k", value: .array([]))]))),
        ]))
        XCTAssertEqual(value, expected)
        let top = try XCTUnwrap(object(value))
        XCTAssertEqual(top.keys, ["z", "b", "n", "s", "o"])
        XCTAssertEqual(top["s"], .string("hi"))
        XCTAssertNil(top["missing"])
        XCTAssertEqual(try parse("{}"), .object(JSONObject(entries: [])))
        XCTAssertEqual(try parse("\t{\r\n}\n"), .object(JSONObject(entries: [])))
    }

    func testObjectEqualityRespectsOrder() {
        let a = JSONObject(entries: [(key: "x", value: .null), (key: "y", value: .bool(true))])
        let b = JSONObject(entries: [(key: "y", value: .bool(true)), (key: "x", value: .null)])
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a, JSONObject(entries: [(key: "x", value: .null), (key: "y", value: .bool(true))]))
    }

    func testLargeObjectLookupAndDuplicateDetection() throws {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let top = try XCTUnwrap(object(try parse("{\(members)}")))
        XCTAssertEqual(top.keys.count, 40)
        for index in 0..<40 {
            guard case .number(let n)? = top["k\(index)"] else { return XCTFail("k\(index) missing") }
            XCTAssertEqual(n.int, index)
        }
        XCTAssertNil(top["k40"])
        // Duplicate past the point where the parser switches to a dictionary.
        let text = "{\"outer\": {\(members), \"k25\": 0}}"
        let column = text.utf8.count - 9  // the quote of the second "k25"
        assertFails(text, "duplicate key \"k25\"", path: "outer", column: column)
    }

    func testNumbers() throws {
        let three = try number("3")
        XCTAssertEqual(three.text, "3")
        XCTAssertTrue(three.isInteger)
        XCTAssertEqual(three.int, 3)
        XCTAssertEqual(three.double, 3)

        let threePointZero = try number("3.0")
        XCTAssertFalse(threePointZero.isInteger)
        XCTAssertNil(threePointZero.int)
        XCTAssertEqual(threePointZero.double, 3)

        XCTAssertFalse(try number("1e2").isInteger)
        XCTAssertEqual(try number("1E+2").double, 100)
        XCTAssertEqual(try number("-12").int, -12)
        XCTAssertEqual(try number("-9223372036854775808").int, Int.min)
        XCTAssertNil(try number("9223372036854775808").int)  // integer literal, too big for Int
        XCTAssertEqual(try number("9223372036854775808").double, 9223372036854775808)
        let negativeZero = try number("-0")
        XCTAssertEqual(negativeZero.double, 0)
        XCTAssertEqual(negativeZero.double.sign, .minus)
        XCTAssertEqual(negativeZero.int, 0)
        XCTAssertEqual(try number("0.1").double, 0.1)
        XCTAssertEqual(try number("1e-400").double, 0)  // underflow is fine
        XCTAssertEqual(try number("-1e-400").double.sign, .minus)
        XCTAssertEqual(try number("1.7976931348623157e308").double, .greatestFiniteMagnitude)
        XCTAssertEqual(try number("4.9e-324").double, .leastNonzeroMagnitude)
        XCTAssertEqual(try number("9007199254740993").double, 9007199254740992)  // ties to even
        XCTAssertEqual(try number("0.00000000000000000000000000001").double, 1e-29)
        XCTAssertEqual(try number("123456789012345678901234567890e-10").double, 12345678901234567890.123456789)
    }

    /// Every conversion must match the correctly rounded `Double(String)`.
    func testNumberConversionMatchesDoubleParsing() throws {
        var generator = SystemRandomNumberGenerator()
        var literals: [String] = ["0", "-0.0", "1e22", "1e23", "9007199254740992", "9007199254740991.5",
                                  "0.3", "2.2250738585072014e-308", "2.2250738585072011e-308"]
        for _ in 0..<3000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            literals.append("\(value)")
            literals.append("\(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()) & 0x7F7F_FFFF))")
            let digits = String(generator.next() % 10_000_000_000_000_000)
            let exponent = Int(generator.next() % 60) - 30
            literals.append("-\(digits).\(digits.prefix(3))e\(exponent)")
            literals.append("0.\(digits)")
        }
        let text = "{\"a\": [" + literals.joined(separator: ",") + "]}"
        guard let top = object(try parse(text)), case .array(let items)? = top["a"] else { return XCTFail() }
        XCTAssertEqual(items.count, literals.count)
        for (item, literal) in zip(items, literals) {
            guard case .number(let n) = item else { return XCTFail("\(literal) not a number") }
            XCTAssertEqual(n.text, literal)
            XCTAssertEqual(n.double.bitPattern, Double(literal)?.bitPattern, literal)
        }
    }

    func testStrings() throws {
        let text = #"{"s": "a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000", "raw": "é€😀", "": "empty key"}"#
        let top = try XCTUnwrap(object(try parse(text)))
        XCTAssertEqual(top["s"], .string("a\"b\\c/d\u{8}\u{C}\n\r\tAé€😀\u{0}"))
        XCTAssertEqual(top["raw"], .string("é€😀"))
        XCTAssertEqual(top[""], .string("empty key"))
    }

    func testNestingUpToTheLimitIsFine() throws {
        // The top-level object is level 1, so 63 arrays inside it reach exactly 64.
        let text = "{\"a\": " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        XCTAssertNoThrow(try parse(text))
    }

    func testNestedArrayOfNumbers() throws {
        let row = "[" + (0..<200).map { "\(Double($0) * 0.25 - 7)" }.joined(separator: ", ") + "]"
        let text = "{\"w\": [" + Array(repeating: row, count: 200).joined(separator: ",\n") + "]}"
        guard let top = object(try parse(text)), case .array(let rows)? = top["w"] else { return XCTFail() }
        XCTAssertEqual(rows.count, 200)
        guard case .array(let last) = rows[199], case .number(let n) = last[199] else { return XCTFail() }
        XCTAssertEqual(n.double, 199 * 0.25 - 7)
    }

    func testDescription() {
        let withPath = JSONSyntaxError(message: "duplicate key \"gamma\"", path: "layers[3]", line: 4, column: 17)
        XCTAssertEqual(withPath.description, "line 4, column 17: layers[3]: duplicate key \"gamma\"")
        let topLevel = JSONSyntaxError(message: "file is empty", path: "", line: 1, column: 1)
        XCTAssertEqual(topLevel.description, "line 1, column 1: file is empty")
    }

    // MARK: Encoding

    func testEmptyAndWhitespaceFiles() {
        assertFails([], "file is empty", column: 1)
        assertFails(" \n ", "file contains only whitespace, expected a JSON object", column: 1)
    }

    func testByteOrderMark() {
        assertFails([0xEF, 0xBB, 0xBF] + Array("{}".utf8),
                    "file starts with a byte order mark; save it as UTF-8 without BOM", column: 1)
    }

    func testUTF16AndUTF32() {
        let utf16 = "file is UTF-16 encoded; JSON must be UTF-8"
        let utf32 = "file is UTF-32 encoded; JSON must be UTF-8"
        assertFails([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], utf16, column: 1)  // LE with BOM
        assertFails([0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D], utf16, column: 1)  // BE with BOM
        assertFails([0x7B, 0x00, 0x7D, 0x00], utf16, column: 1)  // LE, no BOM
        assertFails([0x00, 0x7B, 0x00, 0x7D], utf16, column: 1)  // BE, no BOM
        assertFails([0x7B, 0x00, 0x00, 0x00, 0x7D, 0x00, 0x00, 0x00], utf32, column: 1)
        assertFails([0x00, 0x00, 0x00, 0x7B, 0x00, 0x00, 0x00, 0x7D], utf32, column: 1)
    }

    func testInvalidUTF8InStrings() {
        assertFails([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],
                    "invalid UTF-8 byte sequence in string, starting with byte 0xC3", path: "a", column: 7)
        // Overlong encoding of '/'.
        assertFails([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x78, 0xC0, 0xAF, 0x22, 0x7D],
                    "invalid UTF-8 byte sequence in string, starting with byte 0xC0", path: "a", column: 8)
        // A UTF-16 surrogate encoded as UTF-8, in a key: reported at the object's path.
        assertFails([0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D],
                    "invalid UTF-8 byte sequence in string, starting with byte 0xED", column: 3)
        // A stray byte outside any string.
        assertFails([0x7B, 0x22, 0x61, 0x22, 0x3A, 0xFF, 0x7D], "expected a value, found byte 0xFF", path: "a", column: 6)
    }

    // MARK: Structure

    func testTopLevelMustBeAnObject() {
        assertFails("[1, 2]", "top level must be a JSON object", column: 1)
        assertFails("\n   42", "top level must be a JSON object", line: 2, column: 4)
        assertFails(#""text""#, "top level must be a JSON object", column: 1)
    }

    func testTrailingContent() {
        assertFails("{} x", "unexpected content after the top-level object, found 'x'", column: 4)
        assertFails("{}\n{}", "unexpected content after the top-level object, found '{'", line: 2, column: 1)
    }

    func testTruncatedInput() {
        let text = "{\"a\": [1, 2"
        assertFails(text, "unexpected end of file inside an array (missing ']')", path: "a", column: 12)
        assertFails("{\"a\": {\"b\": 1", "unexpected end of file inside an object (missing '}')", path: "a", column: 14)
        assertFails("{\"a\":\n \"abc", "unexpected end of file inside a string (missing closing '\"')",
                    path: "a", line: 2, column: 6)
        assertFails("{\"a\": [1, -", "unexpected end of file in a number", path: "a[1]", column: 12)
        assertFails("{\"a\": [1, ", "unexpected end of file inside an array (missing ']')", path: "a[1]", column: 11)
        assertFails("{", "unexpected end of file inside an object (missing '}')", column: 2)
    }

    func testDuplicateKeyNamesKeyAndObjectPath() {
        let text = """
            {"layers": [{}, {}, {},
              {"type": "batchnorm",
               "gamma": [1], "gamma": [2]}]}
            """
        assertFails(text, "duplicate key \"gamma\"", path: "layers[3]", line: 3, column: 18)
        assertFails(#"{"a": 1, "a": 1}"#, "duplicate key \"a\"", column: 10)
    }

    func testSeparators() {
        assertFails(#"{"a": 1 "b": 2}"#, "expected ',' or '}' after object member", column: 9)
        assertFails(#"{"a": [1 2]}"#, "expected ',' or ']' after array element", path: "a", column: 10)
        assertFails(#"{"a" 1}"#, "expected ':' after object key, found '1'", column: 6)
        assertFails(#"{"a": [1, 2,]}"#, "trailing comma before ']' is not allowed", path: "a", column: 13)
        assertFails(#"{"a": 1,}"#, "trailing comma before '}' is not allowed", column: 9)
        assertFails(#"{"a": }"#, "expected a value, found '}'", path: "a", column: 7)
        assertFails(#"{a: 1}"#, "expected a string key in double quotes, found 'a'", column: 2)
        assertFails(#"{'a': 1}"#, "object keys must be strings in double quotes, not single quotes", column: 2)
        assertFails(#"{"a": 'x'}"#, "strings must use double quotes, not single quotes", path: "a", column: 7)
    }

    func testCommentsAndForeignLiterals() {
        assertFails("{\"a\": 1 // note\n}", "comments are not allowed in JSON", column: 9)
        assertFails("{/* c */}", "comments are not allowed in JSON", column: 2)
        assertFails(#"{"a": True}"#, "invalid literal 'True' (JSON literals are true, false and null)", path: "a", column: 7)
        assertFails(#"{"a": [nul]}"#, "invalid literal 'nul' (JSON literals are true, false and null)", path: "a[0]", column: 8)
        assertFails(#"{"a": truex}"#, "invalid literal 'truex' (JSON literals are true, false and null)", path: "a", column: 7)
    }

    func testPathsQuoteNonIdentifierKeys() {
        assertFails(#"{"my key": {"x": [1, "\q"]}}"#,
                    #"invalid escape '\q' in string (valid: \" \\ \/ \b \f \n \r \t \uXXXX)"#,
                    path: #"["my key"].x[1]"#, column: 23)
        assertFails(#"{"layers": [{"gamma": [1, 2, x]}]}"#, "invalid literal 'x' (JSON literals are true, false and null)",
                    path: "layers[0].gamma[2]", column: 30)
        assertFails(#"{"a\"b": {"1x": -}}"#, "expected a digit after '-', found '}'", path: #"["a\"b"]["1x"]"#, column: 18)
    }

    func testDepthLimit() {
        let text = "{\"a\": " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
        assertFails(text, "nesting is deeper than the limit of 64 levels",
                    path: "a" + String(repeating: "[0]", count: 63), column: 70)
        assertFails("{\"a\": {\"b\": {}}}", "nesting is deeper than the limit of 2 levels", path: "a.b", column: 13, maxDepth: 2)
    }

    func testHugeNestingFailsWithoutOverflowingTheStack() {
        let deep = "{\"a\": " + String(repeating: "[", count: 100_000)
        assertFails(deep, "nesting is deeper than the limit of 64 levels",
                    path: "a" + String(repeating: "[0]", count: 63), column: 70)
        // A bigger limit is capped: Swift frees nested values recursively, so a value nested
        // 100,000 deep could not even be destroyed safely.
        let closed = deep + String(repeating: "]", count: 100_000) + "}"
        assertFails(closed, "nesting is deeper than the limit of 1000 levels",
                    path: "a" + String(repeating: "[0]", count: 999), column: 1006, maxDepth: 200_000)
        let allowed = "{\"a\": " + String(repeating: "[", count: 999) + String(repeating: "]", count: 999) + "}"
        XCTAssertNoThrow(try JSONParser.parse(Array(allowed.utf8), maxDepth: 200_000))
    }

    // MARK: Numbers

    func testNumberGrammar() {
        assertFails(#"{"a": 012}"#, "leading zeros are not allowed in numbers", path: "a", column: 8)
        assertFails(#"{"a": -00}"#, "leading zeros are not allowed in numbers", path: "a", column: 9)
        assertFails(#"{"a": +1}"#, "numbers must not start with '+'", path: "a", column: 7)
        assertFails(#"{"a": .5}"#, "numbers must have a digit before the decimal point", path: "a", column: 7)
        assertFails(#"{"a": 1.}"#, "expected a digit after the decimal point, found '}'", path: "a", column: 9)
        assertFails(#"{"a": 1.e3}"#, "expected a digit after the decimal point, found 'e'", path: "a", column: 9)
        assertFails(#"{"a": 1e}"#, "expected a digit in the exponent, found '}'", path: "a", column: 9)
        assertFails(#"{"a": 1e+}"#, "expected a digit in the exponent, found '}'", path: "a", column: 10)
        assertFails(#"{"a": [0x10]}"#, "expected ',' or ']' after array element", path: "a", column: 9)
    }

    func testNonFiniteNumbers() {
        assertFails(#"{"a": NaN}"#, "non-finite number NaN is not allowed (JSON numbers must be finite)", path: "a", column: 7)
        assertFails(#"{"a": [1, Infinity]}"#, "non-finite number Infinity is not allowed (JSON numbers must be finite)",
                    path: "a[1]", column: 11)
        assertFails(#"{"a": -Infinity}"#, "non-finite number -Infinity is not allowed (JSON numbers must be finite)",
                    path: "a", column: 7)
    }

    func testOutOfRangeNumbers() {
        assertFails(#"{"a": 1e400}"#, "number 1e400 is out of float64 range", path: "a", column: 7)
        assertFails(#"{"a": [-2.5E+308]}"#, "number -2.5E+308 is out of float64 range", path: "a[0]", column: 8)
        let long = String(repeating: "9", count: 400)
        assertFails("{\"a\": \(long)}", "number \(long.prefix(60))... is out of float64 range", path: "a", column: 7)
    }

    // MARK: Strings

    func testControlCharactersInStrings() {
        assertFails("{\"a\": \"line\nbreak\"}", "raw control character 0x0A in string; write it as \\n", path: "a", column: 12)
        assertFails("{\"a\": \"tab\there\"}", "raw control character 0x09 in string; write it as \\t", path: "a", column: 11)
        assertFails("{\"k\u{1}\": 1}", "raw control character 0x01 in string; write it as \\u0001", column: 4)
    }

    func testEscapes() {
        assertFails(#"{"a": "\x41"}"#, #"invalid escape '\x' in string (valid: \" \\ \/ \b \f \n \r \t \uXXXX)"#,
                    path: "a", column: 8)
        assertFails(#"{"a": "\u12G4"}"#, #"invalid \u escape in string: expected 4 hex digits"#, path: "a", column: 8)
        assertFails(#"{"a": "\uD800"}"#,
                    #"lone high surrogate \uD800 in string (must be followed by a \uDC00-\uDFFF escape)"#,
                    path: "a", column: 8)
        assertFails(#"{"a": "x\uD83D\u0041"}"#,
                    #"lone high surrogate \uD83D in string (followed by \u0041, not a low surrogate)"#,
                    path: "a", column: 9)
        assertFails(#"{"a": "\uDE00"}"#, #"lone low surrogate \uDE00 in string"#, path: "a", column: 8)
    }
}
