import BNNDesign
import BNNModel

/// Foldings the user asked for, by layer: the compute layer's name, `layers[i]`, or its index.
public struct FoldingRequest: Sendable {
    public var entries: [(key: String, folding: Folding)]
    /// Where the request came from, for messages (`--fold` or a file name).
    public var source: String

    public init(entries: [(key: String, folding: Folding)] = [], source: String = "--fold") {
        self.entries = entries
        self.source = source
    }
}

/// Pass 4: gives every layer its PE and SIMD, from the request or a default.
///
/// Any 1 <= PE <= MH and 1 <= SIMD <= MW is accepted: where they do not divide, PackWeights pads
/// the layer to whole folds. The default pads nothing: the largest divisor of MW (of a
/// convolution's input channels, so the window words feed the MVAU directly) up to 64 for SIMD
/// (16 on 8-bit input, whose lanes cost more) and of MH up to 16 for PE; `--fold` sets anything else.
public enum ChooseFolding {
    public static let defaultMaxSIMD = 64
    public static let defaultMaxSIMDInteger = 16
    public static let defaultMaxPE = 16

    public static func run(_ network: IntegerNetwork, request: FoldingRequest) throws(Diagnostic) -> [Folding] {
        var chosen = network.layers.map { layer in
            Folding(pe: largestDivisor(of: layer.outputs, atMost: defaultMaxPE),
                    simd: largestDivisor(of: simdBound(layer),
                                         atMost: layer.inputKind == .binary ? defaultMaxSIMD : defaultMaxSIMDInteger))
        }
        for (key, folding) in request.entries {
            guard let l = network.layers.firstIndex(where: { matches($0, key) }) else {
                let known = network.layers.map(\.foldKey).joined(separator: ", ")
                throw Diagnostic(file: request.source, location: key,
                                 message: "no dense or conv2d layer called \"\(key)\"; foldable layers: \(known)")
            }
            let layer = network.layers[l]
            guard folding.pe >= 1, folding.simd >= 1 else {
                throw Diagnostic(file: request.source, location: key, message: "PE and SIMD must be at least 1, got PE \(folding.pe), SIMD \(folding.simd)")
            }
            guard folding.pe <= layer.outputs else {
                throw Diagnostic(file: request.source, location: key,
                                 message: "PE \(folding.pe) is more than MH = \(layer.outputs) of \(layer.label); PE runs one output neuron per lane, so at most \(layer.outputs)")
            }
            guard folding.simd <= layer.inputs else {
                throw Diagnostic(file: request.source, location: key,
                                 message: "SIMD \(folding.simd) is more than MW = \(layer.inputs) of \(layer.label); SIMD takes one input element per lane, so at most \(layer.inputs)")
            }
            chosen[l] = folding
        }
        return chosen
    }

    private static func matches(_ layer: IntegerLayer, _ key: String) -> Bool {
        layer.foldKey == key || key == "layers[\(layer.computeIndex)]" || key == String(layer.computeIndex)
    }

    /// The default SIMD divides this: MW for a dense layer, the input channels for a convolution.
    static func simdBound(_ layer: IntegerLayer) -> Int {
        layer.window?.input.channels ?? layer.inputs
    }

    public static func divisors(of n: Int) -> [Int] { (1...max(n, 1)).filter { n % $0 == 0 } }

    public static func largestDivisor(of n: Int, atMost limit: Int) -> Int {
        divisors(of: n).last { $0 <= limit } ?? 1
    }
}
