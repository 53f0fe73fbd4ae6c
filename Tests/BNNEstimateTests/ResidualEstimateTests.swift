import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNEstimate
import BNNModel
import BNNRandomModels
import XCTest

/// Estimates and the folding optimizer over residual graphs: duplicate and join stages, the
/// shortcut FIFOs (SRL or BRAM18), the report, and optimized foldings whose joins run at their
/// MVAU's PE. On Examples/digits_residual and the shared random residual networks.
final class ResidualEstimateTests: XCTestCase {
    static func example() throws -> Network {
        try ModelLoader().load(path: TestModels.repo.appendingPathComponent("Examples/digits_residual/model.json").path)
    }

    static func randomResidualNetworks() -> [(name: String, network: Network)] {
        RandomCodeNetworks.residualCases().enumerated().map { c, testCase in
            var random = RandomCodeNetworks(seed: UInt64(700 + c))
            return (testCase.name, random.residualNetwork(testCase.options))
        }
    }

    /// Vitis binds a FIFO of at most 1024 bits to shift registers, a larger one to block RAM
    /// (width x depth by the RAMB18 aspect ratios, as FINN's StreamingFIFO.bram_estimation).
    func testFIFOMapping() {
        XCTAssertEqual(ResourceModel.fifoMapping(depth: 32, width: 32), .lutram)
        XCTAssertEqual(ResourceModel.fifoMapping(depth: 33, width: 32), .bram)
        XCTAssertEqual(ResourceModel.fifo(depth: 33, width: 32), Resources(luts: 12, bram18: 1))
        // 2000 x 32 bits: ceil(2000 / 1024) * ceil(32 / 18) RAMB18s.
        XCTAssertEqual(ResourceModel.fifo(depth: 2000, width: 32).bram18, 4)
        // 105 x 8 = 840 bits: SRLs, 2 * ceil(log2 105) + ceil(105 / 32) * ceil(8 / 2) LUTs.
        XCTAssertEqual(ResourceModel.fifo(depth: 105, width: 8), Resources(luts: 14 + 16))
    }

    /// Every stream has a priced FIFO: a duplicate writes two (its own and the shortcut copy, read
    /// by the join or the repack in front of it); the totals hold them all; report.md lists the
    /// shortcuts with their mapping and report.json every FIFO. Chains show no shortcut section.
    func testShortcutFIFOsArePricedAndReported() throws {
        let design = try Pipeline(file: "model.json").compile(try Self.example())
        let e = DesignEstimate(design: design, clockNs: 10)
        let shortcuts = e.shortcutFIFOs
        XCTAssertEqual(shortcuts.map(\.stream.description), ["shortcut0", "shortcut1"])
        for f in shortcuts {
            guard case .duplicate = e.stages[f.producer].stage.kind else { return XCTFail("\(f.stream) is not written by a duplicate") }
            XCTAssertTrue(e.stages[f.producer].fifos.contains(f))
            XCTAssertEqual(f.cost, ResourceModel.fifo(depth: f.depth, width: f.width))
            XCTAssertEqual(f.depth, e.fifo.depths[f.stream])
            XCTAssertGreaterThan(f.depth, 2, "the shortcut holds what the long branch has not consumed")
        }
        for (i, stage) in e.stages.enumerated() {
            let expected = stage.stage.kind == .duplicate(width: stage.stage.outputWidth, words: stage.stage.outputWords) ? 2 : (i == e.stages.count - 1 ? 0 : 1)
            XCTAssertEqual(stage.fifos.count, expected, stage.stage.label)
        }
        XCTAssertEqual(e.totals, e.stages.reduce(Resources.zero) { $0 + $1.total })
        XCTAssertEqual(e.fifos.count, e.fifo.depths.count)

        let markdown = ReportMarkdown.render(e)
        XCTAssertTrue(markdown.contains("## Shortcut FIFOs"))
        for f in shortcuts {
            let maps = f.mapping == .lutram ? "SRL" : "BRAM18"
            XCTAssertTrue(markdown.contains("| \(f.stream) | node "), markdown)
            XCTAssertTrue(markdown.contains("| \(f.width) bits | \(f.depth) | \(f.depth * f.width) | \(maps) | \(f.cost.luts) | \(f.cost.bram18) |"), markdown)
        }
        let json = ReportJSON.render(e)
        XCTAssertEqual(json.components(separatedBy: "\"shortcut\": true").count - 1, 2)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))

        let chain = DesignEstimate(design: try TestModels.cnvDesign(), clockNs: 10)
        XCTAssertTrue(chain.shortcutFIFOs.isEmpty)
        XCTAssertFalse(ReportMarkdown.render(chain).contains("Shortcut"))
    }

    /// A join compares PE lanes x levels against thresholds read at (shortcut code, neuron fold):
    /// PE * levels comparators of the threshold width, PE * levels ROM banks of NF * codes words.
    func testJoinStagesArePricedPerCode() throws {
        let design = try Pipeline(file: "model.json").compile(try Self.example())
        let e = DesignEstimate(design: design, clockNs: 10)
        var joins = 0
        for s in e.stages {
            guard case .join(let j) = s.stage.kind, j.shortcutBits != nil else { continue }
            joins += 1
            let rom = try XCTUnwrap(s.cost.memories.first { $0.role == "thresholds" })
            XCTAssertEqual(rom.banks, j.pe * j.levels)
            XCTAssertEqual(rom.depth, Divisors.ceilDiv(j.channels, j.pe) * j.codes)
            XCTAssertEqual(j.codes, 4, "2-bit shortcut codes")
            XCTAssertEqual(rom.width, j.thresholdType.bits)
            XCTAssertGreaterThanOrEqual(s.cost.total.luts, j.pe * j.levels * j.thresholdType.bits + rom.resources.luts)
        }
        XCTAssertEqual(joins, 2)
    }

    /// The optimizer over residual graphs, on the example and every random residual network:
    /// within a budget and at a frame rate, the packed design's estimate is the optimizer's (the
    /// threshold stages take their producer's lanes before packing as after), every join runs at
    /// its MVAU's PE, and the layer options price the join with the layer that feeds it.
    func testOptimizerOnResidualNetworks() throws {
        let networks = [("digits_residual", try Self.example())] + Self.randomResidualNetworks()
        XCTAssertGreaterThanOrEqual(networks.count, 6)
        var optimized = 0
        for (name, network) in networks {
            for (goal, budget) in [(OptimizationGoal.maximumThroughput, ResourceBudget(luts: 40000, bram18: 100)),
                                   (.maximumThroughput, ResourceBudget(lanes: 64)), (.framesPerSecond(20000), ResourceBudget())] {
                let strategy = OptimizingStrategy(goal: goal, budget: budget, clockNs: 10)
                let stages: Pipeline.Stages
                do {
                    stages = try Pipeline(file: "\(name).json", strategy: strategy).run(network)
                } catch {
                    // A tiny random network may not reach the frame rate; the message says so.
                    XCTAssertTrue(error.message.contains("frames/s"), "\(name): \(error.message)")
                    continue
                }
                let result = try XCTUnwrap(stages.choice?.details as? OptimizationResult)
                let design = stages.design
                XCTAssertEqual(design.layers.map(\.folding), result.foldings, name)
                let packed = DesignEstimate(design: design, clockNs: 10)
                XCTAssertEqual(packed.bottleneckCycles, result.estimate.bottleneckCycles, "\(name) \(goal)")
                XCTAssertEqual(packed.totals, result.estimate.totals, "\(name) \(goal)")
                XCTAssertEqual(packed.fifos, result.estimate.fifos, "\(name) \(goal)")
                XCTAssertTrue(budget.admits(packed.totals, lanes: packed.lanes), "\(name) \(goal)")
                if case .framesPerSecond(let fps) = goal { XCTAssertGreaterThanOrEqual(packed.framesPerSecond, fps, name) }
                try Self.assertJoinsRunAtTheirMVAUsPE(design, packed, name)
                optimized += 1
            }
        }
        XCTAssertGreaterThanOrEqual(optimized, 2 * networks.count, "the budgets are met on every network")
    }

    static func assertJoinsRunAtTheirMVAUsPE(_ design: Design, _ e: DesignEstimate, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for (n, node) in design.nodes.enumerated() {
            guard let t = node.thresholdStage, t.isJoin, case .node(let m) = node.inputs.first, let l = design.nodes[m].layer else { continue }
            let stage = try XCTUnwrap(e.stages.first { $0.stage.id == .join(node: n) }, file: file, line: line)
            guard case .join(let shape) = stage.stage.kind else { return XCTFail("\(name): node \(n) is not a join", file: file, line: line) }
            XCTAssertEqual(shape.pe, design.layers[l].folding.pe, "\(name): \(t.label)", file: file, line: line)
            XCTAssertEqual(t.pe, design.layers[l].folding.pe, "\(name): \(t.label)", file: file, line: line)
        }
    }

    /// A layer whose accumulators a join reads carries the join's cost and cycles in its options.
    func testLayerOptionsIncludeTheJoin() throws {
        let integer = try Pipeline(file: "model.json").run(try Self.example()).integer
        let geometry = NetworkGeometry(integer)
        let fed = geometry.layers.indices.filter { !geometry.joins(fedByLayer: $0).isEmpty }
        XCTAssertEqual(fed.map { geometry.layers[$0].key }, ["b1_conv", "b2_conv"])
        for l in fed {
            let joins = geometry.joins(fedByLayer: l)
            for folding in [Folding(pe: 1, simd: 1), Folding(pe: 8, simd: 32), Folding(pe: 32, simd: 288)] {
                let plain = LayerOption(layer: geometry.layers[l], folding: folding)
                let joined = LayerOption(layer: geometry.layers[l], folding: folding, joins: joins)
                let joinCost = joins.flatMap { NetworkGeometry.joinKinds($0, pe: folding.pe) }.reduce(Resources.zero) { $0 + ResourceModel.cost($1).total }
                XCTAssertEqual(joined.cost, plain.cost + joinCost)
                XCTAssertGreaterThan(joinCost.luts, 0)
                XCTAssertGreaterThanOrEqual(joined.cycles, plain.cycles)
            }
        }
    }
}
