import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import Foundation
import XCTest

/// Version-2 (multi-bit) models compiled to projects, three ways: on the same frames the float64
/// reference, the Swift simulator (`Verifier`) and the generated C++ under g++ (its testbench
/// holds the reference's outputs) agree bit for bit. Each project is built once and runs all
/// its frames; every model also runs with a padded folding (repacks over code lanes). The
/// models: the spec's and the trained digits examples, and seeded random version-2 networks.
final class MultiBitEndToEndTests: XCTestCase {
    static let vectors = 60

    /// The spec's W1A2 MLP and W2A2 CNN (when `../shared` is beside the checkout) and the trained
    /// W1A2 and W2A2 digits CNNs.
    static func models() throws -> [(name: String, network: Network)] {
        var list: [(String, Network)] = []
        for example in ["tiny_w1a2", "tiny_w2a2_cnn"] {
            let path = TestPaths.sharedExamples + "/\(example).json"
            if FileManager.default.fileExists(atPath: path) { list.append((example, try ModelLoader().load(path: path))) }
        }
        for variant in ["w1a2", "w2a2"] {
            list.append(("digits_\(variant)", try ModelLoader().load(path: TestPaths.inRepo("Examples/digits_cnn_a2/\(variant)/model.json"))))
        }
        return list
    }

    /// The shared seeded random version-2 networks (RandomCodeNetworks.cases()), one seed each.
    static func randomModels() -> [(name: String, network: Network)] {
        RandomCodeNetworks.cases().enumerated().map { i, testCase in
            var random = RandomCodeNetworks(seed: UInt64(500 + i))
            return ("random_" + testCase.id, random.network(testCase.options, name: "rnd\(i)"))
        }
    }

    static func projects() throws -> [GeneratedProjectTests.Project] {
        var projects: [GeneratedProjectTests.Project] = []
        for (name, network) in try models() + randomModels() {
            projects.append(.init(name: name, network: network, folding: FoldingRequest(), vectors: vectors))
            let integer = try Pipeline(file: "\(name).json").run(network).integer
            projects.append(.init(name: name + "_padded", network: network, folding: FoldingRequest(entries: SimulatorEquivalenceTests.padded(integer)),
                                  vectors: vectors))
        }
        return projects
    }

    func testReferenceSimulatorAndCppAgree() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let projects = try Self.projects()
        XCTAssertGreaterThanOrEqual(projects.count, 18)
        let agreements = try GeneratedProjectTests.assertSimulatorAgrees(projects) { project, design in
            XCTAssertTrue(design.layers.contains { if case .codes = $0.inputKind { return true } else { return false } },
                          "\(project.name) has code lanes")
        }
        // Reference == g++.
        let root = try TestPaths.temporaryDirectory("multibit")
        defer { try? FileManager.default.removeItem(at: root) }
        try GeneratedProjectTests.buildAndRun(projects, in: root, include: include)
        print("multi-bit three-way agreement: \(agreements) frames over \(projects.count) projects")
    }
}
