import BNNCommandLine
import BNNModel
import BNNTestSupport
import Foundation
import XCTest

/// Layer names, labels and a model file name built to break out of every generated file
/// (Tests/Corpus/hostile_names_*.json), in projects whose model names (`io`, `int8`) are near
/// misses of refused ones: compiled by the real command line, built and run with `make` in a
/// sandbox. The testbenches must pass, nothing may appear outside the output directories, and
/// every file must hold the text only in its escaped form.
final class HostileNameTests: XCTestCase {
    func testHostileNamesStayInside() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let sandbox = try TestPaths.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let models = ["hostile_names_mlp.json", "hostile_names_cnn.json"]
        var networks: [Network] = []
        // The model file's own name reaches comments, README.md and the marker file.
        let modelFiles = models.indices.map { "m\($0) \\\n$(shell touch pwned_file) [exec touch pwned] `x` <b> ??=\\.json" }
        for (i, corpusFile) in models.enumerated() {
            let modelPath = sandbox.appendingPathComponent(modelFiles[i]).path
            try Data(contentsOf: URL(fileURLWithPath: TestPaths.inRepo("Tests/Corpus/" + corpusFile))).write(to: URL(fileURLWithPath: modelPath))
            networks.append(try ModelLoader().load(path: modelPath))
            var errors = ""
            let status = CommandLineTool.run(["compile", modelPath, "--vectors", "16", "-o", sandbox.appendingPathComponent("out\(i)").path],
                                             print: { _ in }, printError: { errors += $0 + "\n" })
            XCTAssertEqual(status, 0, errors)
        }
        XCTAssertEqual(networks.map(\.name), ["io", "int8"])
        let generated = try models.indices.map { try files(under: sandbox.appendingPathComponent("out\($0)")) }
        let outside = try files(under: sandbox).filter { !$0.hasPrefix("out0/") && !$0.hasPrefix("out1/") }

        let results = ResultList(count: models.count)
        DispatchQueue.concurrentPerform(iterations: models.count) { i in
            let dir = sandbox.appendingPathComponent("out\(i)").path
            results.set(i, (try? runProcess("make", ["-s", "HLS_INCLUDE=\(include)"], in: dir)) ?? (-1, "could not run make"))
        }
        for i in models.indices {
            let (status, output) = results.get(i)
            XCTAssertEqual(status, 0, "\(models[i]): \(output.suffix(3000))")
            XCTAssertTrue(output.contains("16 passed, 0 failed"), "\(models[i]): \(output.suffix(2000))")
        }
        // make created only its build products and the testbench's output, and nothing elsewhere.
        let all = try files(under: sandbox)
        XCTAssertEqual(all.filter { !$0.hasPrefix("out0/") && !$0.hasPrefix("out1/") }, outside)
        for i in models.indices {
            let added = Set(try files(under: sandbox.appendingPathComponent("out\(i)"))).subtracting(generated[i]).sorted()
            XCTAssertEqual(added, ["build/\(networks[i].name)_tb", "vectors/produced.txt"])
        }
        XCTAssertEqual(all.filter { $0.contains("pwned") }, modelFiles)

        for (i, network) in networks.enumerated() {
            let out = sandbox.appendingPathComponent("out\(i)")
            func text(_ path: String) throws -> String { try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8) }
            let userText = network.layers.compactMap(\.name) + (network.labels ?? [])
            // No user text at all where a shell, make or Tcl would read it.
            for path in ["Makefile", "run_hls.tcl", "hls_config.cfg", "ip.tcl", "board.tcl"] {
                let body = try text(path)
                for name in userText { XCTAssertFalse(body.contains(name), "\(path) holds \(name)") }
                XCTAssertFalse(body.contains("pwned"), path)
            }
            // C++: printable ASCII, no backslash-newline, no trigraph.
            let name = network.name
            for path in ["src/\(name).cpp", "src/\(name).hpp", "src/\(name)_params.hpp", "tb/\(name)_tb.cpp", "src/\(name)_board.cpp", "driver/\(name)_driver_lib.cpp"] {
                let body = try text(path)
                XCTAssertTrue(body.unicodeScalars.allSatisfy { $0.isASCII }, path)
                XCTAssertFalse(body.contains("\\\n") || body.contains("??"), path)
            }
            // Markdown: no raw HTML, and every table row has as many cells as its header.
            for path in ["README.md", "report.md"] {
                let body = try text(path)
                for tag in ["<script", "<svg", "<b>"] {
                    XCTAssertFalse(body.components(separatedBy: tag).dropLast().contains { !$0.hasSuffix("\\") }, "\(path) holds a raw \(tag)")
                }
                var cells: Int?
                for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                    guard line.hasPrefix("|") else { cells = nil; continue }
                    let count = unescapedPipes(line)
                    if let cells { XCTAssertEqual(count, cells, "\(path): \(line)") } else { cells = count }
                }
            }
            let svg = try text("report.svg")
            XCTAssertFalse(svg.contains("<script") || svg.contains("<svg onload"), "report.svg")
            // JSON round-trips the names exactly.
            let folding = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("folding.json"))) as? [String: Any]
            let computeNames = network.layers.filter {
                if case .dense = $0.kind { return true }
                if case .conv2d = $0.kind { return true }
                return false
            }.compactMap(\.name)
            XCTAssertEqual(Set(folding?.keys.map { $0 } ?? []), Set(computeNames))
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))))
            let driver = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("driver/design.json"))) as? [String: Any]
            XCTAssertEqual((driver?["output"] as? [String: Any])?["labels"] as? [String], network.labels, "driver/design.json labels")
        }
    }

    /// Relative paths of the regular files under `root`, sorted.
    func files(under root: URL) throws -> [String] {
        var result: [String] = []
        for case let relative as String in FileManager.default.enumerator(atPath: root.path)?.allObjects ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(relative)
            }
        }
        return result.sorted()
    }

    /// Cell separators of a Markdown table row: `|` not escaped by a backslash.
    func unescapedPipes(_ line: Substring) -> Int {
        var count = 0
        var escaped = false
        for c in line {
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "|" { count += 1 }
        }
        return count
    }
}
