import BNNModel

/// Residual graphs (`input`, `add`, issue 13) load and run in the reference, but no pass maps
/// them to hardware yet: refuse the first one with one line naming the layer and the key.
public enum RefuseVersion2 {
    static let why = "load and run in the reference but cannot be compiled yet"

    public static func run(_ network: Network, file: String) throws(Diagnostic) {
        for layer in network.layers {
            if layer.inputLayer != nil {
                throw Diagnostic(file: file, location: layer.label + ".input", message: "layers reading an earlier layer's output (`input`) \(why)")
            }
            if case .add = layer.kind {
                throw Diagnostic(file: file, location: layer.label, message: "add layers \(why)")
            }
        }
    }
}
