import BNNCompiler
import BNNDesign
import BNNModel
import XCTest

final class PackWeightsTests: XCTestCase {
    /// FINN's layout, checked against the formula written out independently here: row r goes
    /// to PE r % PE at address (r / PE) * (MW / SIMD) + c / SIMD, lane c % SIMD.
    func testLayoutMatchesFormula() {
        let (rows, columns) = (6, 12)
        var bits: [Bool] = []
        for r in 0..<rows { for c in 0..<columns { bits.append((r * 7 + c * 3) % 5 < 2) } }
        let matrix = SignMatrix(rows: rows, columns: columns, isPositive: bits)
        for folding in [Folding(pe: 1, simd: 1), Folding(pe: 2, simd: 4), Folding(pe: 3, simd: 6), Folding(pe: 6, simd: 12)] {
            let rom = PackWeights.packWeights(matrix, folding)
            XCTAssertEqual(rom.depth, (rows / folding.pe) * (columns / folding.simd))
            for r in 0..<rows {
                for c in 0..<columns {
                    let address = (r / folding.pe) * (columns / folding.simd) + c / folding.simd
                    XCTAssertEqual(rom.bit(bank: r % folding.pe, address: address, lane: c % folding.simd), matrix[r, c], "\(folding) r\(r) c\(c)")
                }
            }
        }
    }

    func testWideWordsSpanLimbs() {
        let matrix = SignMatrix(rows: 1, columns: 140, isPositive: (0..<140).map { $0 == 3 || $0 == 69 || $0 == 139 })
        let rom = PackWeights.packWeights(matrix, Folding(pe: 1, simd: 70))
        XCTAssertEqual(rom.limbsPerWord, 2)
        XCTAssertEqual(Array(rom.word(bank: 0, address: 0)), [1 << 3, 1 << 5])
        XCTAssertEqual(Array(rom.word(bank: 0, address: 1)), [0, 1 << 5])
    }

    func testThresholdsDistributedOverPEs() {
        let rom = PackWeights.packThresholds([[10, 11, 12, 13, 14, 15]], pe: 2)
        XCTAssertEqual(rom.depth, 3)
        XCTAssertEqual((0..<3).map { rom.threshold(bank: 0, address: $0) }, [10, 12, 14])
        XCTAssertEqual((0..<3).map { rom.threshold(bank: 1, address: $0) }, [11, 13, 15])
    }
}
