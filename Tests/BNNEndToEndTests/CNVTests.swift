import BNNCommandLine
import BNNCompiler
import BNNEmit
import BNNDataflow
import BNNEstimate
import BNNModel
import BNNRandomModels
import Foundation
import XCTest

/// The CNV topology of the FINN paper with random weights: compiled, simulated and checked
/// against the reference (a few images: the float64 reference is slow on 59 M MACs each).
final class CNVTests: XCTestCase {
    /// BNN-PYNQ's hand folding of CNV (its last layer pads 10 classes to 12 rows for PE 4).
    static let pynqFolding = FoldingRequest(entries: [
        ("conv0", .init(pe: 16, simd: 3)), ("conv3", .init(pe: 32, simd: 32)), ("conv7", .init(pe: 16, simd: 32)),
        ("conv10", .init(pe: 16, simd: 32)), ("conv14", .init(pe: 4, simd: 32)), ("conv17", .init(pe: 1, simd: 32)),
        ("fc20", .init(pe: 1, simd: 4)), ("fc23", .init(pe: 1, simd: 8)), ("fc26", .init(pe: 4, simd: 1)),
    ])

    func testCNVSimulatorMatchesReference() throws {
        let network = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11), file: "cnv.json")
        XCTAssertEqual(network.layers.last?.outputShape.count, 10)
        let design = try Pipeline(file: "cnv.json", folding: Self.pynqFolding).compile(network)
        // (MH / PE) * (MW / SIMD) * output pixels, worked out by hand; the bottleneck is 32768.
        XCTAssertEqual(design.layers.map { $0.neuronFold * $0.synapseFold * $0.pixels },
                       [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 1536])
        let report = try Verifier(network: network, design: design).run(InputBatch.random(count: 3, for: network, seed: 2), threads: 2)
        XCTAssertEqual(report.failedInputs, 0, "\(report.mismatches)")
    }

    /// The folding the optimizer picks at BNN-PYNQ's 2272 MACs/cycle and BRAM18 (padded).
    static func optimizedFolding(_ network: Network) throws -> FoldingRequest {
        let pynq = try Pipeline(file: "cnv.json", folding: pynqFolding).compile(network)
        let estimate = DesignEstimate(design: pynq, clockNs: 10)
        let result = try FoldingOptimizer(geometry: NetworkGeometry(design: pynq), clockNs: 10)
            .run(goal: .maximumThroughput, budget: ResourceBudget(bram18: estimate.totals.bram18, lanes: 2272))
        return FoldingRequest(entries: zip(pynq.layers, result.foldings).map { ($0.key, $1) })
    }

    /// That folding compiles to a design the simulator runs exactly like the reference.
    func testOptimizedCNVFoldingMatchesReference() throws {
        let network = try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11), file: "cnv.json")
        let folding = try Self.optimizedFolding(network)
        let design = try Pipeline(file: "cnv.json", folding: folding).compile(network)
        XCTAssertTrue(design.layers.contains { $0.paddedInputs > $0.inputs || $0.paddedOutputs > $0.outputs }, "\(folding.entries)")
        XCTAssertLessThanOrEqual(DesignEstimate(design: design, clockNs: 10).bottleneckCycles * 12, 32768 * 10)
        let report = try Verifier(network: network, design: design).run(InputBatch.random(count: 3, for: network, seed: 4), threads: 2)
        XCTAssertEqual(report.failedInputs, 0, "\(report.mismatches)")
    }
}
