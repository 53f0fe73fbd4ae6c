import BNNDataflow
import BNNDesign

/// One folding of one layer, priced: its slowest own stage (window, its repack, MVAU, pool) and the size
/// of those stages. Converters, FIFOs, the binarizer and the argmax depend on neighbours and are
/// priced on the whole design afterwards.
public struct LayerOption: Sendable, Equatable {
    public var folding: Folding
    public var cycles: Int
    public var cost: Resources

    public var lanes: Int { folding.pe * folding.simd }

    public init(layer: LayerGeometry, folding: Folding) {
        self.folding = folding
        let stages = DataflowPipeline.stages(of: layer, folding)
        cycles = stages.map(\.cycles).max() ?? 0
        cost = stages.reduce(Resources.zero) { $0 + ResourceModel.cost($1.kind).total }
    }

    /// Every folding of `layer` worth pricing (`peChoices` x `simdChoices`), PE ascending, then SIMD ascending.
    /// With `padding` false, only divisors of MH and MW.
    public static func all(_ layer: LayerGeometry, padding: Bool = true) -> [LayerOption] {
        let pes = padding ? layer.peChoices : Divisors.of(layer.outputs)
        let simds = padding ? layer.simdChoices : Divisors.of(layer.inputs)
        return pes.flatMap { pe in simds.map { LayerOption(layer: layer, folding: Folding(pe: pe, simd: $0)) } }
    }
}
