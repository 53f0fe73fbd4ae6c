import BNNCommandLine
import BNNDesign
@testable import BNNDataflow
@testable import BNNEstimate
import Foundation
import XCTest

/// FIFO depths from the cycle model: with them an independent cycle-by-cycle simulation of the
/// pipeline never deadlocks, runs at the bottleneck's rate and reaches the modelled latency.
final class FIFOSizingTests: XCTestCase {
    func testCNVRunsAtItsBottleneckRateOnlyWithTheModelledDepths() throws {
        let estimate = DesignEstimate(design: try TestModels.cnvDesign(), clockNs: 10)
        XCTAssertTrue(estimate.fifo.isModelled)
        XCTAssertEqual(estimate.fifo.interval, 32768)
        let stages = estimate.stages.map(\.stage)
        let sized = PipelineSimulation(stages: stages, depths: estimate.fifo.depths, frames: 5)
        XCTAssertFalse(sized.deadlocked)
        XCTAssertEqual(sized.completions.count, 5)
        XCTAssertEqual(sized.interval, 32768)
        XCTAssertEqual(sized.completions.first, estimate.latencyCycles)
        // Vitis's default depth of 2 everywhere nearly halves the frame rate: the MVAUs' bursty
        // reads (a whole input vector in the first neuron fold) need buffering.
        let defaults = PipelineSimulation(stages: stages, depths: [:], frames: 5)
        XCTAssertFalse(defaults.deadlocked)
        XCTAssertGreaterThan(defaults.interval, 32768 * 3 / 2)
        // The vector in front of fc23, which reads all of it during its first neuron fold, is
        // buffered whole: 512 bits, split over the FIFOs before and after the converter.
        let fc23 = estimate.stages.filter { $0.stage.layer == 7 && $0.stage.id != .mvau(layer: 7) }
        let before = estimate.stages.first { $0.stage.id == .mvau(layer: 6) }
        let buffered = fc23.reduce((before?.fifoDepth ?? 0) * (before?.stage.outputWidth ?? 0)) { $0 + ($1.fifoDepth ?? 0) * $1.stage.outputWidth }
        XCTAssertGreaterThanOrEqual(buffered, 512 - 8)
    }

    /// On random designs and foldings: no deadlock, the bottleneck's rate, the modelled latency.
    func testRandomDesignsKeepTheirRateWithTheModelledDepths() {
        for seed in 0..<120 as Range<UInt64> {
            let geometry = RandomGeometry.make(seed: seed)
            let foldings = RandomGeometry.folding(geometry, seed: seed &+ 7)
            let estimate = DesignEstimate(geometry: geometry, foldings: foldings, clockNs: 5)
            XCTAssertTrue(estimate.fifo.isModelled, "seed \(seed)")
            let run = PipelineSimulation(stages: estimate.stages.map(\.stage), depths: estimate.fifo.depths, frames: 4)
            XCTAssertFalse(run.deadlocked, "seed \(seed)")
            XCTAssertEqual(run.interval, estimate.bottleneckCycles, "seed \(seed)")
            XCTAssertEqual(run.completions.first, estimate.latencyCycles, "seed \(seed)")
            XCTAssertEqual(estimate.fifo.interval, estimate.bottleneckCycles, "seed \(seed)")
            XCTAssertTrue(estimate.fifo.depths.values.allSatisfy { $0 >= FIFOSizing.minimumDepth }, "seed \(seed)")
        }
    }

    /// The depths do not depend on how many frames the model runs.
    func testDepthsAreTheSameFromMoreFrames() throws {
        for seed in 0..<20 as Range<UInt64> {
            let geometry = RandomGeometry.make(seed: seed)
            let stages = DataflowPipeline.stages(geometry, foldings: RandomGeometry.folding(geometry, seed: seed))
            XCTAssertEqual(FIFOSizing.plan(stages, frames: 4), FIFOSizing.plan(stages, frames: 7), "seed \(seed)")
        }
        let cnv = DataflowPipeline.stages(NetworkGeometry(design: try TestModels.cnvDesign()), foldings: TestModels.pynqCNV)
        XCTAssertEqual(FIFOSizing.plan(cnv, frames: 4), FIFOSizing.plan(cnv, frames: 6))
    }

    /// A design too large to replay cycle by cycle keeps the minimum depths, says so, and is
    /// still estimated at once.
    func testHugeDesignsSkipTheCycleModel() {
        let big = LayerGeometry(key: "fc0", label: "fc0", inputs: 8192, outputs: 8192, inputKind: .binary, accumulatorBits: 15, hasThresholds: true)
        let last = LayerGeometry(key: "fc1", label: "fc1", inputs: 8192, outputs: 10, inputKind: .binary, accumulatorBits: 15, hasThresholds: false)
        let geometry = NetworkGeometry(name: "big", input: DesignInput(encoding: .bipolar, count: 8192, channels: 8192, scale: 1, zeroPoint: 0),
                                       binarizerThresholdType: nil, layers: [big, last], output: .logits)
        let start = Date()
        let estimate = DesignEstimate(geometry: geometry, foldings: [Folding(pe: 1, simd: 1), Folding(pe: 1, simd: 1)], clockNs: 10)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(estimate.bottleneckCycles, 8192 * 8192)
        XCTAssertFalse(estimate.fifo.isModelled)
        XCTAssertTrue(estimate.fifo.depths.values.allSatisfy { $0 == FIFOSizing.minimumDepth })
        XCTAssertTrue(ReportMarkdown.render(estimate).contains("FIFO model not run"))
    }

    /// The model's occupancy count: a write needs a free slot at the start of its cycle, so a
    /// word per cycle through a FIFO needs two slots (Vitis's default depth).
    func testPeakOccupancyCountsWordsPresentWhenAWordIsWritten() {
        XCTAssertEqual(FIFOSizing.peakOccupancy(writes: [0, 1, 2], reads: [1, 2, 3]), 2)
        XCTAssertEqual(FIFOSizing.peakOccupancy(writes: [0, 1, 2], reads: [10, 11, 12]), 3)
        XCTAssertEqual(FIFOSizing.peakOccupancy(writes: [0, 5, 6, 7], reads: [6, 7, 8, 9]), 3)
    }

    /// A producer writing one word every 4 cycles into a consumer that reads a 4-word burst
    /// every 16 cycles: three words wait for the burst, the fourth arrives as it runs.
    func testABurstyConsumerGetsItsBurstBuffered() {
        let producer: [UInt8] = (0..<16).map { $0 % 4 == 3 ? IterationPattern.read | IterationPattern.write : IterationPattern.read }
        let consumer: [UInt8] = [1, 1, 1, 1 | 2] + Array(repeating: 0, count: 12)
        let source: [UInt8] = Array(repeating: 1 | 2, count: 16)
        let sized = FIFOSizing.size([source, producer, consumer], period: 16, frames: 4)
        XCTAssertEqual(sized?.interval, 16)
        let run = PipelineSimulation(patterns: [source, producer, consumer], depths: sized?.depths ?? [], frames: 6)
        XCTAssertEqual(run.interval, 16)
        XCTAssertEqual(run.completions.first, sized?.latency)
        XCTAssertEqual(sized?.depths.last, 3)
        let short = PipelineSimulation(patterns: [source, producer, consumer], depths: [2, 2], frames: 6)
        XCTAssertGreaterThan(short.interval, 16)
    }

    /// The generated top function declares every stream with the depth the model chose.
    func testEmittedStreamPragmasUseTheModelledDepths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-fifo-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for model in [TestModels.digitsCNN, TestModels.digitsMLP] {
            try? FileManager.default.removeItem(at: dir)
            var out = "", err = ""
            let status = CommandLineTool.run(["compile", model, "-o", dir.path, "--vectors", "2", "--budget", "lut=9000"], print: { out += $0 + "\n" }, printError: { err += $0 + "\n" })
            XCTAssertEqual(status, 0, err)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("src").path)
            guard let top = files.sorted().first(where: { $0.hasSuffix(".cpp") && !$0.hasSuffix("_board.cpp") }) else { return XCTFail("no top function") }
            let text = try String(contentsOf: dir.appendingPathComponent("src/\(top)"), encoding: .utf8)
            let pragmas = text.split(separator: "\n").filter { $0.hasPrefix("#pragma HLS STREAM") }.compactMap { $0.split(separator: "=").last.flatMap { Int($0) } }
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as? [String: Any]
            let stages = report?["stages"] as? [[String: Any]] ?? []
            let depths = stages.compactMap { $0["fifo_depth"] as? Int }
            XCTAssertEqual(pragmas, depths, model)
            XCTAssertFalse(pragmas.isEmpty)
        }
    }
}
