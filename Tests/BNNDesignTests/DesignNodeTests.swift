import BNNDesign
import XCTest

/// The dataflow graph of a design: the chain default, readers, and a join's shortcut-coded ROM.
final class DesignNodeTests: XCTestCase {
    func testTheChainDefault() {
        let nodes = DesignNode.chain(layers: 3)
        XCTAssertEqual(nodes.map(\.layer), [0, 1, 2])
        XCTAssertEqual(nodes.map(\.inputs), [[.input], [.node(0)], [.node(1)]])
        XCTAssertTrue(nodes.allSatisfy { $0.thresholdStage == nil })
    }

    /// Two channels on PE 2, two shortcut codes, three levels: the class dimension of the ROM
    /// is the shortcut code; channel 1 falls (compares the negated main value).
    func testAJoinCodeReadsTheThresholdsOfItsShortcutCode() {
        // [bank][class = shortcut code][address][level], depth 1.
        let values = [-1, 0, 1, /* code 1: */ -3, -2, -1,  // channel 0
                      0, 2, 4, /* code 1: */ 10, 11, 12]   // channel 1
        let rom = MultiThresholdROM(pe: 2, depth: 1, levels: 3, outputBits: 2, values: values, falling: [false, true], codeClasses: 2)
        XCTAssertEqual(rom.classes, 2)
        let join = ThresholdStage(label: "layers[5] (add)", layerIndices: [5, 6], channels: 2, pixels: 4, pe: 2,
                                  mainType: IntegerType(bits: 6, isSigned: true), thresholdType: IntegerType(bits: 6, isSigned: true),
                                  shortcutBits: 1, thresholds: rom)
        XCTAssertTrue(join.isJoin)
        XCTAssertEqual(join.shortcutCodes, 2)
        XCTAssertEqual(join.outputBits, 2)
        XCTAssertEqual(join.outputCount, 8)
        XCTAssertEqual((-2...2).map { join.code(main: $0, channel: 0, shortcut: 0) }, [0, 1, 2, 3, 3])
        XCTAssertEqual((-2...2).map { join.code(main: $0, channel: 0, shortcut: 1) }, [2, 3, 3, 3, 3])
        // Falling: -main against 0, 2, 4 (code 0) and 10, 11, 12 (code 1).
        XCTAssertEqual([-4, -2, 0, 1].map { join.code(main: $0, channel: 1, shortcut: 0) }, [3, 2, 1, 0])
        XCTAssertEqual([-12, -11, -10, 0].map { join.code(main: $0, channel: 1, shortcut: 1) }, [3, 2, 1, 0])
        let requantization = ThresholdStage(label: "q", layerIndices: [7], channels: 2, pixels: 1, pe: 2, mainType: IntegerType(bits: 2, isSigned: false),
                                            thresholdType: IntegerType(bits: 3, isSigned: true), shortcutBits: nil,
                                            thresholds: MultiThresholdROM(pe: 2, depth: 1, levels: 1, outputBits: 1, values: [2, 1], falling: [false, false]))
        XCTAssertFalse(requantization.isJoin)
        XCTAssertEqual(requantization.shortcutCodes, 1)
        XCTAssertEqual((0...3).map { requantization.code(main: $0, channel: 0) }, [0, 0, 1, 1])
        XCTAssertEqual((0...3).map { requantization.code(main: $0, channel: 1) }, [0, 1, 1, 1])
    }
}
