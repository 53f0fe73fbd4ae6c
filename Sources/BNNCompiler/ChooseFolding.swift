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
/// PE must divide MH and SIMD must divide MW (and a convolution's input channels); no padding. The default is
/// the largest divisor of MW up to 64 for SIMD (16 on 8-bit input, whose lanes cost more) and of
/// MH up to 16 for PE: a moderate, always-legal design; `--fold` sets anything else.
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
            guard layer.outputs % folding.pe == 0 else {
                throw Diagnostic(file: request.source, location: key,
                                 message: "PE \(folding.pe) does not divide MH = \(layer.outputs) of \(layer.label); choose one of \(divisors(of: layer.outputs).map(String.init).joined(separator: ", "))")
            }
            let bound = simdBound(layer)
            guard folding.simd >= 1, bound % folding.simd == 0 else {
                let what = layer.window == nil ? "MW = \(bound)" : "the \(bound) input channels (the window generator streams whole channel folds)"
                throw Diagnostic(file: request.source, location: key,
                                 message: "SIMD \(folding.simd) does not divide \(what) of \(layer.label); choose one of \(divisors(of: bound).map(String.init).joined(separator: ", "))")
            }
            chosen[l] = folding
        }
        return chosen
    }

    private static func matches(_ layer: IntegerLayer, _ key: String) -> Bool {
        layer.foldKey == key || key == "layers[\(layer.computeIndex)]" || key == String(layer.computeIndex)
    }

    /// SIMD must divide this: MW for a dense layer, the input channels for a convolution.
    static func simdBound(_ layer: IntegerLayer) -> Int {
        layer.window?.input.channels ?? layer.inputs
    }

    public static func divisors(of n: Int) -> [Int] { (1...max(n, 1)).filter { n % $0 == 0 } }

    public static func largestDivisor(of n: Int, atMost limit: Int) -> Int {
        divisors(of: n).last { $0 <= limit } ?? 1
    }
}
