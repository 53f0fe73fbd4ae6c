import BNNDesign

extension JoinShape {
    /// The join (or requantization) stage of threshold node `t` at `pe` lanes.
    public init(_ t: ThresholdStage, pe: Int) {
        self.init(channels: t.channels, pixels: t.pixels, pe: pe, mainType: t.mainType, shortcutBits: t.shortcutBits,
                  levels: t.thresholds.levels, outputBits: t.codeBits, thresholdType: t.thresholdType)
    }
}

extension NetworkGeometry {
    /// The threshold nodes that read layer `l`'s raw accumulators (its join after the add): their
    /// stages run at that layer's PE, so they are priced with its folding.
    public func joins(fedByLayer l: Int) -> [ThresholdStage] {
        nodes.compactMap { node in
            guard let t = node.thresholdStage, t.isJoin, case .node(let m) = node.inputs.first, nodes.indices.contains(m), nodes[m].layer == l else { return nil }
            return t
        }
    }

    /// The stages of such a join at `pe` lanes: the join and the pool after it, if any.
    public static func joinKinds(_ t: ThresholdStage, pe: Int) -> [StageKind] {
        var kinds: [StageKind] = [.join(JoinShape(t, pe: pe))]
        if let pool = t.pool { kinds.append(.maxPool(pool.padded(channels: Divisors.ceilDiv(t.channels, pe) * pe), simd: pe)) }
        return kinds
    }
}
