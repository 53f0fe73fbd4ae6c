import BNNDesign

/// One legal folding of one layer, priced: its slowest stage (window, MVAU, pool) and the size
/// of those stages. Converters, FIFOs, the binarizer and the argmax depend on neighbours and are
/// priced on the whole design afterwards.
public struct LayerOption: Sendable, Equatable {
    public var folding: Folding
    public var cycles: Int
    public var cost: Resources

    public var lanes: Int { folding.pe * folding.simd }

    public init(layer: LayerGeometry, folding: Folding) {
        self.folding = folding
        var kinds: [StageKind] = [.mvau(layer, folding)]
        if let window = layer.window {
            let inBits = layer.inputKind == .maskedBinary ? 1 : layer.inputKind.bits
            kinds.append(.slidingWindow(window, simd: folding.simd, inBits: inBits, outBits: layer.inputKind.bits))
        }
        if let pool = layer.pool { kinds.append(.maxPool(pool, simd: folding.pe)) }
        cycles = kinds.map(CycleModel.cycles).max() ?? 0
        cost = kinds.reduce(Resources.zero) { $0 + ResourceModel.cost($1).total }
    }

    /// Every legal folding of `layer`, PE ascending, then SIMD ascending.
    public static func all(_ layer: LayerGeometry) -> [LayerOption] {
        layer.peChoices.flatMap { pe in layer.simdChoices.map { LayerOption(layer: layer, folding: Folding(pe: pe, simd: $0)) } }
    }
}
