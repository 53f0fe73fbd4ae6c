import BNNDesign
import BNNModel
import XCTest

/// The ROM layouts the emitter writes and the simulator reads (FINN's: PE banks of SIMD-bit
/// words), addressed by hand.
final class ROMLayoutTests: XCTestCase {
    func testWeightBitsLandInTheirBankAddressAndLane() {
        // SIMD 70 needs two 64-bit limbs per word.
        var rom = WeightROM(simd: 70, pe: 2, depth: 3)
        XCTAssertEqual(rom.limbsPerWord, 2)
        XCTAssertEqual(rom.limbs.count, 2 * 3 * 2)
        rom.setBit(bank: 1, address: 2, lane: 65)
        rom.setBit(bank: 0, address: 0, lane: 0)
        // [bank][address][limb]: bank 1, address 2, limb 1 is limb (1 * 3 + 2) * 2 + 1 = 11.
        XCTAssertEqual(rom.limbs[11], 1 << 1)
        XCTAssertEqual(rom.limbs[0], 1)
        XCTAssertEqual(rom.limbs.enumerated().filter { $0.element != 0 }.map(\.offset), [0, 11])
        XCTAssertTrue(rom.bit(bank: 1, address: 2, lane: 65))
        XCTAssertFalse(rom.bit(bank: 0, address: 2, lane: 65))
        XCTAssertFalse(rom.bit(bank: 1, address: 1, lane: 65))
        XCTAssertFalse(rom.bit(bank: 1, address: 2, lane: 1))
        XCTAssertEqual(Array(rom.word(bank: 1, address: 2)), [0, 2])
        XCTAssertEqual(Array(rom.word(bank: 0, address: 0)), [1, 0])
    }

    func testThresholdsByBankClassAndAddress() {
        // PE 2, 3 neurons per bank, one class: neuron n at bank n % 2, address n / 2.
        let plain = ThresholdROM(pe: 2, depth: 3, values: [10, 12, 14, 11, 13, 15])
        XCTAssertEqual(plain.classes, 1)
        XCTAssertEqual((0..<6).map { plain.threshold(bank: $0 % 2, address: $0 / 2) }, [10, 11, 12, 13, 14, 15])
    }

    func testBorderClassesOfAPaddedConvolution() {
        // 4x4 input, 3x3 kernel, stride 1, padding 1: output rows 0..3 start at input rows
        // -1, 0, 1, 2, so row 0 has one kernel row in the top padding, row 3 one in the bottom
        // one, rows 1 and 2 none: three row classes, likewise three column classes.
        let window = SlidingWindowStage(input: Shape3(height: 4, width: 4, channels: 1), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .constant(0))
        XCTAssertEqual(window.outputPixels, 16)
        let border = BorderClasses(window: window)
        XCTAssertEqual(border.rowClasses, [0, 1, 1, 2])
        XCTAssertEqual(border.columnClasses, [0, 1, 1, 2])
        XCTAssertEqual(border.rowOverlaps.map { [$0.before, $0.after] }, [[1, 0], [0, 0], [0, 1]])
        XCTAssertEqual(border.count, 9)
        XCTAssertEqual(border.classOf(pixel: 0), 0)
        XCTAssertEqual(border.classOf(pixel: 5), 4)
        XCTAssertEqual(border.classOf(pixel: 15), 8)
        XCTAssertEqual(border.classOf(pixel: 3), 2)
        // The corner class pads the top row and left column of the kernel; the middle one nothing.
        let corner = (0..<3).flatMap { ky in (0..<3).map { kx in border.isPadded(ky: ky, kx: kx, borderClass: 0) } }
        XCTAssertEqual(corner, [true, true, true, true, false, false, true, false, false])
        XCTAssertFalse((0..<9).contains { border.isPadded(ky: $0 / 3, kx: $0 % 3, borderClass: 4) })

        // Two classes, then thresholds of class 1 follow class 0 within a bank.
        let rom = ThresholdROM(pe: 1, depth: 2, values: [1, 2, 3, 4], border: BorderClasses(window: SlidingWindowStage(
            input: Shape3(height: 1, width: 2, channels: 1), kernel: Pair(1, 2), stride: Pair(1, 1),
            padding: Padding(top: 0, bottom: 0, left: 1, right: 0), pad: .constant(0))))
        XCTAssertEqual(rom.classes, 2)
        XCTAssertEqual([rom.threshold(bank: 0, address: 1, borderClass: 0), rom.threshold(bank: 0, address: 0, borderClass: 1)], [2, 3])
    }

    func testWindowAndPoolShapes() {
        let window = SlidingWindowStage(input: Shape3(height: 7, width: 5, channels: 6), kernel: Pair(3, 2), stride: Pair(2, 1),
                                        padding: Padding(top: 0, bottom: 1, left: 0, right: 0), pad: .masked)
        // (7 + 1 - 3) / 2 + 1 = 3 rows, (5 - 2) / 1 + 1 = 4 columns.
        XCTAssertEqual([window.output.height, window.output.width, window.outputPixels], [3, 4, 12])
        // SIMD 4 does not divide 6 channels: the next divisor up, 6; SIMD 2 and 3 do.
        XCTAssertEqual([1, 2, 3, 4, 6, 64].map { window.channelsPerWord(simd: $0) }, [1, 2, 3, 6, 6, 6])
        let pool = PoolStage(label: "pool", layerIndex: 3, input: Shape3(height: 5, width: 4, channels: 3), pool: Pair(2, 2), stride: Pair(2, 2),
                             andChannels: [false, true, false])
        XCTAssertEqual(pool.output, Shape3(height: 2, width: 2, channels: 3))
        let padded = pool.padded(channels: 4)
        XCTAssertEqual(padded.input.channels, 4)
        XCTAssertEqual(padded.andChannels, [false, true, false, false])
    }

    func testLogitMapStepsByHand() {
        // sum = 2 * 5 - 7 = 3; s = 1.5; y = 1.5 * 2 + 1 = 4; (4 - 1) * 3 / 2 + 0.5 = 5.
        let map = LogitMap(accScale: 2, accOffset: -7, inputScale: 0.5, alpha: 2, bias: 1,
                           batchnorm: .init(mean: 1, gamma: 3, stddev: 2, beta: 0.5))
        XCTAssertEqual(map.sum(5), 3)
        XCTAssertEqual(map.logit(5), 5)
        XCTAssertEqual(OutputStage.logits(maps: [map]).isArgmax, false)
        XCTAssertEqual(OutputStage.argmaxOfLogits(maps: [map, map]).maps.count, 2)
    }
}
