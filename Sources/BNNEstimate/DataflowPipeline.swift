import BNNDesign

/// The stages of the top function for a geometry and folding, with the same decisions the
/// emitter's TopEmitter makes: a width converter wherever a stream's width differs from what
/// its consumer reads, a window generator in front of every convolution, the pool after it.
public enum DataflowPipeline {
    public static func stages(_ geometry: NetworkGeometry, foldings: [Folding]) -> [HardwareStage] {
        var stages: [HardwareStage] = []
        guard let first = foldings.first, foldings.count == geometry.layers.count else { return stages }
        let input = geometry.input
        var width: Int
        var totalBits = input.count * input.bits
        if let thresholdBits = geometry.binarizerThresholdBits {
            // PackWeights gives the binarizer the lanes that divide both the channels and SIMD.
            let simd = Divisors.gcd(input.channels, first.simd)
            width = simd
            stages.append(HardwareStage(id: .binarize, kind: .binarize(simd: simd, channels: input.channels, inputBits: input.bits, thresholdBits: thresholdBits, words: input.count / simd),
                                        layer: 0, label: "binarize input", inputWidth: simd * input.bits, inputWords: input.count / simd,
                                        outputWidth: simd, outputWords: input.count / simd))
            totalBits = input.count
        } else {
            width = first.simd * input.bits
        }
        for (l, (layer, folding)) in zip(geometry.layers, foldings).enumerated() {
            let isLast = l == geometry.layers.count - 1
            func convert(to needed: Int) {
                guard needed != width else { return }
                stages.append(HardwareStage(id: .converter(layer: l), kind: .widthConverter(inWidth: width, outWidth: needed, inWords: totalBits / width),
                                            layer: l, label: "\(layer.key) converter", inputWidth: width, inputWords: totalBits / width,
                                            outputWidth: needed, outputWords: totalBits / needed))
                width = needed
            }
            if let window = layer.window {
                let inBits = layer.inputKind == .maskedBinary ? 1 : layer.inputKind.bits
                convert(to: folding.simd * inBits)
                let outWidth = folding.simd * layer.inputKind.bits
                let outWords = window.outputPixels * layer.inputs / folding.simd
                stages.append(HardwareStage(id: .window(layer: l), kind: .slidingWindow(window, simd: folding.simd, inBits: inBits, outBits: layer.inputKind.bits),
                                            layer: l, label: "\(layer.key) window", inputWidth: width, inputWords: totalBits / width,
                                            outputWidth: outWidth, outputWords: outWords))
                width = outWidth
            } else {
                convert(to: folding.simd * layer.inputKind.bits)
            }
            let outWidth = layer.hasThresholds ? folding.pe : folding.pe * layer.accumulatorBits
            let vectors = layer.pixels
            stages.append(HardwareStage(id: .mvau(layer: l), kind: .mvau(layer, folding), layer: l, label: "\(layer.key) MVAU",
                                        inputWidth: width, inputWords: vectors * layer.inputs / folding.simd,
                                        outputWidth: outWidth, outputWords: vectors * layer.outputs / folding.pe))
            width = outWidth
            totalBits = layer.outputs * vectors * (isLast ? layer.accumulatorBits : 1)
            if let pool = layer.pool {
                stages.append(HardwareStage(id: .pool(layer: l), kind: .maxPool(pool, simd: folding.pe), layer: l, label: "\(layer.key) max-pool",
                                            inputWidth: folding.pe, inputWords: pool.input.count / folding.pe,
                                            outputWidth: folding.pe, outputWords: pool.output.count / folding.pe))
                width = folding.pe
                totalBits = pool.output.count
            }
        }
        if geometry.output != .logits, let last = geometry.layers.last, let folding = foldings.last {
            let indexBits = max(1, Divisors.ceilLog2(max(last.outputs, 2)))
            stages.append(HardwareStage(id: .argmax, kind: .argMax(classes: last.outputs, pe: folding.pe, accumulatorBits: last.accumulatorBits, logits: geometry.output == .argmaxOfLogits),
                                        layer: geometry.layers.count - 1, label: "argmax", inputWidth: width, inputWords: last.outputs / folding.pe,
                                        outputWidth: indexBits, outputWords: 1))
        }
        return stages
    }
}
