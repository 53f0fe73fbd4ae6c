import BNNCompiler
import BNNModel
import XCTest

/// Version-2 arrangements the compiler cannot reproduce exactly are refused with one line
/// naming the layer and the key.
final class MultiBitRefusalTests: XCTestCase {
    /// A network from layer kinds with their output shapes, each reading the previous one.
    private func network(_ input: Shape3, encoding: InputEncoding = .bipolar, _ layers: [(String, LayerKind, Shape3)]) -> Network {
        var shape = input
        var built: [Layer] = []
        for (name, kind, output) in layers {
            built.append(Layer(index: built.count, name: name, kind: kind, inputShape: shape, outputShape: output))
            shape = output
        }
        return Network(name: "t", input: InputSpec(shape: input, encoding: encoding), layers: built, outputMode: .logits, labels: nil, version: 2)
    }

    private func dense(_ outputs: Int, _ inputs: Int) -> LayerKind {
        .dense(Dense(weights: SignMatrix(rows: outputs, columns: inputs, isPositive: (0..<(outputs * inputs)).map { $0 % 3 != 0 }),
                     bias: Array(repeating: 0, count: outputs), alpha: Array(repeating: 1, count: outputs)))
    }

    private func conv(_ filters: Int, channels: Int, kernel: Int, padding: Int, padValue: PadValue) -> LayerKind {
        let k = channels * kernel * kernel
        return .conv2d(Conv2D(weights: SignMatrix(rows: filters, columns: k, isPositive: (0..<(filters * k)).map { $0 % 2 == 0 }),
                              inputChannels: channels, kernel: Pair(kernel, kernel), stride: Pair(1, 1),
                              padding: Padding(top: padding, bottom: padding, left: padding, right: padding), padValue: padValue,
                              bias: Array(repeating: 0, count: filters), alpha: Array(repeating: 1, count: filters)))
    }

    private let quantize2 = LayerKind.quantize(Quantize(bits: 2, signed: false, narrow: false, scale: 0.5, rounding: .halfEven))

    private func refusal(_ net: Network) -> String {
        do {
            _ = try Pipeline(file: "t.json").compile(net)
            return "compiled"
        } catch {
            return error.description
        }
    }

    func testNegativePReLUSlopeIsNotMonotone() {
        let net = network(.vector(4), [
            ("fc0", dense(3, 4), .vector(3)), ("p", .prelu(PReLU(slope: [0.5, -0.25, 0])), .vector(3)), ("q", quantize2, .vector(3)),
            ("fc1", dense(2, 3), .vector(2)),
        ])
        XCTAssertEqual(refusal(net), "t.json: error: layers[1] (p).slope[1]: a negative prelu slope (-0.25) makes the output neither rise nor fall with the sum, so no thresholds reproduce it")
    }

    /// A 3x3 window before the last layer: compiled with a divisor of 9 when the pooled step
    /// times 9 is a short dyadic (scale 0.5), refused when it is not (scale 0.1: the product of
    /// its 53-bit significand and the accumulator would not be exact).
    func testAveragePoolOfNineBeforeTheLastLayer() {
        let image = Shape3(height: 3, width: 3, channels: 2)
        let nine = { (q: LayerKind) in
            self.network(Shape3(height: 3, width: 3, channels: 1), [
                ("c", self.conv(2, channels: 1, kernel: 1, padding: 0, padValue: 0), image), ("q", q, image),
                ("avg", .avgpool2d(AvgPool2D(pool: Pair(3, 3), stride: Pair(3, 3))), Shape3(height: 1, width: 1, channels: 2)),
                ("fc", self.dense(2, 2), .vector(2)),
            ])
        }
        XCTAssertEqual(refusal(nine(quantize2)), "compiled")
        let tenth = LayerKind.quantize(Quantize(bits: 2, signed: false, narrow: false, scale: 0.1, rounding: .halfEven))
        XCTAssertEqual(refusal(nine(tenth)), "t.json: error: layers[3] (fc): the exact sums of the last layer (input step \(0.1 / 9), offset 0.0) cannot be computed exactly as a float64 times an integer divided by a whole number")
        // A 2x2 window divides by a power of two: compiled.
        let four = network(Shape3(height: 2, width: 2, channels: 1), [
            ("c", conv(2, channels: 1, kernel: 1, padding: 0, padValue: 0), Shape3(height: 2, width: 2, channels: 2)), ("q", quantize2, Shape3(height: 2, width: 2, channels: 2)),
            ("avg", .avgpool2d(AvgPool2D(pool: Pair(2, 2), stride: Pair(2, 2))), Shape3(height: 1, width: 1, channels: 2)),
            ("fc", dense(2, 2), .vector(2)),
        ])
        XCTAssertEqual(refusal(four), "compiled")
    }

    func testOddEvenPaddingWhereMinusOneIsNoCode() {
        let image = Shape3(height: 3, width: 3, channels: 1)
        let net = network(image, [
            ("q0", quantize2, image), ("c", conv(2, channels: 1, kernel: 3, padding: 1, padValue: .oddEven), Shape3(height: 3, width: 3, channels: 2)),
            ("q1", quantize2, Shape3(height: 3, width: 3, channels: 2)), ("flat", .flatten(Flatten(order: .hwc)), .vector(18)), ("fc", dense(2, 18), .vector(2)),
        ])
        XCTAssertEqual(refusal(net), "t.json: error: layers[1] (c).pad_value: pad_value \"odd_even\" needs +1 and -1 to be codes of the input, and the codes here stand for other values")
    }

    func testShiftBeforeTheLastBatchnorm() {
        let bn = BatchNorm(gamma: [1, 1], beta: [0, 0], mean: [0, 0], variance: [1, 1], eps: 0)
        let net = network(.vector(4), [
            ("fc0", dense(3, 4), .vector(3)), ("q", quantize2, .vector(3)), ("fc1", dense(2, 3), .vector(2)),
            ("s", .shift(Shift(value: [0.5, 0])), .vector(2)), ("bn", .batchnorm(bn), .vector(2)),
        ])
        XCTAssertTrue(refusal(net).hasPrefix("t.json: error: layers[4] (bn): after the last dense layer only [batchnorm] [shift] may follow, in that order; supported: "), refusal(net))
    }

    func testTrailingQuantizer() {
        let net = network(.vector(4), [("fc0", dense(3, 4), .vector(3)), ("q", quantize2, .vector(3))])
        XCTAssertTrue(refusal(net).hasPrefix("t.json: error: layers[1] (q): the network must end with dense [batchnorm] [shift]: a trailing quantize is refused"), refusal(net))
    }
}
