import BNNCommandLine
import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNTestSupport
import Foundation
import XCTest

/// Residual graphs in hardware (issue 13): the spec's tiny_residual and the shared random residual
/// cases (RandomCodeNetworks.residualCases(), a padded folding for some) compiled to projects.
/// Each project is built once, in threaded bounded-FIFO mode (`make csim-threaded`: the generated
/// testbench, expected outputs from the float64 reference), and that one binary then runs:
///   - with the emitted depths: every frame matches the reference (reference == simulator is
///     checked on the same frames first), and the frames' completion cycles equal the Swift
///     cycle model's (`PipelineSimulation` over the DAG; tolerance 0 cycles);
///   - with each shortcut FIFO cut (BNN_CSIM_DEPTHS): the smallest depth that does not deadlock,
///     by bisection, is at most the emitted one, and one less deadlocks (exit 3, DEADLOCK).
final class ResidualHardwareTests: XCTestCase {
    static let vectors = 16

    static func projects() throws -> [GeneratedProjectTests.Project] {
        var projects: [GeneratedProjectTests.Project] = []
        let tiny = TestPaths.sharedExamples + "/tiny_residual.json"
        if FileManager.default.fileExists(atPath: tiny) {
            projects.append(.init(name: "tiny_residual", network: try ModelLoader().load(path: tiny), folding: FoldingRequest(), vectors: vectors))
        }
        for (i, testCase) in RandomCodeNetworks.residualCases().enumerated() {
            var random = RandomCodeNetworks(seed: UInt64(900 + i))
            let network = random.residualNetwork(testCase.options, name: "res\(i)")
            projects.append(.init(name: testCase.id, network: network, folding: FoldingRequest(), vectors: vectors))
            if i % 2 == 0 {
                let integer = try Pipeline(file: "\(testCase.id).json").run(network).integer
                projects.append(.init(name: testCase.id + "_padded", network: network,
                                      folding: FoldingRequest(entries: SimulatorEquivalenceTests.padded(integer)), vectors: vectors))
            }
        }
        return projects
    }

    func testResidualProjectsAgreeDoNotDeadlockAndMatchTheCycleModel() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let projects = try Self.projects()
        XCTAssertGreaterThanOrEqual(projects.count, 8)
        let agreements = try GeneratedProjectTests.assertSimulatorAgrees(projects) { project, design in
            XCTAssertFalse(design.isChain, project.name)
        }

        let root = try TestPaths.temporaryDirectory("residual")
        defer { try? FileManager.default.removeItem(at: root) }
        try GeneratedProjectTests.emit(projects, in: root)
        let results = ResultList(count: projects.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for p in stride(from: worker, to: projects.count, by: 2) {
                let dir = root.appendingPathComponent(projects[p].name).path
                results.set(p, (try? runProcess("make", ["-s", "csim-threaded", "HLS_INCLUDE=\(include)"], in: dir)) ?? (-1, "could not run make"))
            }
        }

        var table = ["project | shortcut | emitted depth | smallest non-deadlocking depth"]
        var frames = 0
        for (p, project) in projects.enumerated() {
            let (status, output) = results.get(p)
            XCTAssertEqual(status, 0, "\(project.name): \(output.suffix(3000))")
            XCTAssertTrue(output.contains("\(project.vectors) passed, 0 failed"), "\(project.name): \(output.suffix(2000))")
            guard status == 0 else { continue }
            frames += project.vectors
            try ThreadedCSimTests.assertCyclesAgree(output, project)

            let dir = root.appendingPathComponent(project.name).path
            let binary = "./build/\(project.network.cName)_tb_threaded"
            let depths = try Self.shortcutDepths(dir: dir, project: project)
            XCTAssertFalse(depths.isEmpty, "\(project.name) has no shortcut stream")
            // A deadlock does not depend on the data: the bisection runs one frame.
            try Self.firstFrame(of: dir)
            for (stream, emitted) in depths {
                func passes(_ depth: Int) throws -> Bool {
                    let run = try runProcess(binary, ["vectors1"], in: dir, environment: ["BNN_CSIM_DEPTHS": "\(stream)=\(depth)"])
                    if run.status == 0 { XCTAssertTrue(run.output.contains("1 passed, 0 failed"), "\(project.name) \(stream)=\(depth)") }
                    else { XCTAssertEqual(run.status, 3, "\(project.name) \(stream)=\(depth): \(run.output.suffix(1500))") }
                    if run.status == 3 { XCTAssertTrue(run.output.contains("DEADLOCK"), run.output) }
                    return run.status == 0
                }
                // Bisection over 1...emitted: the emitted depth passes (the run above).
                var (low, high) = (0, emitted)  // low deadlocks (0: never tried), high passes
                while high - low > 1 {
                    let mid = (low + high) / 2
                    if try passes(mid) { high = mid } else { low = mid }
                }
                if high > 1 { XCTAssertFalse(try passes(high - 1), "\(project.name) \(stream): \(high - 1) must deadlock") }
                if high > 2 { XCTAssertFalse(try passes(1), "\(project.name) \(stream) at depth 1 must deadlock") }
                table.append("\(project.name) | \(stream) | \(emitted) | \(high)")
            }
        }
        print("residual three-way agreement: \(agreements) frames (reference == simulator), \(frames) frames (reference == threaded g++) over \(projects.count) projects")
        print("shortcut FIFO depths (emitted by the cycle model vs smallest without deadlock, threaded C-sim):\n" + table.joined(separator: "\n"))
    }

    /// `vectors1/`: the first frame of `vectors/` (each file is a header line `frames ...`, then
    /// one line per frame).
    static func firstFrame(of dir: String) throws {
        let target = URL(fileURLWithPath: dir).appendingPathComponent("vectors1")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in ["inputs.txt", "expected.txt"] {
            let lines = try String(contentsOfFile: "\(dir)/vectors/\(file)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count > 1 else { throw XCTSkip("\(file) has no frame") }
            let header = (["1"] + lines[0].split(separator: " ").dropFirst().map(String.init)).joined(separator: " ")
            try (header + "\n" + lines[1] + "\n").write(to: target.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
    }

    /// The emitted depth of every `shortcutN` stream of a generated top function.
    static func shortcutDepths(dir: String, project: GeneratedProjectTests.Project) throws -> [(String, Int)] {
        let top = try String(contentsOfFile: "\(dir)/src/\(project.network.cName).cpp", encoding: .utf8)
        return top.components(separatedBy: "BNN_FIFO_DEPTH(").dropFirst().compactMap { call -> (String, Int)? in
            let parts = call.split(separator: ")").first?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            guard parts.count == 2, parts[0].hasPrefix("shortcut"), let depth = Int(parts[1]) else { return nil }
            return (parts[0], depth)
        }
    }
}
