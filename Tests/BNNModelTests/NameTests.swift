import BNNModel
import XCTest

/// Model names that cannot become C++ and file names, and layer names and labels that could
/// break out of a generated file, are refused at load time with the reason.
final class NameTests: XCTestCase {
    func load(name: String = "m", layerName: String = "fc1", labels: [String] = ["a", "b"]) throws -> Network {
        let text = #"{"format": "bnn-hls-model", "version": 1, "name": \#(JSONText.quoted(name, clip: false)), "input": {"shape": [3], "encoding": "bipolar"}, "layers": [{"type": "dense", "name": \#(JSONText.quoted(layerName, clip: false)), "units": 2, "weight": [[1, -1, 1], [1, 1, -1]]}], "labels": [\#(labels.map { JSONText.quoted($0, clip: false) }.joined(separator: ", "))]}"#
        return try ModelLoader().load(bytes: Array(text.utf8), file: "model.json")
    }

    func message(_ body: () throws -> Network) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Written out here from the C++20 standard ([lex.key], [lex.digraph]), not taken from the code.
    static let keywords = """
        alignas alignof asm auto bool break case catch char char8_t char16_t char32_t class concept const
        consteval constexpr constinit const_cast continue co_await co_return co_yield decltype default delete
        do double dynamic_cast else enum explicit export extern false float for friend goto if inline int long
        mutable namespace new noexcept nullptr operator private protected public register reinterpret_cast
        requires return short signed sizeof static static_assert static_cast struct switch template this
        thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
        while and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq typeof
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    func testKeywordsAndAlternativeTokensAreRefused() {
        for name in Self.keywords {
            XCTAssertEqual(message { try load(name: name) },
                           "model.json: error: name: \"\(name)\" is a C++ keyword; the model name becomes the top function's name in the generated C++, so choose another")
        }
    }

    func testNamesThatClashWithTheGeneratedCodeAreRefused() {
        let tail = "; the model name becomes the top function's name in the generated C++, so choose another"
        let declared = "is declared by the headers the generated C++ includes" + tail
        let macro = "is a macro of the headers the generated C++ includes" + tail
        let rtl = "is a Verilog or VHDL keyword (Vitis HLS names the RTL module after the top function)" + tail
        let expected: [(String, String)] = [
            // The issue's sample (keywords above).
            ("uint8_t", declared), ("uint64_t", declared), ("FILE", declared), ("size_t", declared), ("std", declared),
            ("int8_t", declared), ("va_list", declared), ("time_t", declared), ("timezone", declared),
            ("EOF", macro), ("NULL", macro), ("stdin", macro), ("stdout", macro), ("errno", macro), ("assert", macro),
            ("linux", macro), ("unix", macro), ("offsetof", macro), ("INT8_MAX", macro), ("NAN", macro), ("INLINE", macro),
            ("main", "is the testbench's main function" + tail),
            ("_net", "is reserved in C++ (names starting with '_' or containing \"__\")" + tail),
            ("my__net", "is reserved in C++ (names starting with '_' or containing \"__\")" + tail),
            ("bnn", "starts with \"bnn\", reserved for the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)" + tail),
            ("bnn_mvau", "starts with \"bnn\", reserved for the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)" + tail),
            ("BNN_library", "starts with \"bnn\", reserved for the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)" + tail),
            ("hls", "starts with \"hls\", reserved for Xilinx's HLS headers (namespace hls, hls_*.h)" + tail),
            ("hls_stream", "starts with \"hls\", reserved for Xilinx's HLS headers (namespace hls, hls_*.h)" + tail),
            ("ap_uint", "starts with \"ap\", reserved for Xilinx's ap_int.h (ap_* types, AP_* macros)" + tail),
            ("AP_INT_MAX_W", "starts with \"ap\", reserved for Xilinx's ap_int.h (ap_* types, AP_* macros)" + tail),
            ("ssdm_op", "starts with \"ssdm\", reserved for Vitis HLS internals" + tail),
            // Vitis names the RTL module after the top function: Verilog (case-sensitive) and VHDL
            // (case-insensitive) reserved words.
            ("module", rtl), ("endmodule", rtl), ("wire", rtl), ("reg", rtl), ("posedge", rtl),
            ("entity", rtl), ("Signal", rtl), ("PROCESS", rtl), ("downto", rtl), ("begin", rtl),
        ]
        for (name, reason) in expected {
            XCTAssertEqual(message { try load(name: name) }, "model.json: error: name: \"\(name)\" \(reason)")
        }
        // '-' becomes '_' before the checks.
        XCTAssertEqual(message { try load(name: "bnn-mvau") },
                       "model.json: error: name: \"bnn-mvau\" starts with \"bnn\", reserved for the bnn-hls layer library (src/bnn_*.hpp, namespace bnn)" + tail)
    }

    /// Near misses load (HostileNameTests builds `io` and `int8` with g++).
    func testNearMissesAreAccepted() throws {
        for name in ["int8", "Main", "io", "io_net", "uint8", "Files", "printf", "read_int", "class_maps", "bnnx", "hlsnet",
                     "apple", "mnist-lfc", "CNV", "x", "Module", "wires", "entity_net"] {
            XCTAssertEqual(try load(name: name).name, name)
        }
    }

    func testUnsafeCharactersInLayerNamesAndLabelsAreRefused() {
        let rule = "names and labels may not hold control, format, separator or noncharacter code points"
        let cases: [(String, String)] = [
            ("fc1\nstatic int x = system(\"touch pwned\");//", "U+000A, a control character"),
            ("fc\r1", "U+000D, a control character"), ("fc\u{0}1", "U+0000, a control character"),
            ("fc\t1", "U+0009, a control character"), ("fc\u{7F}", "U+007F, a control character"),
            ("fc\u{85}", "U+0085, a control character"), ("fc\u{2028}", "U+2028, a line or paragraph separator"),
            ("fc\u{2029}", "U+2029, a line or paragraph separator"),
            ("fc\u{202E}1", "U+202E, a format character (bidi or zero-width)"),
            ("fc\u{2066}1", "U+2066, a format character (bidi or zero-width)"),
            ("fc\u{61C}1", "U+061C, a format character (bidi or zero-width)"),
            ("fc\u{200E}1", "U+200E, a format character (bidi or zero-width)"),
            ("fc\u{200B}1", "U+200B, a format character (bidi or zero-width)"),
            ("fc\u{FEFF}1", "U+FEFF, a format character (bidi or zero-width)"), ("fc\u{FFFF}", "U+FFFF, a noncharacter"),
        ]
        for (text, what) in cases {
            XCTAssertEqual(message { try load(layerName: text) }, "model.json: error: layers[0].name: contains \(what); \(rule)")
            XCTAssertEqual(message { try load(labels: ["a", text]) }, "model.json: error: labels[1]: contains \(what); \(rule)")
        }
        let limit = String(repeating: "\u{E9}", count: 128)  // 256 bytes of UTF-8
        XCTAssertNoThrow(try load(layerName: limit, labels: [limit, "b"]))
        XCTAssertEqual(message { try load(layerName: limit + "x") },
                       "model.json: error: layers[0].name: is 257 bytes long; names and labels may have at most 256 bytes of UTF-8")
        XCTAssertEqual(message { try load(labels: [String(repeating: "x", count: 10_000), "b"]) },
                       "model.json: error: labels[0]: is 10000 bytes long; names and labels may have at most 256 bytes of UTF-8")
        // Hostile but visible text loads; the emitters escape it.
        for text in ["*/", "a\\", "??/", "$(shell touch pwned)", "[exec touch pwned]", "<script>", "\"'`|&", "fc \u{E9}\u{1F600}"] {
            XCTAssertEqual(try load(layerName: text, labels: [text, "b"]).layers[0].name, text)
        }
    }

    func testCppComment() {
        let cases: [(String, String)] = [
            ("fc1", "fc1"), ("a\\", "a?"), ("a\nb", "a?b"), ("??/", "?/"), ("a???/b", "a?/b"), ("\u{E9}\u{E9}?", "?"),
            ("*/x", "* /x"), ("/*x", "/ *x"), ("a/*/b", "a/ * /b"), ("layers[0] (fc1)", "layers[0] (fc1)"),
        ]
        for (text, expected) in cases { XCTAssertEqual(SafeText.cppComment(text), expected, text) }
        // Whatever comes in: printable ASCII, no backslash, no `??`, no comment delimiters.
        let hostile = "x\\\n??/??=*/ /* \u{202E}\u{0}\u{2028}\u{E9}\r\n\\"
        let out = SafeText.cppComment(hostile)
        XCTAssertTrue(out.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "\\" }, out)
        XCTAssertFalse(out.contains("??") || out.contains("*/") || out.contains("/*"), out)
    }

    func testMarkdownXmlAndLine() {
        XCTAssertEqual(SafeText.markdown("fc_1 *x*"), "fc_1 *x*")
        XCTAssertEqual(SafeText.markdown("a|b"), "a\\|b")
        XCTAssertEqual(SafeText.markdown("a\\|b"), "a\\\\\\|b")
        XCTAssertEqual(SafeText.markdown("<script>&amp;"), "\\<script\\>\\&amp;")
        XCTAssertEqual(SafeText.markdown("[x](http://e) `c`"), "\\[x\\](http://e) \\`c\\`")
        XCTAssertEqual(SafeText.markdown("a\nb\u{202E}"), "a?b?")
        XCTAssertEqual(SafeText.xml("<a href=\"x\">'&'</a>\n\u{202E}"), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;  ")
        XCTAssertEqual(SafeText.line("m\n#x\u{2028}.json"), "m?#x?.json")
    }
}
