import BNNDesign
import BNNEmit
import BNNModel

/// Small designs built by hand (not compiled from a model), each exercising a few kinds of
/// stage, and the top function the emitter writes for them.
enum TinyDesigns {
    /// uint8 6x6x2 image -> binarizer -> 3x3 conv, zero padding on bits (masked), 4 filters ->
    /// 2x2/2 max-pool -> dense 36 -> 3 -> argmax of the accumulators.
    static func binarizedConvPool() -> Design {
        let window = SlidingWindowStage(input: Shape3(height: 6, width: 6, channels: 2), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .masked)
        let pool = PoolStage(label: "layers[3] (pool0)", layerIndex: 3, input: Shape3(height: 6, width: 6, channels: 4), pool: Pair(2, 2),
                             stride: Pair(2, 2), andChannels: [false, true, false, false])
        let conv = MvauStage(layerIndices: [1, 2], label: "layers[1] (conv0)", key: "conv0", inputs: 18, outputs: 4,
                             folding: Folding(pe: 2, simd: 2), inputKind: .maskedBinary, weights: WeightROM(simd: 2, pe: 2, depth: 18),
                             activation: .thresholds(ThresholdROM(pe: 2, depth: 2, values: [1, -2, 3, 0])),
                             accumulatorType: IntegerType(bits: 6, isSigned: true), window: window, pool: pool)
        let dense = MvauStage(layerIndices: [4], label: "layers[4] (fc)", key: "fc", inputs: 36, outputs: 3, folding: Folding(pe: 3, simd: 4),
                              inputKind: .binary, weights: WeightROM(simd: 4, pe: 3, depth: 9), activation: .accumulator,
                              accumulatorType: IntegerType(bits: 7, isSigned: false))
        let binarizer = BinarizerStage(layerIndex: 0, label: "layers[0] (sign_in)", simd: 2, thresholds: [100, 150],
                                       thresholdType: IntegerType(bits: 9, isSigned: false))
        return Design(name: "conv_pool", input: DesignInput(encoding: .uint8, count: 72, channels: 2, scale: 1, zeroPoint: 0),
                      binarizer: binarizer, layers: [conv, dense], output: .argmaxOfAccumulators(maps: maps(3)), labels: nil)
    }

    /// uint8 5x5x1 image (zero point 128), 3x3 conv padded with the zero point, 2 filters at
    /// SIMD 3 (a converter after the window) -> dense 50 -> 3 at SIMD 8 and PE 2 (inputs padded
    /// to 56, outputs to 4: a repack in front) -> argmax of float64 logits.
    static func paddedLogits() -> Design {
        let window = SlidingWindowStage(input: Shape3(height: 5, width: 5, channels: 1), kernel: Pair(3, 3), stride: Pair(1, 1),
                                        padding: Padding(top: 1, bottom: 1, left: 1, right: 1), pad: .constant(128))
        let conv = MvauStage(layerIndices: [0, 1], label: "layers[0] (conv0)", key: "conv0", inputs: 9, outputs: 2,
                             folding: Folding(pe: 2, simd: 3), inputKind: .integer(bits: 8, isSigned: false, zeroPoint: 128),
                             weights: WeightROM(simd: 3, pe: 2, depth: 3), activation: .thresholds(ThresholdROM(pe: 2, depth: 1, values: [5, -5])),
                             accumulatorType: IntegerType(bits: 13, isSigned: true), window: window)
        let dense = MvauStage(layerIndices: [2], label: "layers[2] (fc)", key: "fc", inputs: 50, outputs: 3, folding: Folding(pe: 2, simd: 8),
                              inputKind: .binary, weights: WeightROM(simd: 8, pe: 2, depth: 14), activation: .accumulator,
                              accumulatorType: IntegerType(bits: 7, isSigned: false))
        return Design(name: "padded_logits", input: DesignInput(encoding: .uint8, count: 25, channels: 1, scale: 1, zeroPoint: 128),
                      binarizer: nil, layers: [conv, dense], output: .argmaxOfLogits(maps: maps(3)), labels: nil)
    }

    /// Bipolar vector of 16 -> dense 16 -> 4 at SIMD 8 -> raw logits (no argmax stage).
    static func denseLogits() -> Design {
        let dense = MvauStage(layerIndices: [0], label: "layers[0] (fc)", key: "fc", inputs: 16, outputs: 4, folding: Folding(pe: 4, simd: 8),
                              inputKind: .binary, weights: WeightROM(simd: 8, pe: 4, depth: 2), activation: .accumulator,
                              accumulatorType: IntegerType(bits: 6, isSigned: false))
        return Design(name: "dense_logits", input: DesignInput(encoding: .bipolar, count: 16, channels: 16, scale: 1, zeroPoint: 0),
                      binarizer: nil, layers: [dense], output: .logits(maps: maps(4)), labels: nil)
    }

    private static func maps(_ classes: Int) -> [LogitMap] {
        (0..<classes).map { LogitMap(accScale: 2, accOffset: -$0, inputScale: 1, alpha: 0.5, bias: Double($0), batchnorm: nil) }
    }

    /// The lines of the top function's source file as the emitter writes it.
    static func topLines(_ design: Design) throws -> [String] {
        let files = try ProjectEmitter.emit(design, vectors: TestVectors(inputs: [], expected: []), options: EmitOptions(modelFile: "tiny.json"))
        guard let top = files.first(where: { $0.path == "src/\(design.name).cpp" }) else { return [] }
        return String(decoding: top.contents, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The lines of a top function that call the library, without indentation and without the
    /// BNN_PROCESS(...) wrapper every call has (each is one thread in the threaded C simulation).
    static func libraryCalls(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.compactMap { line in
            guard line.hasPrefix("BNN_PROCESS("), line.hasSuffix(");") else { return nil }
            return line.dropFirst("BNN_PROCESS(".count).dropLast(2) + ";"
        }
    }
}
