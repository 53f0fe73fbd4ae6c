import BNNCompiler
import BNNDesign
@testable import BNNDataflow
@testable import BNNEstimate
import BNNModel
import XCTest

/// Cycle counts: FINN's published figures for BNN-PYNQ's LFC and CNV, and the closed forms of
/// the window and pool against the loop schedules they summarise.
final class CycleModelTests: XCTestCase {
    /// LFC with BNN-PYNQ's folding (FINN pads 784 to 832 and 10 to 16): 416, 512, 512, 128.
    func testLFCWithPYNQFoldingHasA512CycleBottleneck() throws {
        let sizes = [784, 1024, 1024, 1024, 10]
        let cycles = zip(TestModels.pynqLFC, zip(sizes, sizes.dropFirst())).map { f, io in
            CycleModel.mvau(inputs: io.0, outputs: io.1, pe: f.pe, simd: f.simd, pixels: 1)
        }
        XCTAssertEqual(cycles, [416, 512, 512, 128])
        // The compiled design, padded the same way, has those cycles.
        let estimate = DesignEstimate(design: try TestModels.lfcDesign(), clockNs: 10)
        XCTAssertEqual(estimate.layers.map(\.cycles), [416, 512, 512, 128])
        XCTAssertEqual(estimate.bottleneckCycles, 512)
        XCTAssertEqual(estimate.bottleneckLayers, [1, 2])
        XCTAssertEqual(estimate.framesPerSecond, 1e9 / (10 * 512), accuracy: 1e-6)
    }

    /// CNV with BNN-PYNQ's folding: sum of PE * SIMD 2272, bottleneck 32768, efficiency 0.80.
    func testCNVWithPYNQFoldingMatchesFINNsFigures() throws {
        let design = try TestModels.cnvDesign()
        let geometry = NetworkGeometry(design: design)
        let finn = zip(geometry.layers, TestModels.pynqCNV).map { layer, f in
            CycleModel.mvau(inputs: layer.inputs, outputs: layer.outputs, pe: f.pe, simd: f.simd, pixels: layer.pixels)
        }
        XCTAssertEqual(finn, [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 1536])
        XCTAssertEqual(TestModels.pynqCNV.reduce(0) { $0 + $1.pe * $1.simd }, 2272)
        let efficiency = Double(geometry.macs) / 2272 / 32768
        XCTAssertEqual(efficiency, 0.7987, accuracy: 0.0001)

        // The compiled design (the last layer padded to 12 rows) has exactly those figures.
        let estimate = DesignEstimate(design: design, clockNs: 10)
        XCTAssertEqual(estimate.layers.map(\.cycles), finn)
        XCTAssertEqual(estimate.bottleneckCycles, 32768)
        XCTAssertEqual(estimate.lanes, 2272)
        XCTAssertEqual(estimate.macs, 59_461_376)
        XCTAssertEqual(estimate.efficiency, 59_461_376.0 / 2272 / 32768, accuracy: 1e-12)
        // Window generators: FIRST_ROWS * RW + 4 + OUT_H * max(WR, SH * RW + 4), by hand.
        let windows = estimate.stages.filter { if case .slidingWindow = $0.stage.kind { return true }; return false }.map(\.cycles)
        XCTAssertEqual(windows, [3 * 32 + 4 + 30 * 270, 3 * 60 + 4 + 28 * 504, 3 * 28 + 4 + 12 * 216, 3 * 48 + 4 + 10 * 360, 3 * 20 + 4 + 3 * 108, 3 * 24 + 4 + 1 * 72])
    }

    /// The closed forms equal the length of the iteration schedules, and every schedule reads
    /// and writes exactly its stream's words, on random geometries and foldings.
    func testClosedFormsMatchTheLoopSchedules() {
        for seed in 0..<300 as Range<UInt64> {
            let geometry = RandomGeometry.make(seed: seed)
            let foldings = RandomGeometry.folding(geometry, seed: seed &+ 1000)
            let stages = DataflowPipeline.stages(geometry, foldings: foldings)
            XCTAssertFalse(stages.isEmpty)
            for (i, stage) in stages.enumerated() {
                let pattern = IterationPattern(stage.kind)
                XCTAssertEqual(pattern.iterations, stage.cycles, "seed \(seed) \(stage.label)")
                XCTAssertEqual(pattern.reads, stage.inputWords, "seed \(seed) \(stage.label)")
                XCTAssertEqual(pattern.writes, stage.outputWords, "seed \(seed) \(stage.label)")
                if i > 0 {
                    XCTAssertEqual(stages[i - 1].outputWords, stage.inputWords, "seed \(seed) \(stage.label)")
                    XCTAssertEqual(stages[i - 1].outputWidth, stage.inputWidth, "seed \(seed) \(stage.label)")
                }
            }
        }
    }
}
