import BNNCompiler
import BNNDesign
import BNNModel
import XCTest

/// The multi-bit ROM layouts: integer weights in two's complement lanes with zero padding, and
/// multi-level thresholds with their falling flags, read back through the Design's accessors.
final class MultiBitPackTests: XCTestCase {
    func testIntegerWeightsRoundTripWithZeroPadding() {
        for bits in [2, 3, 8] {
            let range = IntegerMatrix.range(bits: bits)
            let (rows, columns) = (5, 7)
            let values = (0..<(rows * columns)).map { Int8(range.lowerBound + ($0 * 7) % range.count) }
            let matrix = IntegerMatrix(rows: rows, columns: columns, bits: bits, values: values)
            for folding in [Folding(pe: 1, simd: 1), Folding(pe: 2, simd: 3), Folding(pe: 5, simd: 7), Folding(pe: 3, simd: 4)] {
                let rom = PackWeights.packIntegerWeights(matrix, folding)
                XCTAssertEqual(rom.weightBits, bits)
                let sf = folding.synapseFold(inputs: columns)
                for r in 0..<folding.paddedOutputs(rows) {
                    for c in 0..<folding.paddedInputs(columns) {
                        let w = rom.weight(bank: r % folding.pe, address: (r / folding.pe) * sf + c / folding.simd, lane: c % folding.simd)
                        XCTAssertEqual(w, r < rows && c < columns ? matrix[r, c] : 0, "bits \(bits) \(folding) row \(r) column \(c)")
                    }
                }
            }
        }
    }

    func testMultiThresholdLayoutAndCodes() {
        // 3 neurons, one class, 3 levels; neuron 1 falls.
        let values = [[[0, 2, 4], [-1, -1, 3], [5, 6, 7]]]
        let t = MultiLevelThresholds(levels: 3, outputBits: 2, values: values, falling: [false, true, false])
        let rom = PackWeights.packMultiThresholds(t, pe: 2, border: nil)
        XCTAssertEqual(rom.depth, 2)
        XCTAssertEqual(rom.values.count, 2 * 2 * 3)
        for n in 0..<3 {
            XCTAssertEqual(rom.isFalling(bank: n % 2, address: n / 2), n == 1)
        }
        XCTAssertEqual((0..<3).map { rom.threshold(bank: 0, address: 0, level: $0) }, [0, 2, 4])
        XCTAssertEqual((0..<3).map { rom.threshold(bank: 1, address: 0, level: $0) }, [-1, -1, 3])
        XCTAssertEqual((0..<3).map { rom.threshold(bank: 0, address: 1, level: $0) }, [5, 6, 7])
        // Codes: count of levels reached, on -acc for the falling neuron (a repeated threshold
        // skips a code).
        XCTAssertEqual([-1, 0, 2, 3, 4].map { rom.code($0, bank: 0, address: 0) }, [0, 1, 2, 2, 3])
        XCTAssertEqual([2, 1, 0, -2, -3].map { rom.code($0, bank: 1, address: 0) }, [0, 2, 2, 2, 3])
        XCTAssertEqual(MultiThresholdROM.bits(levels: 3), 2)
        XCTAssertEqual(MultiThresholdROM.bits(levels: 4), 3)
        XCTAssertEqual(MultiThresholdROM.bits(levels: 1), 1)
    }
}
