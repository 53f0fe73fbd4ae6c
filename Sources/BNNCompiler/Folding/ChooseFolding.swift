import BNNDesign
import BNNModel

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
        for (l, folding) in try pinned(network, request: request) { chosen[l] = folding }
        return chosen
    }

    /// The request by layer index, each checked against its layer (the named layers'
    /// foldings, which a strategy keeps).
    public static func pinned(_ network: IntegerNetwork, request: FoldingRequest) throws(Diagnostic) -> [Int: Folding] {
        var pinned: [Int: Folding] = [:]
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
            pinned[l] = folding
        }
        return pinned
    }

    private static func matches(_ layer: IntegerLayer, _ key: String) -> Bool {
        layer.foldKey == key || key == "layers[\(layer.computeIndex)]" || key == String(layer.computeIndex)
    }

    /// The default SIMD divides this: MW for a dense layer, the input channels for a convolution.
    static func simdBound(_ layer: IntegerLayer) -> Int {
        layer.window?.input.channels ?? layer.inputs
    }

    public static func largestDivisor(of n: Int, atMost limit: Int) -> Int {
        Divisors.of(n).last { $0 <= limit } ?? 1
    }
}

/// Chooses every layer's folding in place of the defaults (the folding optimizer, which the
/// command line plugs into the pipeline when `--target-fps` or `--budget` asks for it).
public protocol FoldingStrategy: Sendable {
    /// Foldings for all layers of `network`; the layers in `pinned` (named by the request)
    /// keep theirs.
    func choose(_ network: IntegerNetwork, pinned: [Int: Folding]) throws(Diagnostic) -> FoldingChoice
}

/// A strategy's answer: the foldings, and what it found on the way (for the reports).
public struct FoldingChoice: Sendable {
    public var foldings: [Folding]
    public var details: any Sendable

    public init(foldings: [Folding], details: any Sendable) {
        self.foldings = foldings
        self.details = details
    }
}
