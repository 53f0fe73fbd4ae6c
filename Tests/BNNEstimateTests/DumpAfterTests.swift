import BNNCommandLine
import Foundation
import XCTest

/// `--dump-after`: the folding and the dataflow graph as JSON, the same the project is built from.
final class DumpAfterTests: XCTestCase {
    func bnnHLS(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        var out = "", err = ""
        let status = CommandLineTool.run(args, print: { out += $0 + "\n" }, printError: { err += $0 + "\n" })
        return (status, out, err)
    }

    /// The dataflow dump's streams are the committed hw/ project's: one per stage but the last,
    /// in call order, with the width and `#pragma HLS STREAM` depth the generated C++ declares.
    func testDataflowDumpMatchesTheCommittedProjectsStreams() throws {
        let run = bnnHLS(["compile", TestModels.digitsMLP, "--dump-after", "dataflow"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let stages = try XCTUnwrap(root["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.map { $0["function"] as? String }, ["Mvau", "StreamWidthConverter", "Mvau", "StreamWidthConverter", "Mvau"])
        for (i, stage) in stages.enumerated() {
            XCTAssertEqual(stage["inputs"] as? [String], i == 0 ? [] : [stages[i - 1]["id"] as? String ?? ""])
        }
        let cpp = try String(contentsOf: TestModels.repo.appendingPathComponent("hw/src/digits_mlp.cpp"), encoding: .utf8)
        let declared = cpp.split(separator: "\n").filter { $0.contains("hls::stream<ap_uint<") && $0.contains("(\"s") }
            .map { Int($0.split(separator: "<")[2].split(separator: ">")[0]) }
        let depths = cpp.split(separator: "\n").filter { $0.hasPrefix("#pragma HLS STREAM") }.map { Int($0.split(separator: "=").last ?? "") }
        XCTAssertEqual(declared, stages.dropLast().map { $0["output_width"] as? Int })
        XCTAssertEqual(depths, stages.dropLast().map { $0["fifo_depth"] as? Int })
        XCTAssertTrue(stages.last?["fifo_depth"] is NSNull)
    }

    /// The folding dump is the folding.json `estimate -o` writes; nothing is written.
    func testFoldingDumpIsFoldingJSONAndUnknownStagesAreUsageErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-dump-\(ProcessInfo.processInfo.processIdentifier)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = bnnHLS(["estimate", TestModels.digitsCNN, "--budget", "xc7z020", "-o", dir])
        XCTAssertEqual(written.status, 0, written.stderr)
        let dumped = bnnHLS(["estimate", TestModels.digitsCNN, "--budget", "xc7z020", "--dump-after", "folding", "-o", dir + "-not"])
        XCTAssertEqual(dumped.status, 0, dumped.stderr)
        XCTAssertEqual(dumped.stdout, try String(contentsOfFile: dir + "/folding.json", encoding: .utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "-not"))
        let bad = bnnHLS(["compile", TestModels.digitsMLP, "--dump-after", "fused"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr.split(separator: "\n").first, "bnn-hls: usage error: --dump-after expects one of folding, dataflow, got \"fused\"")
    }
}
