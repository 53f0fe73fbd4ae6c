import BNNEmit
import XCTest

/// The renderer is strict: each mistake is one error naming the template and the key.
final class TemplateRendererTests: XCTestCase {
    private func failure(_ template: String, _ values: [String: String]) -> TemplateRenderer.Failure? {
        do {
            let text = try TemplateRenderer.render(template, named: "top.cpp.tmpl", values)
            XCTFail("rendered \"\(text)\" instead of failing")
            return nil
        } catch {
            return error
        }
    }

    func testFillsEveryPlaceholder() throws {
        let text = try TemplateRenderer.render("void {{name}}() { {{body}} } // {{name}}", named: "t", ["name": "top", "body": "run();"])
        XCTAssertEqual(text, "void top() { run(); } // top")
    }

    func testValuesAreNotRescanned() throws {
        // C++ aggregate initializers contain `{{`: a value is inserted verbatim.
        let text = try TemplateRenderer.render("rom = {{rom}};", named: "t", ["rom": "{{1, 2}, {{key}}}"])
        XCTAssertEqual(text, "rom = {{1, 2}, {{key}}};")
    }

    func testMissingKeyIsNamed() {
        let f = failure("a {{first}} b {{second}}", ["first": "1"])
        XCTAssertEqual(f?.template, "top.cpp.tmpl")
        XCTAssertEqual(f?.description, "template top.cpp.tmpl: no value for key \"second\"")
    }

    func testUnusedKeyIsNamed() {
        let f = failure("a {{first}}", ["first": "1", "stale": "2", "zombie": "3"])
        // The first unused key in sorted order, so the message is the same on every run.
        XCTAssertEqual(f?.description, "template top.cpp.tmpl: key \"stale\" is given but the template never uses it")
    }

    func testUnterminatedPlaceholderIsReported() {
        let f = failure("int x; {{name", ["name": "top"])
        XCTAssertEqual(f?.description, "template top.cpp.tmpl: unterminated placeholder after \"int x; \"")
    }

    func testMalformedPlaceholdersAreReported() {
        XCTAssertEqual(failure("{{two words}}", ["two words": "x"])?.description,
                       "template top.cpp.tmpl: malformed placeholder \"{{two words}}\"")
        XCTAssertEqual(failure("x = {{}};", [:])?.description, "template top.cpp.tmpl: malformed placeholder \"{{}}\"")
        XCTAssertEqual(failure("{{a-b}}", ["a-b": "x"])?.description, "template top.cpp.tmpl: malformed placeholder \"{{a-b}}\"")
    }

    func testTemplateWithoutPlaceholdersTakesNoValues() throws {
        XCTAssertEqual(try TemplateRenderer.render("plain }} text", named: "t", [:]), "plain }} text")
        XCTAssertEqual(failure("plain", ["name": "x"])?.description,
                       "template top.cpp.tmpl: key \"name\" is given but the template never uses it")
    }
}
