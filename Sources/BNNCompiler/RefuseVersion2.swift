import BNNModel

/// Version 2's layer types and keys load and run in the reference, but no pass maps them to
/// hardware yet: refuse the first one with one line naming the layer and the key, before any
/// pass could misread it (a multi-bit layer's `weights` hold only signs).
public enum RefuseVersion2 {
    static let why = "load and run in the reference but cannot be compiled yet"

    public static func run(_ network: Network, file: String) throws(Diagnostic) {
        for layer in network.layers {
            func refuse(_ key: String?, _ what: String) -> Diagnostic {
                Diagnostic(file: file, location: layer.label + (key.map { ".\($0)" } ?? ""), message: "\(what) \(why)")
            }
            if layer.inputLayer != nil {
                throw refuse("input", "layers reading an earlier layer's output (`input`)")
            }
            switch layer.kind {
            case .dense(let dense) where dense.integerWeights != nil:
                throw refuse("weight_bits", "weight_bits \(dense.weightBits) dense layers")
            case .conv2d(let conv) where conv.integerWeights != nil:
                throw refuse("weight_bits", "weight_bits \(conv.weightBits) conv2d layers")
            case .conv2d(let conv) where conv.padValue == .oddEven:
                throw refuse("pad_value", "pad_value \"odd_even\" convolutions")
            case .quantize, .multithreshold, .shift, .prelu, .clamp, .avgpool2d, .add:
                throw refuse(nil, "\(layer.kind.typeName) layers")
            default:
                break
            }
        }
    }
}
