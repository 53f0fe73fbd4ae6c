import BNNCommandLine
import BNNEmit
import Foundation
import XCTest

/// `bnn-hls pack-weights` as a user meets it: the file a `--runtime-weights` compile of the same
/// model and folding loads (its own vectors/weights.bin, byte for byte), another folding's file
/// refused, bad input refused with nothing written, same bytes on repeat.
final class PackWeightsCommandTests: XCTestCase {
    func run(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        var out = "", err = ""
        let status = CommandLineTool.run(args, print: { out += $0 + "\n" }, printError: { err += $0 + "\n" })
        return (status, out, err)
    }

    func testPackedFileIsWhatTheCompiledDesignLoads() throws {
        let scratch = try TestPaths.temporaryDirectory("pack-weights")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = TestPaths.inRepo("Examples/digits_cnn/model.json")
        let hw = scratch.appendingPathComponent("hw").path
        let compiled = run(["compile", model, "-o", hw, "--vectors", "2", "--runtime-weights", "--fold", "conv1=4x3"])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        let packed = scratch.appendingPathComponent("w.bin").path
        let first = run(["pack-weights", model, "--fold", "conv1=4x3", "-o", packed])
        XCTAssertEqual(first.status, 0, first.stderr)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: packed))
        XCTAssertEqual(bytes, FileManager.default.contents(atPath: hw + "/vectors/weights.bin"))
        // The header's signature and word count are the ones the generated header defines.
        let header = try String(contentsOfFile: hw + "/src/digits_cnn.hpp", encoding: .utf8)
        let image = try WeightFile.decode([UInt8](bytes), signature: bytes.prefix(16).suffix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) },
                                          expectedWords: (bytes.count - WeightFile.headerBytes) / 4)
        XCTAssertTrue(header.contains("#define digits_cnn_WEIGHT_SIGNATURE 0x\(WeightFile.hex(image.signature))ULL"), header)
        XCTAssertTrue(header.contains("#define digits_cnn_WEIGHT_WORDS \(image.words.count)ULL"), header)
        XCTAssertTrue(first.stdout.contains("\(image.words.count) words"), first.stdout)
        // Same input, same bytes.
        XCTAssertEqual(run(["pack-weights", model, "--fold", "conv1=4x3", "-o", packed]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: packed), bytes)

        // Another folding: another signature, which the design's loader refuses.
        let other = scratch.appendingPathComponent("other.bin").path
        XCTAssertEqual(run(["pack-weights", model, "-o", other]).status, 0)
        let otherBytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: other)))
        XCTAssertThrowsError(try WeightFile.decode(otherBytes, signature: image.signature, expectedWords: image.words.count)) { error in
            XCTAssertTrue("\(error)".hasPrefix("weights of another topology or folding"), "\(error)")
        }

        // Bad input: one line naming the file, exit 1, the previous file untouched.
        let bad = TestPaths.inRepo("Tests/Corpus/negative_var.json")
        let refused = run(["pack-weights", bad, "-o", packed])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("negative_var.json: error:"), refused.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: packed), bytes)
        let fresh = scratch.appendingPathComponent("fresh.bin").path
        XCTAssertEqual(run(["pack-weights", bad, "-o", fresh]).status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), ["hw", "other.bin", "w.bin"])
        // Usage errors: exit 2.
        XCTAssertEqual(run(["pack-weights", model, "--vectors", "3"]).status, 2)
    }

    /// The ROM design (no flag) has no weights port, no weights file and no loader headers.
    func testDefaultCompileKeepsROMs() throws {
        let scratch = try TestPaths.temporaryDirectory("rom-default")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let hw = scratch.appendingPathComponent("hw").path
        XCTAssertEqual(run(["compile", TestPaths.inRepo("Examples/digits_mlp/model.json"), "-o", hw, "--vectors", "2"]).status, 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: hw)
        XCTAssertFalse(files.contains { $0.contains("weight") }, "\(files)")
        let top = try String(contentsOfFile: hw + "/src/digits_mlp.hpp", encoding: .utf8)
        XCTAssertFalse(top.contains("RUNTIME_WEIGHTS"))
    }
}
