import BNNReference
import XCTest

/// `ExactNumber` and `BigUInt`: exact sums and products, and one correct rounding to float64.
final class ExactNumberTests: XCTestCase {
    func exact(_ x: Double) -> ExactNumber {
        guard let value = ExactNumber(x) else { XCTFail("\(x) is not finite"); return .zero }
        return value
    }

    func testBigUIntArithmetic() {
        let max = BigUInt(UInt64.max)
        let square = max * max  // (2^64 - 1)^2 = 2^128 - 2^65 + 1
        XCTAssertEqual(square, (BigUInt.one << 128) - (BigUInt.one << 65) + .one)
        XCTAssertEqual(square.bitWidth, 128)
        XCTAssertEqual(square.description, "0xfffffffffffffffe0000000000000001")
        let (q, r) = square.quotientAndRemainder(dividingBy: max)
        XCTAssertEqual(q, max)
        XCTAssertTrue(r.isZero)
        let (q7, r7) = (BigUInt(1000) << 70).quotientAndRemainder(dividingBy: BigUInt(7))
        XCTAssertEqual(q7 * BigUInt(7) + r7, BigUInt(1000) << 70)
        XCTAssertLessThan(r7, BigUInt(7))
        XCTAssertEqual((BigUInt(0b1011) << 130) >> 131, BigUInt(0b101))
        XCTAssertEqual((BigUInt.one << 200).trailingZeroBitCount, 200)
        XCTAssertTrue((BigUInt.one << 100 + BigUInt(1)).hasBits(below: 1))
        XCTAssertFalse((BigUInt.one << 100).hasBits(below: 100))
        XCTAssertTrue((BigUInt.one << 100).hasBits(below: 101))
    }

    func testRoundTripsEveryKindOfDouble() {
        for x in [0.1, -0.1, 1, -2.5, 1e300, -1e-300, .greatestFiniteMagnitude, .leastNormalMagnitude,
                  .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 3 * .leastNonzeroMagnitude, 123456789.123] {
            XCTAssertEqual(exact(x).double.bitPattern, x.bitPattern, "\(x)")
        }
        XCTAssertEqual(ExactNumber(0.0).map { $0.double.bitPattern }, 0)
        XCTAssertEqual(ExactNumber(-0.0).map { $0.double.bitPattern }, 0, "exact zero is +0")
        XCTAssertNil(ExactNumber(.infinity))
        XCTAssertNil(ExactNumber(.nan))
        XCTAssertEqual(ExactNumber(Int.min).double, -9223372036854775808.0)
    }

    /// 0.1 + 0.2 summed exactly, then rounded once, is IEEE's correctly rounded sum; but the
    /// exact value is neither 0.3 nor the float64 0.30000000000000004.
    func testPointOnePlusPointTwo() {
        let sum = exact(0.1) + exact(0.2)
        XCTAssertEqual(sum.double, 0.30000000000000004)
        XCTAssertGreaterThan(sum, exact(0.3))
        XCTAssertLessThan(sum, exact(0.30000000000000004))
        XCTAssertEqual(sum - exact(0.2), exact(0.1))
    }

    /// Sums whose float64 running sum loses bits.
    func testExactSumsDifferFromRunningSums() {
        let ones = exact(1e16) + exact(1) + exact(1)
        XCTAssertEqual(ones.double, 1.0000000000000002e16)
        XCTAssertEqual(1e16 + 1 + 1, 1e16, "float64 drops each 1")
        var ninths = ExactNumber.zero
        for _ in 0..<9 { ninths = ninths + ExactNumber(1) / 9 }
        XCTAssertEqual(ninths, ExactNumber(1))
        XCTAssertEqual(ninths.double, 1)
        var tenths = ExactNumber.zero
        for _ in 0..<10 { tenths = tenths + exact(0.1) }
        XCTAssertEqual(tenths.double, 1, "ten float64 0.1s are 1 + 2^-54 * 10/16..., nearest 1")
    }

    func testTiesRoundToEven() {
        let two53 = ExactNumber(1 << 53)
        XCTAssertEqual((two53 + ExactNumber(1)).double, 9007199254740992)  // tie, even below
        XCTAssertEqual((two53 + ExactNumber(3)).double, 9007199254740996)  // tie, even above
        XCTAssertEqual((-(two53 + ExactNumber(3))).double, -9007199254740996)
        XCTAssertEqual((two53 + ExactNumber(1) + exact(0x1p-60)).double, 9007199254740994, "just above the tie")
        XCTAssertEqual((ExactNumber(1) + exact(0x1p-53)).double, 1, "half an ulp above 1: tie to even")
        XCTAssertEqual((ExactNumber(1) + exact(0x1p-53) + exact(0x1p-200)).double, 1 + 0x1p-52)
        XCTAssertEqual((ExactNumber(1) - exact(0x1p-54)).double, 1, "a quarter ulp below 1")
        // Thirds: one correct rounding, as IEEE division.
        XCTAssertEqual((ExactNumber(1) / 3).double, 1.0 / 3.0)
        XCTAssertEqual((ExactNumber(2) / 3).double, 2.0 / 3.0)
        XCTAssertEqual((exact(0.1) / 9).double, 0.1 / 9)
        XCTAssertEqual(ExactNumber(1) / 3 + ExactNumber(1) / 3, ExactNumber(2) / 3)
    }

    func testHugeAndTinyExponents() {
        let top = exact(.greatestFiniteMagnitude)
        XCTAssertEqual((top + exact(0x1p969)).double, .greatestFiniteMagnitude, "below half an ulp")
        XCTAssertEqual((top + exact(0x1p970)).double, .infinity, "half an ulp: tie to even overflows")
        XCTAssertEqual((-top * 2).double, -.infinity)
        XCTAssertEqual((top - top).double, 0)
        XCTAssertEqual((exact(1e300) * exact(1e-300)).double, 1e300 * 1e-300)
        let least = exact(.leastNonzeroMagnitude)
        XCTAssertEqual((least / 2).double, 0, "half the least subnormal ties to 0")
        XCTAssertEqual((least * 3 / 2).double, 2 * .leastNonzeroMagnitude, "1.5 ties to 2")
        XCTAssertEqual((least / 3).double, 0)
        XCTAssertEqual((least * 2 / 3).double, .leastNonzeroMagnitude)
        XCTAssertEqual((-least / 3).double.bitPattern, (-0.0).bitPattern, "rounds to -0")
        XCTAssertEqual((exact(.leastNormalMagnitude) - least).double, .leastNormalMagnitude - .leastNonzeroMagnitude)
        XCTAssertEqual((exact(1e-310) / 7).double, 1e-310 / 7)
        XCTAssertEqual((exact(1e308) + exact(1e-308)).double, 1e308)
        XCTAssertEqual((exact(1e308) + exact(1e-308) - exact(1e308)).double, 1e-308, "2000 bits apart, exactly")
    }

    /// IEEE's +, *, / are correctly rounded: on float64 operands they are the oracle.
    func testAgreesWithIEEEOnRandomOperands() {
        var generator = SplitMix(seed: 12)
        for _ in 0..<2000 {
            let a = generator.double(), b = generator.double()
            let n = Int(generator.next() % 1000) + 1
            XCTAssertEqual((exact(a) + exact(b)).double.bitPattern, (a + b).bitPattern, "\(a) + \(b)")
            // A nonzero exact value that rounds to zero keeps its sign, as in IEEE.
            XCTAssertEqual((exact(a) - exact(b)).double.bitPattern, (a - b).bitPattern, "\(a) - \(b)")
            XCTAssertEqual((exact(a) * exact(b)).double.bitPattern, (a * b).bitPattern, "\(a) * \(b)")
            XCTAssertEqual((exact(a) / n).double.bitPattern, (a / Double(n)).bitPattern, "\(a) / \(n)")
            XCTAssertEqual(exact(a) < exact(b), a < b)
            // Close magnitudes: cancellation and carries across the 53rd bit.
            let c = Double(generator.next() >> 11) * 0x1p-20, d = -c * (1 + Double(generator.next() % 4096) * 0x1p-52)
            XCTAssertEqual((exact(c) + exact(d)).double.bitPattern, (c + d).bitPattern, "\(c) + \(d)")
            XCTAssertEqual((exact(c) * exact(d)).double.bitPattern, (c * d).bitPattern, "\(c) * \(d)")
        }
    }
}

/// Random float64s of every magnitude, sign and precision (including subnormals), reproducibly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func double() -> Double {
        while true {
            let x = Double(bitPattern: next())
            if x.isFinite { return x }
        }
    }
}
