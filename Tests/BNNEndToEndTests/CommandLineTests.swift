import BNNCommandLine
import Foundation
import XCTest

/// The `bnn-hls` commands as a user meets them: exit codes, one-line errors naming file,
/// layer and key, nothing written on failure, byte-identical output on repeat.
final class CommandLineTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = try TestPaths.temporaryDirectory("cli-\(name.filter { $0.isLetter })")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func bnnHLS(_ args: [String]) -> Outcome {
        var out = "", err = ""
        let status = CommandLineTool.run(args, print: { out += $0 + "\n" }, printError: { err += $0 + "\n" })
        return Outcome(status: status, stdout: out, stderr: err)
    }

    var digits: String { TestPaths.inRepo("Examples/digits_mlp/model.json") }

    /// Every command answers `--help`/`-h` (also after other arguments) and `help COMMAND` with its
    /// own synopsis and only the options it accepts, exit 0, nothing on stderr.
    func testEveryCommandAnswersHelp() {
        let accepts = ["compile": "--vectors", "estimate": "--target-fps", "simulate": "--labels", "verify": "--random"]
        let refuses = ["compile": "--random", "estimate": "--inputs", "simulate": "--vectors", "verify": "--budget"]
        for command in ["compile", "estimate", "simulate", "verify"] {
            for args in [[command, "--help"], [command, "-h"], [command, digits, "--fold", "x", "--help"], ["help", command]] {
                let outcome = bnnHLS(args)
                XCTAssertEqual(outcome.status, 0, "\(args)")
                XCTAssertEqual(outcome.stderr, "", "\(args)")
                XCTAssertTrue(outcome.stdout.hasPrefix("usage: bnn-hls \(command)"), "\(args): \(outcome.stdout)")
                XCTAssertTrue(outcome.stdout.contains("  \(accepts[command]!) "), "\(args)")
                XCTAssertFalse(outcome.stdout.contains("  \(refuses[command]!) "), "\(args)")
            }
        }
        let unknown = bnnHLS(["help", "frobnicate"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no command \"frobnicate\""))
    }

    func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }

    func contents(of dir: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let base = URL(fileURLWithPath: dir)
        for case let rel as String in FileManager.default.enumerator(atPath: dir) ?? FileManager.default.enumerator(atPath: "/nonexistent")! {
            let url = base.appendingPathComponent(rel)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                result[rel] = FileManager.default.contents(atPath: url.path)
            }
        }
        return result
    }

    func testCompileIsDeterministicAndReplacesOnlyOurOutput() throws {
        let a = path("a"), b = path("b")
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", a]).status, 0)
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", b]).status, 0)
        let first = try contents(of: a)
        XCTAssertEqual(first, try contents(of: b))
        XCTAssertFalse(first.isEmpty)
        for (name, data) in first {
            XCTAssertFalse(String(decoding: data, as: UTF8.self).contains(scratch.path), "\(name) holds an absolute path")
        }
        // Recompiling over our own output works; a foreign directory is refused untouched.
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", a]).status, 0)
        XCTAssertEqual(try contents(of: a), first)
        let foreign = path("foreign")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        _ = write("foreign/notes.txt", "mine")
        let refused = bnnHLS(["compile", digits, "-o", foreign])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("does not look like bnn-hls output"), refused.stderr)
        XCTAssertEqual(try contents(of: foreign).keys.sorted(), ["notes.txt"])
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", foreign, "--force"]).status, 0)
    }

    func testFoldingFileRoundTrips() throws {
        let out = path("fold")
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", out, "--fold", "fc1=8x4,fc2=16x32"]).status, 0)
        let folding = try String(contentsOfFile: out + "/folding.json", encoding: .utf8)
        XCTAssertTrue(folding.contains("\"fc1\": {\"pe\": 8, \"simd\": 4}"), folding)
        let again = path("fold2")
        XCTAssertEqual(bnnHLS(["compile", digits, "-o", again, "--fold", out + "/folding.json"]).status, 0)
        XCTAssertEqual(try contents(of: again)["folding.json"], try contents(of: out)["folding.json"])
    }

    func testBadInputsFailCleanlyAndWriteNothing() throws {
        let out = path("never")
        let bn = #"{"type": "batchnorm", "name": "bn1", "gamma": 1, "beta": 0, "mean": 0, "var": [1, -0.2]}"#
        let cases: [(args: [String], status: Int32, message: String)] = [
            (["compile", write("bad_var.json", model(layers: [dense(2, 2), bn, #"{"type": "sign"}"#, dense(2, 2)])), "-o", out], 1,
             "bad_var.json: error: layers[1] (bn1).var[1]: must be >= 0, got -0.2"),
            (["compile", write("gama.json", model(layers: [dense(2, 2), #"{"type": "batchnorm", "gama": 1, "beta": 0, "mean": 0, "var": 1}"#, dense(2, 2)])), "-o", out], 1,
             #"gama.json: error: layers[1] (batchnorm).gama: unknown key "gama" in a batchnorm layer (did you mean "gamma"?)"#),
            (["compile", write("chain.json", model(layers: [dense(2, 2), #"{"type": "sign"}"#, dense(2, 3)])), "-o", out], 1,
             "chain.json: error: layers[2] (dense).weight: expected shape [2, 2]"),
            (["compile", write("two_dense.json", model(layers: [dense(2, 2), dense(2, 2)])), "-o", out], 1,
             "two_dense.json: error: layers[1] (dense): dense layer follows layers[0] (dense) without a sign in between"),
            (["compile", write("trailing.json", model(layers: [dense(2, 2), #"{"type": "sign"}"#])), "-o", out], 1,
             "trailing.json: error: layers[1] (sign): the network must end with dense [batchnorm]"),
            (["compile", write("empty.json", ""), "-o", out], 1, "empty.json"),
            // 0 * inf = NaN would make the decision non-monotone: refused, not miscompiled.
            (["compile", write("overflow.json", model(layers: [
                #"{"type": "dense", "name": "fc1", "units": 2, "weight": [[1, 1], [1, 1]], "alpha": [1, -1e308]}"#,
                #"{"type": "batchnorm", "gamma": 0, "beta": 0, "mean": 0, "var": 1}"#, #"{"type": "sign"}"#, dense(2, 2)])), "-o", out], 1,
             "overflow.json: error: layers[0] (fc1) output 1: float64 overflow: an intermediate value becomes inf for the sum -2"),
            (["compile", path("missing.json"), "-o", out], 1, "missing.json: error: no such file"),
            (["compile", digits, "-o", out, "--fold", "fc9=1x1"], 1, #"--fold: error: fc9: no dense or conv2d layer called "fc9""#),
            (["compile", digits, "-o", out, "--fold", "fc1=300x1"], 1, "--fold: error: fc1: PE 300 is more than MH = 256"),
            // 64x256 + 256x256 + 256x10 = 84480 bits fit; padding fc3's 10 rows to 12 for PE 3 does not.
            (["compile", digits, "-o", out, "--fold", "fc3=3x64", "--max-weight-bits", "84480"], 1,
             "error: layers: the design's weight ROMs would hold 84992 bits, over the limit of 84480"),
            (["compile", digits, "-o", out, "--fold", "fc1"], 2, "--fold expects LAYER=PExSIMD"),
            (["compile", digits, "--frobnicate"], 2, "unknown option --frobnicate"),
            (["frobnicate", digits], 2, "unknown command"),
            (["simulate", digits], 2, "simulate needs --inputs"),
            (["simulate", digits, "--inputs", TestPaths.inRepo("Examples/digits_mlp/test_labels.npy")], 1, "test_labels.npy: error: shape [360] does not fit the model's input"),
            (["simulate", digits, "--inputs", write("junk.npy", "not numpy")], 1, "junk.npy: error: not a .npy file"),
        ]
        for c in cases {
            let outcome = bnnHLS(c.args)
            XCTAssertEqual(outcome.status, c.status, "\(c.args): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(c.message), "expected \"\(c.message)\" in: \(outcome.stderr)")
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, c.status == 2 ? 2 : 1, outcome.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(c.args) created the output directory")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary directories left behind")
    }

    /// Each trained example reaches, through the simulator, exactly the accuracy its Python
    /// reference measured, and verify finds reference and simulator identical.
    func testSimulateAndVerifyTheExamples() throws {
        let inputs = TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy")
        let labels = TestPaths.inRepo("Examples/digits_mlp/test_labels.npy")
        for example in ["digits_mlp", "digits_cnn"] {
            let model = TestPaths.inRepo("Examples/\(example)/model.json")
            let output = path("\(example)_logits.npy")
            let simulated = bnnHLS(["simulate", model, "--inputs", inputs, "--labels", labels, "--output", output])
            XCTAssertEqual(simulated.status, 0, simulated.stderr)
            let data = try Data(contentsOf: URL(fileURLWithPath: TestPaths.inRepo("Examples/\(example)/expected_accuracy.json")))
            let correct = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["test_correct"] as? Int ?? -1
            XCTAssertTrue(simulated.stdout.contains("accuracy: \(correct)/360"), "\(example): \(simulated.stdout)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: output))
            for variant in ["model.json", "model_argmax.json"] {
                let verified = bnnHLS(["verify", TestPaths.inRepo("Examples/\(example)/\(variant)"), "--inputs", inputs, "--random", "100"])
                XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
                XCTAssertTrue(verified.stdout.contains("agree on all 360 inputs"), verified.stdout)
                XCTAssertTrue(verified.stdout.contains("agree on all 100 inputs"), verified.stdout)
            }
        }
    }

    /// hw/ holds the flagship example's design; regenerate it with the README's command.
    func testCheckedInHardwareIsFresh() throws {
        let fresh = path("hw")
        let result = bnnHLS(["compile", digits, "--inputs", TestPaths.inRepo("Examples/digits_mlp/test_inputs.npy"), "-o", fresh])
        XCTAssertEqual(result.status, 0, result.stderr)
        let generated = try contents(of: fresh)
        let committed = try contents(of: TestPaths.inRepo("hw"))
        for (name, data) in generated {
            XCTAssertEqual(committed[name], data, "hw/\(name) is stale: run swift run bnn-hls compile Examples/digits_mlp/model.json --inputs Examples/digits_mlp/test_inputs.npy -o hw")
        }
    }

    private func dense(_ units: Int, _ inputs: Int) -> String {
        let row = "[" + Array(repeating: "1", count: inputs).joined(separator: ", ") + "]"
        return #"{"type": "dense", "units": \#(units), "weight": [\#(Array(repeating: row, count: units).joined(separator: ", "))]}"#
    }

    private func model(layers: [String]) -> String {
        #"{"format": "bnn-hls-model", "version": 1, "name": "m", "input": {"shape": [2], "encoding": "bipolar"}, "layers": [\#(layers.joined(separator: ", "))]}"#
    }
}
