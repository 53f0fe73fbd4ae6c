import BNNDesign
import BNNModel
@testable import BNNSimulator
import XCTest

/// The bit-plane kernel against plain scalar dot products `sum w * u` over integer weights and
/// codes drawn here, for every code width A and weight width W in 1...8, through the kernel's
/// constructor from an `MvauStage` (weights written into FINN's ROM layout, folds padded).
/// Both of its paths (bit planes, integer lanes) are checked wherever each applies.
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
                let stage = Self.stage(weights, weightBits: w, input: .codes(bits: a), folding: folding)
                // 5 images: an odd count pairs the last vector with itself.
                let images = 5
                var codes = (0..<(images * columns)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                // The extremes: every code at its largest, and all zero.
                for c in 0..<columns {
                    codes[c] = UInt8((1 << a) - 1)
                    codes[columns + c] = 0
                }
                for path in [BitPlaneKernel.PathChoice.planes, .lanes] {
                    let kernel = try XCTUnwrap(BitPlaneKernel(stage: stage, path: path))
                    let got = Self.accumulate(kernel, codes, imageValues: columns, count: images)
                    for image in 0..<images {
                        for r in 0..<rows {
                            let expected = (0..<columns).reduce(0) { $0 + weights[r][$1] * Int(codes[image * columns + $1]) }
                            XCTAssertEqual(got[image * rows + r], expected, "\(path) A=\(a) W=\(w) rows \(rows) columns \(columns) image \(image) row \(r)")
                        }
                    }
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 128)
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
                let images = 3
                let codes = (0..<(images * input.count)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                for path in [BitPlaneKernel.PathChoice.planes, .lanes] {
                let kernel = try XCTUnwrap(BitPlaneKernel(stage: stage, path: path))
                let got = Self.accumulate(kernel, codes, imageValues: input.count, count: images)
                XCTAssertEqual(kernel.pixels, window.outputPixels)
                for image in 0..<images {
                    let expected = Self.convolution(weights, codes, image: image, window)
                    for p in 0..<window.outputPixels {
                        XCTAssertEqual(Array(got[((image * window.outputPixels + p) * rows)...].prefix(rows)), expected[p],
                                       "\(path) pad \(pad) A=\(a) W=\(w) pixel \(p) image \(image)")
                    }
                }
                }
            }
        }
    }

    /// Windows over whole limbs of channels without padding are read in place from the planes;
    /// with padding they are copied.
    func testWindowsOverWholeLimbs() throws {
        var draws = Draws(state: 31337)
        let none = Padding(top: 0, bottom: 0, left: 0, right: 0)
        let windows = [
            SlidingWindowStage(input: Shape3(height: 5, width: 4, channels: 64), kernel: Pair(3, 3), stride: Pair(1, 1), padding: none, pad: .constant(0)),
            SlidingWindowStage(input: Shape3(height: 5, width: 5, channels: 128), kernel: Pair(2, 3), stride: Pair(2, 1), padding: none, pad: .constant(0)),
            SlidingWindowStage(input: Shape3(height: 4, width: 4, channels: 64), kernel: Pair(3, 3), stride: Pair(1, 1),
                               padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .parity(even: 1, odd: 2)),
        ]
        for (n, window) in windows.enumerated() {
            for (a, w) in [(2, 1), (2, 2), (3, 1)] {
                let columns = window.kernel.height * window.kernel.width * window.input.channels
                let rows = 40
                let weights = Self.weights(rows: rows, columns: columns, bits: w, &draws)
                let kernel = try XCTUnwrap(BitPlaneKernel(stage: Self.stage(weights, weightBits: w, input: .codes(bits: a),
                                                                            folding: Folding(pe: 4, simd: 64), window: window), path: .planes))
                XCTAssertEqual(kernel.input.inPlace != nil, n < 2)
                let images = 3
                let codes = (0..<(images * window.input.count)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                let got = Self.accumulate(kernel, codes, imageValues: window.input.count, count: images)
                for image in 0..<images {
                    let expected = Self.convolution(weights, codes, image: image, window)
                    for p in 0..<window.outputPixels {
                        XCTAssertEqual(Array(got[((image * window.outputPixels + p) * rows)...].prefix(rows)), expected[p],
                                       "window \(n) A=\(a) W=\(w) pixel \(p) image \(image)")
                    }
                }
            }
        }
    }

    /// Accumulators `[pixel][row]` of one image, from the window's codes written out (padded taps
    /// from the pad's definition).
    static func convolution(_ weights: [[Int]], _ codes: [UInt8], image: Int, _ w: SlidingWindowStage) -> [[Int]] {
        let input = w.input
        var result: [[Int]] = []
        for oy in 0..<w.output.height {
            for ox in 0..<w.output.width {
                var taps: [Int] = []
                for ky in 0..<w.kernel.height {
                    for kx in 0..<w.kernel.width {
                        let y = oy * w.stride.height + ky - w.padding.top
                        let x = ox * w.stride.width + kx - w.padding.left
                        for c in 0..<input.channels {
                            if y >= 0 && y < input.height && x >= 0 && x < input.width {
                                taps.append(Int(codes[image * input.count + (y * input.width + x) * input.channels + c]))
                            } else if case .parity(let even, let odd) = w.pad {
                                taps.append((y + x) % 2 == 0 ? even : odd)
                            } else if case .constant(let v) = w.pad {
                                taps.append(v)
                            }
                        }
                    }
                }
                result.append(weights.map { row in zip(row, taps).reduce(0) { $0 + $1.0 * $1.1 } })
            }
        }
        return result
    }

    /// Codes out of the fused multi-threshold activation (rising and falling neurons, border
    /// classes of a padded convolution, a dense layer) against `MultiThresholdROM.code` of the
    /// accumulators written out here.
    func testMultiThresholdCodes() throws {
        var draws = Draws(state: 4242)
        let padded = SlidingWindowStage(input: Shape3(height: 5, width: 6, channels: 15), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .constant(0))
        for window in [padded, nil] {
            for (a, w, levels) in [(2, 1, 3), (2, 2, 3), (3, 3, 5), (1, 2, 1)] {
                let columns = window.map { 9 * $0.input.channels } ?? 150
                let rows = 45
                let weights = Self.weights(rows: rows, columns: columns, bits: w, &draws)
                let folding = Folding(pe: 5, simd: 7)
                var stage = Self.stage(weights, weightBits: w, input: .codes(bits: a), folding: folding, window: window)
                let border = window.map(BorderClasses.init(window:))
                let classes = border?.count ?? 1
                let depth = folding.neuronFold(outputs: rows)
                // Ascending levels around 0 (where the sums of these weights lie), spread over the sums' scale.
                var values = [Int](repeating: 0, count: folding.pe * classes * depth * levels)
                for bank in 0..<folding.pe {
                    for k in 0..<classes {
                        for address in 0..<depth {
                            let levelValues = (0..<levels).map { _ in draws.int(-columns...columns) }.sorted()
                            for l in 0..<levels { values[((bank * classes + k) * depth + address) * levels + l] = levelValues[l] }
                        }
                    }
                }
                let falling = (0..<(folding.pe * depth)).map { _ in draws.int(0...1) == 1 }
                let rom = MultiThresholdROM(pe: folding.pe, depth: depth, levels: levels, outputBits: MultiThresholdROM.bits(levels: levels),
                                            values: values, falling: falling, border: border)
                stage.activation = .multiThreshold(rom)
                let imageValues = window?.input.count ?? columns
                let images = 3
                let codes = (0..<(images * imageValues)).map { _ in UInt8(draws.int(0...((1 << a) - 1))) }
                let expected = (0..<images).map { image in
                    let acc = window.map { Self.convolution(weights, codes, image: image, $0) }
                        ?? [weights.map { row in (0..<columns).reduce(0) { $0 + row[$1] * Int(codes[image * columns + $1]) } }]
                    return acc.enumerated().map { p, pixelAcc in
                        pixelAcc.enumerated().map { r, value in
                            UInt8(rom.code(value, bank: r % folding.pe, address: r / folding.pe, borderClass: border?.classOf(pixel: p) ?? 0))
                        }
                    }
                }
                for path in [BitPlaneKernel.PathChoice.planes, .lanes] {
                    let kernel = try XCTUnwrap(BitPlaneKernel(stage: stage, path: path))
                    var got = [UInt8](repeating: 255, count: images * kernel.pixels * rows)
                    let wrote = codes.withUnsafeBufferPointer { x in
                        got.withUnsafeMutableBufferPointer { kernel.codes(x, imageValues: imageValues, count: images, into: $0) }
                    }
                    XCTAssertTrue(wrote)
                    for image in 0..<images {
                        for p in 0..<kernel.pixels {
                            XCTAssertEqual(Array(got[((image * kernel.pixels + p) * rows)...].prefix(rows)), expected[image][p],
                                           "\(path) window \(window != nil) A=\(a) W=\(w) levels \(levels) image \(image) pixel \(p)")
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

    /// Lanes for a first layer's 27 columns of 8-bit codes, planes for 576 columns of 2-bit
    /// codes, planes whenever padded taps hold a nonzero code.
    func testPathChoice() throws {
        var draws = Draws(state: 99)
        func path(columns: Int, a: Int, w: Int, window: SlidingWindowStage? = nil) throws -> BitPlaneKernel.Path {
            let weights = Self.weights(rows: 64, columns: columns, bits: w, &draws)
            return try XCTUnwrap(BitPlaneKernel(stage: Self.stage(weights, weightBits: w, input: .codes(bits: a), folding: Folding(pe: 1, simd: 1), window: window))).path
        }
        guard case .narrowLanes = try path(columns: 27, a: 8, w: 1) else { return XCTFail("27 columns of 8-bit codes: lanes expected") }
        guard case .planes = try path(columns: 576, a: 2, w: 1) else { return XCTFail("576 columns of 2-bit codes: planes expected") }
        let padded = SlidingWindowStage(input: Shape3(height: 4, width: 4, channels: 3), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .constant(255))
        guard case .planes = try path(columns: 27, a: 8, w: 1, window: padded) else { return XCTFail("a nonzero pad code needs planes") }
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
