import BNNDesign
import BNNModel
@testable import BNNSimulator
import XCTest

/// The bit-plane kernel against plain scalar dot products `sum w * u` over integer weights and
/// codes drawn here, for every code width A and weight width W in 1...8, through the kernel's
/// constructor from an `MvauStage` (weights written into FINN's ROM layout, folds padded).
final class BitPlaneKernelTests: XCTestCase {
    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Draws {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    /// Weights of `bits` bits: +-1 for 1 bit, else the whole two's complement range.
    static func weights(rows: Int, columns: Int, bits: Int, _ draws: inout Draws) -> [[Int]] {
        (0..<rows).map { _ in
            (0..<columns).map { _ in bits == 1 ? (draws.int(0...1) == 1 ? 1 : -1) : draws.int(-(1 << (bits - 1))...((1 << (bits - 1)) - 1)) }
        }
    }

    static func stage(_ weights: [[Int]], weightBits: Int, input: MvauInput, folding: Folding, window: SlidingWindowStage? = nil) -> MvauStage {
        let sf = folding.synapseFold(inputs: weights[0].count)
        var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: folding.neuronFold(outputs: weights.count) * sf, weightBits: weightBits)
        for (r, row) in weights.enumerated() {
            for (c, w) in row.enumerated() {
                rom.setWeight(w, bank: r % folding.pe, address: (r / folding.pe) * sf + c / folding.simd, lane: c % folding.simd)
            }
        }
        return MvauStage(layerIndices: [0], label: "layer", key: "layer", inputs: weights[0].count, outputs: weights.count,
                         folding: folding, inputKind: input, weights: rom, activation: .accumulator,
                         accumulatorType: IntegerType(holding: -(1 << 40)...(1 << 40)), window: window)
    }

    static func accumulate(_ kernel: BitPlaneKernel, _ codes: [UInt8], imageValues: Int, count: Int) -> [Int] {
        var output = [Int](repeating: .min, count: count * kernel.pixels * kernel.rows)
        codes.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { kernel.accumulate(x, imageValues: imageValues, count: count, into: $0) }
        }
        return output
    }

    func testDenseLayersOfEveryCodeAndWeightWidth() throws {
        var draws = Draws(state: 0x9E37_79B9_7F4A_7C15)
        let widths = [1, 63, 65, 130, 201]
        var checked = 0
        for a in 1...8 {
            for w in 1...8 {
                let columns = widths[(a + w) % widths.count]
                let rows = draws.int(1...70)
                let weights = Self.weights(rows: rows, columns: columns, bits: w, &draws)
                let folding = Folding(pe: draws.int(1...4), simd: draws.int(1...9))
                let kernel = try XCTUnwrap(BitPlaneKernel(stage: Self.stage(weights, weightBits: w, input: .codes(bits: a), folding: folding)))
                // 5 images: an odd count pairs the last vector with itself.
                let images = 5
                var codes = (0..<(images * columns)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                // The extremes: every code at its largest, and all zero.
                for c in 0..<columns {
                    codes[c] = UInt8((1 << a) - 1)
                    codes[columns + c] = 0
                }
                let got = Self.accumulate(kernel, codes, imageValues: columns, count: images)
                for image in 0..<images {
                    for r in 0..<rows {
                        let expected = (0..<columns).reduce(0) { $0 + weights[r][$1] * Int(codes[image * columns + $1]) }
                        XCTAssertEqual(got[image * rows + r], expected, "A=\(a) W=\(w) rows \(rows) columns \(columns) image \(image) row \(r)")
                    }
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 64)
    }

    /// Convolutions (HWC codes, window elements (ky, kx, c)) with padding and every kind of pad
    /// code, against the sum over the window written out with the padded codes.
    func testConvolutionWindowsWithPads() throws {
        var draws = Draws(state: 12345)
        let pads: [WindowPad] = [.constant(0), .constant(2), .parity(even: 1, odd: 3), .parity(even: 0, odd: 1)]
        for (n, pad) in pads.enumerated() {
            for (a, w) in [(2, 1), (2, 2), (3, 4), (8, 2)] {
                let input = Shape3(height: 6, width: 5, channels: 3 + n)
                let padding = n == 0 ? Padding(top: 0, bottom: 0, left: 0, right: 0) : Padding(top: 1, bottom: 2, left: 1, right: 1)
                let window = SlidingWindowStage(input: input, kernel: Pair(3, 3), stride: Pair(1 + n % 2, 1), padding: padding, pad: pad)
                let columns = 9 * input.channels
                let rows = draws.int(30...40)
                let weights = Self.weights(rows: rows, columns: columns, bits: w, &draws)
                let stage = Self.stage(weights, weightBits: w, input: .codes(bits: a), folding: Folding(pe: 2, simd: 4), window: window)
                let kernel = try XCTUnwrap(BitPlaneKernel(stage: stage))
                let images = 3
                let codes = (0..<(images * input.count)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                let got = Self.accumulate(kernel, codes, imageValues: input.count, count: images)
                let out = window.output
                XCTAssertEqual(kernel.pixels, out.height * out.width)
                for image in 0..<images {
                    for oy in 0..<out.height {
                        for ox in 0..<out.width {
                            // The window's codes, padded taps from the pad's definition.
                            var window: [Int] = []
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let y = oy * (1 + n % 2) + ky - padding.top
                                    let x = ox + kx - padding.left
                                    for c in 0..<input.channels {
                                        if y >= 0 && y < input.height && x >= 0 && x < input.width {
                                            window.append(Int(codes[image * input.count + (y * input.width + x) * input.channels + c]))
                                        } else {
                                            switch pad {
                                            case .constant(let v): window.append(v)
                                            case .parity(let even, let odd): window.append((y + x) % 2 == 0 ? even : odd)
                                            case .masked: XCTFail("no masked pad here")
                                            }
                                        }
                                    }
                                }
                            }
                            let pixel = (image * out.height + oy) * out.width + ox
                            for r in 0..<rows {
                                let expected = zip(weights[r], window).reduce(0) { $0 + $1.0 * $1.1 }
                                XCTAssertEqual(got[pixel * rows + r], expected, "pad \(pad) A=\(a) W=\(w) pixel (\(oy), \(ox)) image \(image) row \(r)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// More images than one chunk of vectors, so chunks follow each other in the output.
    func testManyImagesInSeveralChunks() throws {
        var draws = Draws(state: 777)
        let weights = Self.weights(rows: 33, columns: 70, bits: 2, &draws)
        let kernel = try XCTUnwrap(BitPlaneKernel(stage: Self.stage(weights, weightBits: 2, input: .codes(bits: 2), folding: Folding(pe: 1, simd: 7))))
        let images = 601
        let codes = (0..<(images * 70)).map { _ in UInt8(draws.int(0...3)) }
        let got = Self.accumulate(kernel, codes, imageValues: 70, count: images)
        for image in stride(from: 0, to: images, by: 37) + [images - 1] {
            for r in 0..<33 {
                XCTAssertEqual(got[image * 33 + r], (0..<70).reduce(0) { $0 + weights[r][$1] * Int(codes[image * 70 + $1]) }, "image \(image) row \(r)")
            }
        }
    }

    func testOnlyCodeInputBuildsAKernel() {
        let weights = [[1, -1, 1]]
        let folding = Folding(pe: 1, simd: 3)
        XCTAssertNil(BitPlaneKernel(stage: Self.stage(weights, weightBits: 1, input: .binary, folding: folding)))
        XCTAssertNil(BitPlaneKernel(stage: Self.stage(weights, weightBits: 1, input: .integer(bits: 8, isSigned: true, zeroPoint: 0), folding: folding)))
        XCTAssertNil(BitPlaneKernel(stage: Self.stage(weights, weightBits: 1, input: .integer(bits: 8, isSigned: false, zeroPoint: 128), folding: folding)))
        XCTAssertNil(BitPlaneKernel(stage: Self.stage(weights, weightBits: 1, input: .codes(bits: 9), folding: folding)))
        XCTAssertNotNil(BitPlaneKernel(stage: Self.stage(weights, weightBits: 1, input: .integer(bits: 8, isSigned: false, zeroPoint: 0), folding: folding)))
    }
}
