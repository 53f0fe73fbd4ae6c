import BNNModel
import BNNTestSupport
import Foundation
import Templates
import XCTest

/// Asks g++ which names the headers of a generated project claim, so the loader's list of
/// refused model names is complete for this compiler and C library, not a guess.
final class ReservedNameProbeTests: XCTestCase {
    /// True when the loader accepts `name` as a model name.
    static func accepts(_ name: String, base: String) -> Bool {
        let text = base.replacingOccurrences(of: #""name": "tiny_mlp""#, with: #""name": "\#(name)""#)
        return (try? ModelLoader().load(bytes: Array(text.utf8), file: "probe.json")) != nil
    }

    func testEveryNameTheHeadersClaimIsRefused() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let dir = try TestPaths.temporaryDirectory("probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        for library in TemplateFiles.library where library.name.hasSuffix(".hpp") {
            try Data(library.contents).write(to: src.appendingPathComponent(library.name))
        }
        // Exactly the headers the generated header and testbench include.
        var includes = ""
        for template in ["top.hpp.tmpl", "testbench.cpp.tmpl"] {
            let text = String(decoding: TemplateFiles.named(template) ?? [], as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("#include") && !line.contains("{{") { includes += line + "\n" }
        }
        XCTAssertTrue(includes.contains("ap_int.h") && includes.contains("cstdio"), includes)
        try includes.write(to: dir.appendingPathComponent("headers.cpp"), atomically: true, encoding: .utf8)
        let base = try String(contentsOfFile: TestPaths.inRepo("Tests/Corpus/valid_mlp.json"), encoding: .utf8)
        XCTAssertTrue(Self.accepts("tiny_mlp", base: base))
        let flags = ["-isystem", include, "-I", src.path]

        // 1. Every macro (without a leading underscore), in the language modes a user may pick.
        var macros = Set<String>()
        for std in ["gnu++14", "c++14", "gnu++17", "gnu++20"] {
            let result = try runProcess("g++", ["-std=\(std)", "-dM", "-E"] + flags + ["headers.cpp"], in: dir.path)
            XCTAssertEqual(result.status, 0, result.output)
            for line in result.output.split(separator: "\n") where line.hasPrefix("#define ") {
                let name = line.dropFirst(8).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !name.hasPrefix("_") { macros.insert(String(name)) }
            }
        }
        XCTAssertTrue(macros.isSuperset(of: ["EOF", "NULL", "stdin", "errno", "assert"]), "\(macros.count) macros")
        XCTAssertEqual(macros.filter { Self.accepts($0, base: base) }.sorted(), [], "macros the loader accepts as model names")

        // 2. Every other identifier of the preprocessed headers: declare what a generated project
        // declares for a model of that name, one candidate per line, and let g++ say which fail.
        let preprocessed = try runProcess("g++", ["-std=gnu++14", "-E", "-P"] + flags + ["headers.cpp"], in: dir.path)
        XCTAssertEqual(preprocessed.status, 0, preprocessed.output)
        var identifiers = Set<String>()
        var current = ""
        for scalar in preprocessed.output.unicodeScalars {
            if scalar.properties.isAlphabetic && scalar.isASCII || scalar == "_" || (!current.isEmpty && ("0"..."9").contains(scalar)) {
                current.unicodeScalars.append(scalar)
            } else {
                if !current.isEmpty { identifiers.insert(current) }
                current = ""
            }
        }
        let candidates = identifiers.subtracting(macros).filter { Self.accepts($0, base: base) }.sorted()
        XCTAssertGreaterThan(candidates.count, 1000)
        // Controls: names the loader refuses because they clash; their lines must fail.
        let controls = ["uint8_t", "FILE", "std", "timezone"]
        var probe = includes
        var lineOwner: [Int: String] = [:]
        let firstLine = includes.split(separator: "\n").count + 1
        for (i, n) in (controls + candidates).enumerated() {
            lineOwner[firstLine + i] = n
            probe += "typedef ap_uint<8> \(n)_in_t; typedef ap_uint<8> \(n)_out_t; namespace \(n)_io { const unsigned INPUT_ELEMENTS = 1; } "
                + "void \(n)(hls::stream<\(n)_in_t> &in, hls::stream<\(n)_out_t> &out); "
                + "void bnn_probe_\(n)() { hls::stream<\(n)_in_t> in(\"in\"); hls::stream<\(n)_out_t> out(\"out\"); ::\(n)(in, out); (void)\(n)_io::INPUT_ELEMENTS; }\n"
        }
        try probe.write(to: dir.appendingPathComponent("probe.cpp"), atomically: true, encoding: .utf8)
        let result = try runProcess("g++", ["-std=gnu++14", "-fsyntax-only", "-fmax-errors=0", "-fno-finite-loops", "-Wall", "-Wextra", "-Werror",
                                            "-Wno-unknown-pragmas"] + flags + ["probe.cpp"], in: dir.path)
        var failing = Set<String>()
        for line in result.output.split(separator: "\n") where line.hasPrefix("probe.cpp:") && line.contains(": error:") {
            let number = Int(line.dropFirst(10).prefix { $0.isNumber }) ?? 0
            guard let owner = lineOwner[number] else { return XCTFail("an error outside the candidates: \(line)") }
            failing.insert(owner)
        }
        XCTAssertEqual(failing.intersection(controls).sorted(), controls.sorted(), "the probe does not detect clashes")
        XCTAssertEqual(failing.subtracting(controls).sorted(), [], "names the loader accepts but g++ refuses in a generated project")
    }
}
