import BNNDataflow
import BNNDesign
@testable import BNNEstimate
import BNNModel
import XCTest

/// Multi-bit MVAUs, multi-level thresholds and pools over codes, priced by FINN's formulas with
/// W and A; BNN-PYNQ's CNV-W2A2 folding against its published bottleneck.
final class MultiBitEstimateTests: XCTestCase {
    /// The published folding estimates to config.h's cycles per layer, bottleneck 115,200 at
    /// layer 3 (conv3: 10 x 10 pixels x 128 / 8 neuron folds x 1152 / 16 synapse folds).
    func testCNVW2A2PublishedFoldingEstimatesToItsBottleneck() throws {
        let e = DesignEstimate(design: MultiBitModels.cnv(), clockNs: 10)
        XCTAssertEqual(e.bottleneckCycles, 115_200)
        XCTAssertEqual(e.bottleneckLayers, [3])
        XCTAssertEqual(e.layers.map(\.cycles), MultiBitModels.pynqCNVW2A2Cycles)
        XCTAssertEqual(e.lanes, 586)
        XCTAssertEqual(e.totals.uram, 0)
        XCTAssertEqual(e.totals.dsps, 0)
        // The figures docs/estimates.md states; the weights alone need at least their bits in BRAM18s.
        XCTAssertEqual(e.totals.luts, 19_178)
        XCTAssertEqual(e.totals.bram18, 256)
        XCTAssertEqual(e.layers.reduce(0) { $0 + FINNReferenceModel.mvauLUTs($1.geometry, pe: $1.folding.pe, simd: $1.folding.simd) }, 12_024)
        XCTAssertEqual(e.layers.reduce(0) { $0 + FINNReferenceModel.mvauBRAM18($1.geometry, pe: $1.folding.pe, simd: $1.folding.simd) }, 217)
        // The report names each layer's precision; W1A1 reports are unchanged.
        XCTAssertEqual(e.layers[1].shape, "30x30x64 k3x3 -> 28x28x64, pool 2x2 -> 14x14, W2 A2 -> 2-bit codes (3 thresholds)")
        XCTAssertEqual(e.layers[0].precision, "W2 A8 -> 2-bit codes (3 thresholds)")
        XCTAssertEqual(e.layers[8].precision, "W2 A2")
        XCTAssertTrue(ReportMarkdown.render(e).contains(SafeText.markdown(e.layers[1].shape)))
        let weightBits = e.layers.reduce(0) { $0 + $1.geometry.inputs * $1.geometry.outputs * 2 }
        XCTAssertGreaterThanOrEqual(e.totals.bram18 * 18 * 1024, weightBits)
    }

    /// One W2A2 layer worked by hand from FINN's formulas (conv1 of CNV-W2A2, PE 16, SIMD 16).
    func testMultiBitMVAUIsPricedWithWeightAndInputBits() throws {
        let stage = MultiBitModels.stage("conv1", index: 3, inputs: 576, outputs: 64, input: .codes(bits: 2), weightBits: 2, levels: 3,
                                         folding: Folding(pe: 16, simd: 16))
        let layer = LayerGeometry(stage: stage)
        XCTAssertEqual(layer.weightBits, 2)
        XCTAssertEqual(layer.thresholdLevels, 3)
        XCTAssertEqual(layer.outputBits, 2)
        XCTAssertEqual(layer.accumulatorBits, 13)  // -2 * 3 * 576 ... 1 * 3 * 576
        let cost = ResourceModel.mvau(layer, Folding(pe: 16, simd: 16))
        // W + A = 4: multiplier 16 * (2 * 1 - 1) * 4 = 64, adder tree 4 * 31 = 124, accumulator 13,
        // comparators 3 levels * 13 bits = 39: 300 + 1.1 * 16 * 240 = 4524, plus the thresholds'
        // LUTRAM (16 PE * 3 levels banks of 13 bits), the falling flags' 16 bits and the input
        // buffer's 32 bits (one LUT per bit each: at most 64 words).
        XCTAssertEqual(cost.total.luts, 4524 + 48 * 13 + 16 + 32)
        // 144-word banks of 32 bits (UG573 512 x 36): ceil(144 / 512) * ceil(32 / 36) = 1 each.
        XCTAssertEqual(cost.total.bram18, 16)
        // FINN's own figures: no comparators (thresholds not distributed), one 144 x 512-bit memory.
        XCTAssertEqual(FINNReferenceModel.mvauLUTs(layer, pe: 16, simd: 16), Int(300 + 1.1 * 16 * (64 + 124 + 13)))
        XCTAssertEqual(FINNReferenceModel.mvauBRAM18(layer, pe: 16, simd: 16), 15)
        // The 8-bit first layer with 2-bit weights: W + A = 10, multiplier SIMD * (2 * 2 - 1) * 10.
        let first = LayerGeometry(stage: MultiBitModels.stage("conv0", index: 0, inputs: 27, outputs: 64, input: .integer(bits: 8, isSigned: false, zeroPoint: 0),
                                                               weightBits: 2, levels: 3, folding: Folding(pe: 8, simd: 3)))
        XCTAssertEqual(FINNReferenceModel.mvauLUTs(first, pe: 8, simd: 3),
                       Int(300 + 1.1 * 8 * Double(3 * 3 * 10 + 10 * 5 + first.accumulatorBits)) + 8 * 3 * 2 * 2)
    }

    /// With one level and 1-bit weights the multi-bit formulas are the W1A1 ones.
    func testOneBitLayersPriceAsBefore() throws {
        let binary = LayerGeometry(key: "fc", label: "fc", inputs: 512, outputs: 256, inputKind: .binary, accumulatorBits: 10, hasThresholds: true)
        let cost = ResourceModel.mvau(binary, Folding(pe: 8, simd: 32))
        // W + A = 2: multiplier 32 * 1 * 2, adder tree 2 * 63, accumulator and comparator 10 each.
        XCTAssertEqual(cost.total.luts - cost.memories.reduce(0) { $0 + $1.resources.luts }, Int(300 + 1.1 * 8 * Double(64 + 126 + 20)))
        XCTAssertEqual(cost.memories.map(\.width), [32, 10, 32])
        XCTAssertEqual(binary.outputBits, 1)
    }

    /// Pools over codes: row accumulators and logic scale with the element bits; a sum pool with
    /// its widened output; the streams around them carry those widths.
    func testPoolsOverCodesAndStreamWidths() throws {
        let input = Shape3(height: 28, width: 28, channels: 64)
        let binary = PoolStage(label: "p", layerIndex: 0, input: input, pool: Pair(2, 2), stride: Pair(2, 2), andChannels: Array(repeating: false, count: 64))
        var codes = binary
        codes.bits = 2
        var sum = codes
        sum.kind = .sum
        XCTAssertEqual(sum.outputBits, 4)  // up to 4 * 3 = 12
        let costs = [binary, codes, sum].map { ResourceModel.pool($0, simd: 16) }
        XCTAssertEqual(costs.map { $0.memories.map(\.width) }, [[16], [32], [64]])
        // 100 + PE * b * (2 * 1 column + 2 * 1 row + 1) + PE * b * 1 column * ceil(CF 4 / 32), plus the
        // 14 * 4-word row accumulators in LUTRAM: PE * b LUTs.
        XCTAssertEqual(costs.map(\.total.luts), [1, 2, 4].map { b in 100 + 16 * b * 5 + 16 * b + 16 * b })
    }

    func testCNVW2A2StreamsCarryTwoBitCodes() throws {
        let graph = DataflowGraph(design: MultiBitModels.cnv())
        for stage in graph.stages {
            switch stage.id {
            case .mvau(let l) where l < 8:
                XCTAssertEqual(stage.outputWidth, MultiBitModels.pynqCNVW2A2[l].pe * 2, stage.label)
            case .mvau:
                XCTAssertEqual(stage.outputWidth, 4 * graph.geometry.layers[8].accumulatorBits)
            case .pool(let l):
                XCTAssertEqual(stage.outputWidth, MultiBitModels.pynqCNVW2A2[l].pe * 2, stage.label)
            case .window(let l) where l > 0:
                XCTAssertEqual(stage.outputWidth % 2, 0, stage.label)
            default: break
            }
        }
    }
}
