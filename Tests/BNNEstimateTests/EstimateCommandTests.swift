import BNNCommandLine
import Foundation
import XCTest

/// `bnn-hls estimate` and the optimizer options of `compile`, as a user meets them.
final class EstimateCommandTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-estimate-\(ProcessInfo.processInfo.processIdentifier)-\(name.filter { $0.isLetter })")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    func bnnHLS(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        var out = "", err = ""
        let status = CommandLineTool.run(args, print: { out += $0 + "\n" }, printError: { err += $0 + "\n" })
        return (status, out, err)
    }

    func testEstimatePrintsTheReportAndWritesItWithAFoldingThatCompileTakesBack() throws {
        let plain = bnnHLS(["estimate", TestModels.digitsCNN])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.contains("## Layers"), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("cycles/frame"), plain.stdout)
        let dir = scratch.appendingPathComponent("est").path
        let chosen = bnnHLS(["estimate", TestModels.digitsCNN, "--budget", "lut=6000,bram=4", "-o", dir])
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssertTrue(chosen.stdout.contains("Folding chosen automatically: maximum throughput within 6000 LUTs, 4 BRAM18"), chosen.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(files, ["bnn-hls-output.txt", "folding.json", "report.json", "report.md", "report.svg"])
        let folding = try String(contentsOfFile: dir + "/folding.json", encoding: .utf8)
        // The chosen folding compiles back to the same design and report.
        let hw = scratch.appendingPathComponent("hw").path
        let compiled = bnnHLS(["compile", TestModels.digitsCNN, "--fold", dir + "/folding.json", "-o", hw, "--vectors", "2"])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        XCTAssertEqual(try String(contentsOfFile: hw + "/folding.json", encoding: .utf8), folding)
        let estimated = try String(contentsOfFile: dir + "/report.svg", encoding: .utf8)
        XCTAssertEqual(try String(contentsOfFile: hw + "/report.svg", encoding: .utf8), estimated)
        XCTAssertTrue(compiled.stdout.contains("estimate: "), compiled.stdout)
        // Same input, same bytes.
        let again = scratch.appendingPathComponent("est2").path
        XCTAssertEqual(bnnHLS(["estimate", TestModels.digitsCNN, "--budget", "lut=6000,bram=4", "-o", again]).status, 0)
        for file in files where file != "bnn-hls-output.txt" {
            XCTAssertEqual(FileManager.default.contents(atPath: dir + "/" + file), FileManager.default.contents(atPath: again + "/" + file), file)
        }
    }

    func testCompileWritesTheReportsAndHonoursATarget() throws {
        let hw = scratch.appendingPathComponent("hw").path
        let result = bnnHLS(["compile", TestModels.digitsMLP, "-o", hw, "--vectors", "2", "--target-fps", "200000", "--fold", "fc1=16x16"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for file in ["report.json", "report.md", "report.svg"] { XCTAssertTrue(FileManager.default.fileExists(atPath: hw + "/" + file), file) }
        let folding = try String(contentsOfFile: hw + "/folding.json", encoding: .utf8)
        XCTAssertTrue(folding.contains("\"fc1\": {\"pe\": 16, \"simd\": 16}"), folding)
        let report = try String(contentsOfFile: hw + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("Folding chosen automatically: at least 200000 frames/s."), report)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: hw + "/report.json"))) as? [String: Any]
        let fps = (json?["throughput"] as? [String: Any])?["frames_per_second"] as? Double ?? 0
        XCTAssertGreaterThanOrEqual(fps, 200000)
    }

    func testBadOptionsAreUsageErrorsAndImpossibleAsksAreErrors() {
        let cases: [(args: [String], status: Int32, message: String)] = [
            (["estimate", TestModels.digitsMLP, "--budget", "lots"], 2, "--budget: unknown device \"lots\""),
            (["estimate", TestModels.digitsMLP, "--budget", "lut=-3"], 2, "--budget: lut expects a non-negative integer"),
            (["estimate", TestModels.digitsMLP, "--budget", "lut=1,,bram=2"], 2, "--budget expects a device"),
            (["estimate", TestModels.digitsMLP, "--target-fps", "fast"], 2, "--target-fps expects a positive number"),
            (["estimate", TestModels.digitsMLP, "--frobnicate"], 2, "unknown option --frobnicate for estimate"),
            (["estimate", "--budget", "xc7z020"], 2, "estimate needs a model file"),
            (["estimate", TestModels.digitsMLP, "--target-fps", "1e9"], 1, "--target-fps: error: 1000000000 frames/s at 10 ns allows 0 cycles per frame"),
            (["estimate", TestModels.digitsMLP, "--budget", "lut=10"], 1, "--budget: error: no folding fits 10 LUTs"),
            (["compile", TestModels.digitsMLP, "-o", scratch.appendingPathComponent("never").path, "--budget", "xc7z010,lut=5"], 1, "--budget: error: no folding fits 5 LUTs, 120 BRAM18"),
        ]
        for c in cases {
            let outcome = bnnHLS(c.args)
            XCTAssertEqual(outcome.status, c.status, "\(c.args): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(c.message), "expected \"\(c.message)\" in: \(outcome.stderr)")
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, c.status == 2 ? 2 : 1, outcome.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("never").path))
        // Extreme but valid numbers are answered, not trapped on.
        XCTAssertEqual(bnnHLS(["estimate", TestModels.digitsMLP, "--target-fps", "1e-300"]).status, 0)
        XCTAssertEqual(bnnHLS(["estimate", TestModels.digitsMLP, "--clock-ns", "1e-300"]).status, 0)
        XCTAssertEqual(bnnHLS(["estimate", TestModels.digitsMLP, "--clock-ns", "1e300", "--target-fps", "1e-300"]).status, 0)
    }
}
