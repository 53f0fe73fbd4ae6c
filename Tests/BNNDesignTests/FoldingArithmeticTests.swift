import BNNDesign
import XCTest

/// Fold counts, padding and C++ integer types, against values worked out by hand.
final class FoldingArithmeticTests: XCTestCase {
    func testFoldsRoundUpAndPadToWholeFolds() {
        let folding = Folding(pe: 4, simd: 3)
        // 10 neurons over PE 4: folds of 4, 4, 2 (+2 padding rows); 7 inputs over SIMD 3: 3, 3, 1.
        XCTAssertEqual(folding.neuronFold(outputs: 10), 3)
        XCTAssertEqual(folding.synapseFold(inputs: 7), 3)
        XCTAssertEqual(folding.paddedOutputs(10), 12)
        XCTAssertEqual(folding.paddedInputs(7), 9)
        // Exact divisions add no padding.
        XCTAssertEqual(folding.paddedOutputs(8), 8)
        XCTAssertEqual(folding.paddedInputs(9), 9)
        XCTAssertEqual(folding.description, "PE=4, SIMD=3")
    }

    func testBinarizerLanesDivideChannelsAndSIMD() {
        XCTAssertEqual(Folding(pe: 1, simd: 4).binarizerLanes(channels: 6), 2)
        XCTAssertEqual(Folding(pe: 1, simd: 32).binarizerLanes(channels: 3), 1)
        XCTAssertEqual(Folding(pe: 1, simd: 64).binarizerLanes(channels: 784), 16)
    }

    func testNarrowestIntegerTypes() {
        XCTAssertEqual(IntegerType(holding: 0...0), IntegerType(bits: 1, isSigned: false))
        XCTAssertEqual(IntegerType(holding: 0...255), IntegerType(bits: 8, isSigned: false))
        XCTAssertEqual(IntegerType(holding: 0...256), IntegerType(bits: 9, isSigned: false))
        XCTAssertEqual(IntegerType(holding: -1...1), IntegerType(bits: 2, isSigned: true))
        XCTAssertEqual(IntegerType(holding: -128...127), IntegerType(bits: 8, isSigned: true))
        XCTAssertEqual(IntegerType(holding: -129...0), IntegerType(bits: 9, isSigned: true))
        XCTAssertEqual(IntegerType(holding: -3...200), IntegerType(bits: 9, isSigned: true))
        XCTAssertEqual(IntegerType(bits: 9, isSigned: true).range, -256...255)
        XCTAssertEqual(IntegerType(bits: 9, isSigned: true).cName, "ap_int<9>")
        XCTAssertEqual(IntegerType(bits: 3, isSigned: false).cName, "ap_uint<3>")
    }

    func testInputStreamWidths() {
        XCTAssertEqual(DesignInput(encoding: .bipolar, count: 4, channels: 1, scale: 1, zeroPoint: 0).bits, 1)
        let int8 = DesignInput(encoding: .int8, count: 4, channels: 1, scale: 1, zeroPoint: 0)
        XCTAssertEqual(int8.bits, 8)
        XCTAssertTrue(int8.isSigned)
        XCTAssertFalse(DesignInput(encoding: .uint8, count: 4, channels: 1, scale: 1, zeroPoint: 0).isSigned)
    }
}
