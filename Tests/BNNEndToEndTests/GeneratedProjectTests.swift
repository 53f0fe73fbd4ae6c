import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNRandomModels
import BNNTestSupport
import Foundation
import XCTest

/// Builds generated projects with g++ against Xilinx's real headers and runs their own
/// testbenches, whose expected outputs come from the reference network. Each project is
/// compiled once and runs all its vectors; two builds run at a time.
final class GeneratedProjectTests: XCTestCase {
    static func hlsInclude() throws -> String {
        let found = BNNTestSupport.hlsInclude(repo: TestPaths.repo)
        guard let path = found.path else { throw XCTSkip("cannot fetch the HLS headers: \(found.reason)") }
        return path
    }

    struct Project {
        var name: String
        var network: Network
        var folding: FoldingRequest
        var vectors: Int
    }

    static func projects() throws -> [Project] {
        var list: [Project] = []
        let digits = try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_mlp/model.json"))
        list.append(Project(name: "digits_default", network: digits, folding: FoldingRequest(), vectors: 40))
        let digitsArgmax = try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_mlp/model_argmax.json"))
        // Padded: 256 rows in folds of 7, 256 columns in words of 100, 10 classes in words of 3.
        list.append(Project(name: "digits_argmax_padded", network: digitsArgmax,
                            folding: FoldingRequest(entries: [("fc1", Folding(pe: 4, simd: 1)), ("fc2", Folding(pe: 7, simd: 100)), ("fc3", Folding(pe: 3, simd: 256))]), vectors: 40))
        let cnn = try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_cnn/model.json"))
        list.append(Project(name: "digits_cnn_default", network: cnn, folding: FoldingRequest(), vectors: 40))
        let cnnArgmax = try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_cnn/model_argmax.json"))
        // Padded: SIMD above the channels (window repacks, the 8-bit zero point as padding), 32
        // filters in folds of 7 through the pool, 10 classes in words of 3 into the argmax.
        list.append(Project(name: "digits_cnn_argmax_padded", network: cnnArgmax,
                            folding: FoldingRequest(entries: [("conv1", Folding(pe: 5, simd: 4)), ("conv2", Folding(pe: 7, simd: 20)), ("fc3", Folding(pe: 3, simd: 50))]), vectors: 40))
        // CNV with the folding the optimizer finds at BNN-PYNQ's 2272 MACs/cycle and BRAM (1.2x
        // its frames/s, padded), on two frames: its C simulation is slow.
        let cnv = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11), file: "cnv.json")
        list.append(Project(name: "cnv", network: cnv, folding: try CNVTests.optimizedFolding(cnv), vectors: 2))
        for (i, (name, options)) in SimulatorEquivalenceTests.cases().enumerated() {
            var random = RandomNetworks(seed: UInt64(100 + i))
            let network = random.network(options, name: "net\(i)")
            let integer = try Pipeline(file: "r.json").run(network).integer
            let foldings = SimulatorEquivalenceTests.foldings(integer)
            list.append(Project(name: "random\(i)_\(name.split(separator: " ").first ?? "")", network: network,
                                folding: foldings[i % foldings.count], vectors: 30))
            // And every one padded (PE and SIMD dividing nothing), unless that was the folding above.
            if i % foldings.count != foldings.count - 1 {
                list.append(Project(name: "random\(i)_padded", network: network,
                                    folding: FoldingRequest(entries: SimulatorEquivalenceTests.padded(integer)), vectors: 30))
            }
        }
        return list
    }

    func testProjectsPassTheirTestbenches() throws {
        let include = try Self.hlsInclude()
        let root = try TestPaths.temporaryDirectory("projects")
        defer { try? FileManager.default.removeItem(at: root) }
        let projects = try Self.projects()
        try Self.buildAndRun(projects, in: root, include: include)
        // The testbench really checks: a wrong expected value must fail it.
        let dir = root.appendingPathComponent(projects[0].name)
        let expectedURL = dir.appendingPathComponent("vectors/expected.txt")
        var lines = try String(contentsOf: expectedURL, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = lines[1].split(separator: " ").map(String.init)
        fields[0] = String((Int(fields[0]) ?? 0) + 2)
        lines[1] = fields.joined(separator: " ")
        try (lines.joined(separator: "\n") + "\n").write(to: expectedURL, atomically: true, encoding: .utf8)
        let tampered = try runProcess("./build/\(projects[0].network.cName)_tb", ["vectors"], in: dir.path)
        XCTAssertEqual(tampered.status, 1, tampered.output)
        XCTAssertTrue(tampered.output.contains("\(projects[0].vectors - 1) passed, 1 failed"), tampered.output)
    }

    /// Emits every project under `root`, builds and runs each testbench with make (two at a
    /// time) and checks that every vector passed.
    static func buildAndRun(_ projects: [Project], in root: URL, include: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        try emit(projects, in: root)
        let results = ResultList(count: projects.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for p in stride(from: worker, to: projects.count, by: 2) {
                let dir = root.appendingPathComponent(projects[p].name).path
                results.set(p, (try? runProcess("make", ["-s", "HLS_INCLUDE=\(include)"], in: dir)) ?? (-1, "could not run make"))
            }
        }
        for (p, project) in projects.enumerated() {
            let (status, output) = results.get(p)
            XCTAssertEqual(status, 0, "\(project.name): \(output.suffix(3000))", file: file, line: line)
            XCTAssertTrue(output.contains("\(project.vectors) passed, 0 failed"), "\(project.name): \(output.suffix(2000))", file: file, line: line)
        }
    }

    /// Reference == simulator on the frames each project's testbench gets (`emit` draws them
    /// with seed 9): every hidden code, integer sum, logit (bit for bit) and prediction. `check`
    /// adds the caller's assertions on each compiled design. Returns the frames checked.
    static func assertSimulatorAgrees(_ projects: [Project], file: StaticString = #filePath, line: UInt = #line,
                                      check: (Project, Design) -> Void = { _, _ in }) throws -> Int {
        var agreements = 0
        for project in projects {
            let design = try Pipeline(file: "\(project.name).json", folding: project.folding).compile(project.network)
            check(project, design)
            let batch = InputBatch.random(count: project.vectors, for: project.network, seed: 9)
            let report = try Verifier(network: project.network, design: design).run(batch, keep: .max)
            XCTAssertEqual(report.checked, project.vectors, project.name, file: file, line: line)
            XCTAssertTrue(report.mismatches.isEmpty, "\(project.name): \(report.mismatches.prefix(3))", file: file, line: line)
            agreements += report.checked
        }
        return agreements
    }

    /// Writes each project, with test vectors from the reference, under `root/<name>`.
    static func emit(_ projects: [Project], in root: URL) throws {
        for project in projects {
            let design = try Pipeline(file: "\(project.name).json", folding: project.folding).compile(project.network)
            let batch = InputBatch.random(count: project.vectors, for: project.network, seed: 9)
            let vectors = try Verifier(network: project.network, design: design).testVectors(batch)
            let files = try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: "\(project.name).json"))
            for generated in files {
                let url = root.appendingPathComponent(project.name).appendingPathComponent(generated.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(generated.contents).write(to: url)
            }
        }
    }

    /// pad_value +-1 on the 8-bit input layer (thresholds by border class): two small CNNs, one
    /// padded asymmetrically with -1 at stride 2 on int8 (with a padded folding), one +1-padded
    /// 5x5 on uint8 with a pool before the batchnorm; expected outputs from the reference.
    func testEightBitPaddedProjects() throws {
        let include = try Self.hlsInclude()
        let root = try TestPaths.temporaryDirectory("padded8")
        defer { try? FileManager.default.removeItem(at: root) }
        var projects: [Project] = []
        for i in [1, 2] {
            let (_, options) = EightBitPaddingTests.cases()[i]
            var random = RandomNetworks(seed: UInt64(700 + i))
            let network = random.network(options, name: "pad8_\(i)")
            let integer = try Pipeline(file: "r.json").run(network).integer
            let folding = i == 1 ? FoldingRequest(entries: SimulatorEquivalenceTests.padded(integer)) : FoldingRequest()
            projects.append(Project(name: "pad8_\(i)", network: network, folding: folding, vectors: 40))
        }
        try Self.buildAndRun(projects, in: root, include: include)
    }

    /// The generated testbench of an MLP and of a CNN under AddressSanitizer and UBSan
    /// (`make sanitize`): no memory error, no undefined behaviour, still matching the reference.
    func testTestbenchesUnderSanitizers() throws {
        let include = try Self.hlsInclude()
        let root = try TestPaths.temporaryDirectory("sanitize")
        defer { try? FileManager.default.removeItem(at: root) }
        let models = ["digits_mlp", "digits_cnn"]
        for name in models {
            let network = try ModelLoader().load(path: TestPaths.inRepo("Examples/\(name)/model.json"))
            let design = try Pipeline(file: "\(name).json").compile(network)
            let vectors = try Verifier(network: network, design: design).testVectors(InputBatch.random(count: 12, for: network, seed: 3))
            for file in try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: "\(name).json")) {
                let url = root.appendingPathComponent(name).appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
            }
        }
        let results = ResultList(count: models.count)
        DispatchQueue.concurrentPerform(iterations: models.count) { i in
            let dir = root.appendingPathComponent(models[i]).path
            results.set(i, (try? runProcess("make", ["-s", "sanitize", "HLS_INCLUDE=\(include)"], in: dir)) ?? (-1, "could not run make"))
        }
        for (i, name) in models.enumerated() {
            let (status, output) = results.get(i)
            XCTAssertEqual(status, 0, "\(name): \(output.suffix(3000))")
            XCTAssertTrue(output.contains("12 passed, 0 failed"), "\(name): \(output.suffix(2000))")
            XCTAssertFalse(output.contains("runtime error"), "\(name): \(output.suffix(2000))")
        }
    }

    /// The layer library's own C++ unit tests.
    func testLayerLibraryUnitTests() throws {
        let include = try Self.hlsInclude()
        let result = try runProcess("bash", [TestPaths.inRepo("Tests/cpp/run_tests.sh"), include])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(" 0 failed"), result.output)
    }
}

/// Results written by concurrent workers, one slot each.
final class ResultList: @unchecked Sendable {
    private var items: [(Int32, String)]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: (-1, "not run"), count: count) }
    func set(_ i: Int, _ value: (Int32, String)) { lock.lock(); items[i] = value; lock.unlock() }
    func get(_ i: Int) -> (Int32, String) { lock.lock(); defer { lock.unlock() }; return items[i] }
}
