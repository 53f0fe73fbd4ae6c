import BNNDesign
import BNNModel
import BNNReference

/// The quantizers on the model input: per channel and level, the smallest raw input q whose
/// code reaches the level (the value `scale * (q - zero_point)` rises with q).
enum CodeBinarizer {
    static func fold(_ chain: [(layer: Layer, quantizer: Quantizer)], _ spec: InputSpec) -> IntegerBinarizer {
        let values = spec.encoding.valueRange
        let quantizers = chain.map(\.quantizer)
        let levels = quantizers.last?.levels ?? 1
        let thresholds = (0..<spec.shape.channels).map { c in
            (1...max(levels, 1)).map { l -> Int in
                let reaches = { (q: Int) in
                    Quantizer.chain(quantizers, ReferenceMath.scaledSum(q - spec.zeroPoint, scale: spec.scale), channel: c) >= l
                }
                if case .rising(let t) = ThresholdSearch.find(in: values, decide: reaches) { return t }
                return values.upperBound + 1
            }
        }
        let first = chain.first?.layer
        return IntegerBinarizer(layerIndex: chain.last?.layer.index ?? 0, label: first?.label ?? "input",
                                thresholds: thresholds.map { $0.first ?? 0 },
                                thresholdType: IntegerType(holding: values.lowerBound...(values.upperBound + 1)),
                                levelThresholds: thresholds)
    }
}
