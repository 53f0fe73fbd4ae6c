/// The non-dominated partial sums of a multiple-choice knapsack over (LUTs, BRAM18s, MACs):
/// one entry per way of folding the layers so far that nothing else beats on all three.
struct ParetoFrontier {
    struct Point {
        var luts: Int
        var bram18: Int
        var lanes: Int
        /// Option index of the newest layer, and the point of the previous layer it extends.
        var option: Int
        var parent: Int
    }

    /// Keeps the points no other point is at most on every resource, first of equals kept;
    /// if more than `limit` remain, the `limit` with the smallest budget-normalised sum.
    /// Returns the points and whether the limit cut any.
    static func prune(_ points: [Point], limit: Int, scale: (luts: Double, bram18: Double, lanes: Double)) -> ([Point], Bool) {
        let order = points.indices.sorted {
            let a = points[$0], b = points[$1]
            return (a.luts, a.bram18, a.lanes, $0) < (b.luts, b.bram18, b.lanes, $1)
        }
        // Sweep in LUT order; a Fenwick tree over BRAM values keeps the least MACs seen at or
        // below each BRAM value, so "dominated by an earlier point" is one prefix query.
        let brams = Array(Set(points.map(\.bram18))).sorted()
        var rank: [Int: Int] = [:]
        for (i, b) in brams.enumerated() { rank[b] = i + 1 }
        var tree = [Int](repeating: .max, count: brams.count + 1)
        var kept: [Point] = []
        for i in order {
            let p = points[i]
            let r = rank[p.bram18] ?? 1
            var best = Int.max
            var j = r
            while j > 0 {
                best = min(best, tree[j])
                j -= j & -j
            }
            if best <= p.lanes { continue }
            kept.append(p)
            j = r
            while j < tree.count {
                tree[j] = min(tree[j], p.lanes)
                j += j & -j
            }
        }
        guard kept.count > limit else { return (kept, false) }
        func score(_ p: Point) -> Double { Double(p.luts) / scale.luts + Double(p.bram18) / scale.bram18 + Double(p.lanes) / scale.lanes }
        let best = kept.indices.sorted { (score(kept[$0]), $0) < (score(kept[$1]), $1) }.prefix(limit).sorted()
        return (best.map { kept[$0] }, true)
    }
}
