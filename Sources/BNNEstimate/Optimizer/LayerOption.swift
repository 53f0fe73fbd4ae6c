import BNNDataflow
import BNNDesign

/// One folding of one layer, priced: its slowest own stage (window, its repack, MVAU, pool, and
/// the join and pool after a residual add that reads its accumulators, at the same PE) and the
/// size of those stages. Converters, FIFOs, duplicates, requantizations, the binarizer and the
/// argmax depend on neighbours and are priced on the whole design afterwards.
public struct LayerOption: Sendable, Equatable {
    public var folding: Folding
    public var cycles: Int
    public var cost: Resources

    public var lanes: Int { folding.pe * folding.simd }

    /// `joins`: the threshold nodes reading this layer's accumulators (`NetworkGeometry.joins(fedByLayer:)`).
    public init(layer: LayerGeometry, folding: Folding, joins: [ThresholdStage] = []) {
        self.folding = folding
        let kinds = DataflowPipeline.stages(of: layer, folding).map(\.kind) + joins.flatMap { NetworkGeometry.joinKinds($0, pe: folding.pe) }
        cycles = kinds.map(CycleModel.cycles).max() ?? 0
        cost = kinds.reduce(Resources.zero) { $0 + ResourceModel.cost($1).total }
    }

    /// Every folding of `layer` worth pricing (`peChoices` x `simdChoices`), PE ascending, then SIMD ascending.
    /// With `padding` false, only divisors of MH and MW.
    public static func all(_ layer: LayerGeometry, padding: Bool = true, joins: [ThresholdStage] = []) -> [LayerOption] {
        let pes = padding ? layer.peChoices : Divisors.of(layer.outputs)
        let simds = padding ? layer.simdChoices : Divisors.of(layer.inputs)
        return pes.flatMap { pe in simds.map { LayerOption(layer: layer, folding: Folding(pe: pe, simd: $0), joins: joins) } }
    }
}
