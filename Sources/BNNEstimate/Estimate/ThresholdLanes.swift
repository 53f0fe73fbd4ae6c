import BNNDataflow
import BNNDesign

extension NetworkGeometry {
    /// The geometry with every threshold stage (join or requantization) at the lanes of the
    /// stream it reads under `foldings`: the MVAU's PE, the producing threshold stage's, one on
    /// the design input. This is the rule `PackWeights` applies when it builds the design, so a
    /// compiled design's geometry is unchanged; the optimizer's folding-free geometry gets the
    /// lanes each candidate folding implies.
    func resolvingThresholdLanes(_ foldings: [Folding]) -> NetworkGeometry {
        guard !isChain else { return self }
        var copy = self
        for n in copy.nodes.indices {
            guard case .threshold(var stage) = copy.nodes[n].kind else { continue }
            var pe = 1
            if case .node(let m) = copy.nodes[n].inputs.first, m < n {
                switch copy.nodes[m].kind {
                case .mvau(let l): pe = foldings.indices.contains(l) ? foldings[l].pe : pe
                case .threshold(let producer): pe = producer.pe
                }
            }
            stage.pe = pe
            copy.nodes[n].kind = .threshold(stage)
        }
        return copy
    }
}
