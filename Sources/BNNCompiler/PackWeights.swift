import BNNDesign
import BNNModel

/// Pass 5: packs weights into per-PE ROM words and thresholds into per-PE tables (FINN's
/// layout, see `WeightROM`), producing the final `Design`.
public enum PackWeights {
    public static func run(_ network: IntegerNetwork, foldings: [Folding]) -> Design {
        let layers = zip(network.layers, foldings).map { layer, folding in stage(layer, folding) }
        let binarizer = network.binarizer.map { b in
            BinarizerStage(layerIndex: b.layerIndex, label: b.label,
                           simd: gcd(network.input.channels, foldings.first?.simd ?? 1),
                           thresholds: b.thresholds, thresholdType: b.thresholdType)
        }
        return Design(name: network.name, input: network.input, binarizer: binarizer, layers: layers,
                      output: network.output, labels: network.labels)
    }

    public static func packWeights(_ weights: SignMatrix, _ folding: Folding) -> WeightROM {
        let synapseFold = weights.columns / folding.simd
        var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: (weights.rows / folding.pe) * synapseFold)
        for r in 0..<weights.rows {
            for c in 0..<weights.columns where weights[r, c] {
                rom.setBit(bank: r % folding.pe, address: (r / folding.pe) * synapseFold + c / folding.simd, lane: c % folding.simd)
            }
        }
        return rom
    }

    public static func packThresholds(_ thresholds: [Int], pe: Int) -> ThresholdROM {
        let depth = thresholds.count / pe
        var values = Array(repeating: 0, count: thresholds.count)
        for (n, t) in thresholds.enumerated() { values[(n % pe) * depth + n / pe] = t }
        return ThresholdROM(pe: pe, depth: depth, values: values)
    }

    private static func stage(_ layer: IntegerLayer, _ folding: Folding) -> MvauStage {
        let activation: MvauActivation = layer.thresholds.map { .thresholds(packThresholds($0, pe: folding.pe)) } ?? .accumulator
        return MvauStage(layerIndices: layer.layerIndices, label: layer.label, key: layer.foldKey, inputs: layer.inputs, outputs: layer.outputs,
                         folding: folding, inputKind: layer.inputKind, weights: packWeights(layer.weights, folding),
                         activation: activation, accumulatorType: layer.accumulatorType,
                         window: layer.window, pool: layer.pool)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
