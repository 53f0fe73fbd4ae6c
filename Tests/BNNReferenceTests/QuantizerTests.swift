import BNNModel
import BNNReference
import XCTest

/// quantize's rounding modes and ranges, and multithreshold's counting.
final class QuantizerTests: XCTestCase {
    func testRoundingModesOnTiesAndNegativeTies() {
        // u: half_even, half_up, half_away, floor, ceil, to_zero.
        let table: [(Double, [Double])] = [
            (2.5, [2, 3, 3, 2, 3, 2]),
            (-2.5, [-2, -2, -3, -3, -2, -2]),
            (1.5, [2, 2, 2, 1, 2, 1]),
            (-1.5, [-2, -1, -2, -2, -1, -1]),
            (0.5, [0, 1, 1, 0, 1, 0]),
            (-0.5, [0, 0, -1, -1, 0, 0]),
            (2.4, [2, 2, 2, 2, 3, 2]),
            (-2.6, [-3, -3, -3, -3, -2, -2]),
            (3, [3, 3, 3, 3, 3, 3]),
            // The float64 just below 1/2: u + 0.5 rounds up to 1 in float64, floor(u + 1/2) is 0.
            (0.49999999999999994, [0, 0, 0, 0, 1, 0]),
            (-0.49999999999999994, [0, 0, 0, -1, 0, 0]),
            // 2^51 + 1/2 (spacing 1/2 here): ties at the edge of float64's fractions.
            (2251799813685248.5, [2251799813685248, 2251799813685249, 2251799813685249, 2251799813685248, 2251799813685249, 2251799813685248]),
            (-2251799813685248.5, [-2251799813685248, -2251799813685248, -2251799813685249, -2251799813685249, -2251799813685248, -2251799813685248]),
            (2251799813685249.5, [2251799813685250, 2251799813685250, 2251799813685250, 2251799813685249, 2251799813685250, 2251799813685249]),
            (1e300, [1e300, 1e300, 1e300, 1e300, 1e300, 1e300]),
        ]
        let modes: [RoundingMode] = [.halfEven, .halfUp, .halfAway, .floor, .ceil, .toZero]
        for (u, expected) in table {
            XCTAssertEqual(modes.map { ReferenceMath.round(u, $0) }, expected, "u = \(u)")
        }
        XCTAssertEqual(0.49999999999999994 + 0.5, 1, "why half_up is not u + 0.5 in float64")
    }

    func quantizer(_ bits: Int, signed: Bool = false, narrow: Bool = false, scale: Double = 1, _ rounding: RoundingMode = .halfEven) -> Quantize {
        Quantize(bits: bits, signed: signed, narrow: narrow, scale: scale, rounding: rounding)
    }

    func testRanges() {
        XCTAssertEqual([quantizer(2).kmin, quantizer(2).kmax], [0, 3])
        XCTAssertEqual([quantizer(2, narrow: true).kmin, quantizer(2, narrow: true).kmax], [0, 2])
        XCTAssertEqual([quantizer(2, signed: true).kmin, quantizer(2, signed: true).kmax], [-2, 1])
        XCTAssertEqual([quantizer(2, signed: true, narrow: true).kmin, quantizer(2, signed: true, narrow: true).kmax], [-1, 1])
        XCTAssertEqual([quantizer(8).kmin, quantizer(8).kmax], [0, 255])
        XCTAssertEqual([quantizer(8, signed: true).kmin, quantizer(8, signed: true).kmax], [-128, 127])
        XCTAssertEqual([quantizer(8, signed: true, narrow: true).kmin, quantizer(8, signed: true, narrow: true).kmax], [-127, 127])
        let ternary = quantizer(2, signed: true, narrow: true, scale: 0.5)
        XCTAssertEqual([-3, -0.3, -0.25, 0.2, 0.25, 0.26, 9].map { ReferenceMath.quantize($0, ternary) }, [-1, -1, 0, 0, 0, 1, 1])
        let unsigned = quantizer(3, scale: 0.25, .halfUp)
        XCTAssertEqual([-1, 0.125, 0.375, 1.625, 1.875, 5].map { ReferenceMath.quantize($0, unsigned) }, [0, 1, 2, 7, 7, 7])
    }

    /// `u = x / scale` rounds once in float64 before the mode applies, and overflow clamps.
    func testQuantizeDividesInFloat64AndClamps() {
        // 0.3 / 0.1 = 2.9999999999999996 in float64: floor gives 2, not 3.
        XCTAssertEqual(ReferenceMath.quantize(0.3, quantizer(4, scale: 0.1, .floor)), 2)
        XCTAssertEqual(ReferenceMath.quantize(0.3, quantizer(4, scale: 0.1, .halfEven)), 3)
        let wide = quantizer(8, signed: true, scale: 1e-300)
        XCTAssertEqual(ReferenceMath.quantize(1e300, wide), 127, "u overflows to +inf")
        XCTAssertEqual(ReferenceMath.quantize(-1e300, wide), -128, "u overflows to -inf")
        XCTAssertEqual(ReferenceMath.quantize(.infinity, wide), 127)
        XCTAssertEqual(ReferenceMath.quantize(.nan, wide), -128, "NaN: the lowest code, as no threshold passes")
    }

    func testMultithresholdCountsRepeatedThresholds() {
        let row = [-0.5, -0.5, 0.5]
        XCTAssertEqual([-0.6, -0.5, 0, 0.49, 0.5, 7].map { ReferenceMath.multithreshold($0, row: row) }, [0, 2, 2, 2, 3, 3])
        XCTAssertEqual(ReferenceMath.multithreshold(.nan, row: row), 0)
        XCTAssertEqual(ReferenceMath.multithreshold(1, row: [1, 1, 1, 1]), 4)
        XCTAssertEqual(ReferenceMath.multithreshold(0.9999999999999999, row: [1, 1, 1, 1]), 0)
    }

    func testElementwise() {
        XCTAssertEqual(ReferenceMath.prelu(-2, slope: 0.25), -0.5)
        XCTAssertEqual(ReferenceMath.prelu(3, slope: 0.25), 3)
        XCTAssertEqual(ReferenceMath.prelu(-0.0, slope: 5).bitPattern, (-0.0).bitPattern, "-0 >= 0: passes through")
        XCTAssertEqual(ReferenceMath.prelu(-0.1, slope: 3), -0.30000000000000004, "one rounding")
        let hardtanh = Clamp(min: -1, max: 1)
        XCTAssertEqual([-5, -1, 0.5, 1, 2].map { ReferenceMath.clamp($0, hardtanh) }, [-1, -1, 0.5, 1, 1])
    }
}
