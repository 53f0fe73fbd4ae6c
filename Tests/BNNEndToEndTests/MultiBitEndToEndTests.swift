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

    /// Seeded random version-2 networks, one per group of features the emitter renders
    /// differently (shapes chosen here, not shared with the simulator's equivalence tests).
    static func randomModels() -> [(name: String, network: Network)] {
        typealias Options = RandomCodeNetworks.Options
        typealias Conv = RandomCodeNetworks.Conv
        var cases: [(String, Options)] = []
        var mlp = Options(inputShape: .vector(31), sizes: [22, 14, 5])
        mlp.denseBits = [1, 2, 3]
        mlp.lastShift = true
        cases.append(("mlp_w123_shift", mlp))
        var eight = Options(inputShape: .vector(19), sizes: [13, 10, 4])
        eight.encoding = .uint8
        eight.zeroPoint = 7
        eight.scale = 0.011
        eight.denseBits = [8, 2, 8]
        eight.activation = .multithreshold
        eight.mode = .argmax
        cases.append(("mlp_8bit_first_last_argmax", eight))
        var requant = Options(inputShape: .vector(21), sizes: [12, 7, 3])
        requant.encoding = .int8
        requant.zeroPoint = -5
        requant.scale = 0.017
        requant.inputQuantizers = 2
        requant.activation = .requantize
        requant.denseBits = [4, 1, 2]
        cases.append(("mlp_requantized_int8", requant))
        var oddEven = Options(inputShape: Shape3(height: 7, width: 6, channels: 2), sizes: [4])
        var c1 = Conv(filters: 5, kernel: Pair(3, 3))
        c1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        c1.padValue = .oddEven
        c1.pool = .maxBeforeQuantizer
        var c2 = Conv(filters: 4, kernel: Pair(2, 2))
        c2.weightBits = 2
        c2.pool = .maxAfterQuantizer
        oddEven.convs = [c1, c2]
        oddEven.activation = .quantize
        cases.append(("cnn_odd_even_max_pools", oddEven))
        var border = Options(inputShape: Shape3(height: 6, width: 7, channels: 1), sizes: [5, 3])
        border.encoding = .int8
        border.zeroPoint = 3
        border.scale = 0.021
        var b1 = Conv(filters: 4, kernel: Pair(3, 3))
        b1.weightBits = 8
        b1.padding = Padding(top: 1, bottom: 1, left: 1, right: 0)
        b1.padValue = 1
        b1.pool = .average
        var b2 = Conv(filters: 5, kernel: Pair(2, 2))
        b2.weightBits = 2
        b2.padding = Padding(top: 0, bottom: 1, left: 1, right: 0)
        b2.padValue = 0
        border.convs = [b1, b2]
        border.denseBits = [2, 8]
        border.activation = .multithreshold
        cases.append(("cnn_8bit_border_classes_average_pool", border))
        var global = Options(inputShape: Shape3(height: 4, width: 4, channels: 2), sizes: [3])  // 16-pixel window: exact before the last layer
        var g1 = Conv(filters: 6, kernel: Pair(3, 3))
        g1.weightBits = 2
        g1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        g1.padValue = -1
        g1.pool = .average
        g1.poolSize = nil
        global.convs = [g1]
        global.denseBits = [2]
        global.activation = .requantize
        global.lastShift = true
        cases.append(("cnn_global_average_pool_requantize", global))
        var signs = Options(inputShape: Shape3(height: 6, width: 6, channels: 1), sizes: [6, 3])
        signs.inputQuantizers = 1
        signs.unitInputQuantizer = true
        signs.encoding = .uint8
        signs.zeroPoint = 100
        signs.scale = 0.02
        var s1 = Conv(filters: 3, kernel: Pair(3, 3))
        s1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        s1.padValue = .oddEven
        s1.pool = .average
        signs.convs = [s1]
        signs.activation = .sign
        cases.append(("cnn_quantized_input_odd_even_sum_of_signs", signs))
        return cases.enumerated().map { i, named in
            var random = RandomCodeNetworks(seed: UInt64(500 + i))
            return ("random_" + named.0, random.network(named.1, name: "rnd\(i)"))
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
        // Reference == simulator on the frames the testbenches get (buildAndRun draws them with seed 9).
        var agreements = 0
        for project in projects {
            let design = try Pipeline(file: "\(project.name).json", folding: project.folding).compile(project.network)
            XCTAssertTrue(design.layers.contains { if case .codes = $0.inputKind { return true } else { return false } },
                          "\(project.name) has code lanes")
            let batch = InputBatch.random(count: project.vectors, for: project.network, seed: 9)
            let report = try Verifier(network: project.network, design: design).run(batch, keep: .max)
            XCTAssertEqual(report.checked, project.vectors, project.name)
            // Every hidden code, integer sum, logit (bit for bit) and prediction.
            XCTAssertTrue(report.mismatches.isEmpty, "\(project.name): \(report.mismatches.prefix(3))")
            agreements += project.vectors
        }
        // Reference == g++.
        let root = try TestPaths.temporaryDirectory("multibit")
        defer { try? FileManager.default.removeItem(at: root) }
        try GeneratedProjectTests.buildAndRun(projects, in: root, include: include)
        print("multi-bit three-way agreement: \(agreements) frames over \(projects.count) projects")
    }
}
