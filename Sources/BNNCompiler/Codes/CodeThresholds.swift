import BNNDesign
import BNNModel
import BNNReference

/// One group's thresholds: for every neuron, border class and output level l, the accumulator
/// where the float64 code starts to reach l, searched on the decision itself (`ThresholdSearch`).
/// A neuron whose code falls with the sum compares the negated accumulator (`falling`); a `sign`
/// on 1-bit weights (W1A1 lanes or the 8-bit input) keeps version 1's single threshold with its
/// row negated instead.
enum CodeThresholds {
    static func fold(_ group: CodeGroup, _ lanes: GroupLanes, file: String) throws(Diagnostic) -> IntegerLayer {
        try checkFinite(group, lanes, file: file)
        if let range = lanes.negatableRange, group.quantizers.count == 1, case .sign = group.quantizers[0] {
            return try signLayer(group, lanes, range: range, file: file)
        }
        let levels = group.quantizers.last?.levels ?? 1
        var values = Array(repeating: [[Int]](), count: lanes.classes)
        var falling: [Bool] = []
        var lowest = 0
        var highest = 0
        for j in 0..<group.outputs {
            let reach = lanes.reach(j)
            let falls = group.direction(unit: j) < 0
            falling.append(falls)
            let searched = falls ? -reach.upperBound...(-reach.lowerBound) : reach
            lowest = min(lowest, searched.lowerBound, reach.lowerBound)
            highest = max(highest, searched.upperBound + 1, reach.upperBound)
            for k in 0..<lanes.classes {
                let real = lanes.real(j, k)
                var row: [Int] = []
                for l in 1...max(levels, 1) {
                    let reaches = { (a: Int) in group.code(real(falls ? -a : a), unit: j) >= l }
                    guard case .rising(let t) = ThresholdSearch.find(in: searched, decide: reaches) else {
                        throw notMonotone(group, j, file: file)
                    }
                    row.append(t)
                }
                values[k].append(row)
            }
        }
        let all = values.joined().joined()
        return IntegerLayer(
            layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index, foldKey: group.foldKey,
            weights: group.weights, integerWeights: group.integerWeights,
            multiThresholds: MultiLevelThresholds(levels: levels, outputBits: MultiThresholdROM.bits(levels: levels), values: values, falling: falling),
            inputKind: lanes.kind, classThresholds: nil, border: nil, flipped: Array(repeating: false, count: group.outputs),
            accumulatorType: IntegerType(holding: min(lowest, all.min() ?? 0)...max(highest, all.max() ?? 0)), window: nil, pool: nil)
    }

    /// A `sign` on 1-bit weights over the W1A1 or 8-bit lanes: one threshold per neuron and
    /// border class, the row negated where the decision falls (version 1's scheme).
    private static func signLayer(_ group: CodeGroup, _ lanes: GroupLanes, range: MvauInputRange, file: String) throws(Diagnostic) -> IntegerLayer {
        var weights = group.weights
        var thresholds = Array(repeating: [Int](), count: lanes.classes)
        var flipped: [Bool] = []
        let columns = weights.columns
        var (lowest, highest) = (0, 0)
        for j in 0..<group.outputs {
            let reach = lanes.reach(j)
            let falls = group.direction(unit: j) < 0
            if falls { weights.negateRow(j) }
            flipped.append(falls)
            let flip = { (acc: Int) in falls ? AccumulatorDomain.flipped(acc, inputs: columns, range: range) : acc }
            let (a, b) = (flip(reach.lowerBound), flip(reach.upperBound))
            let searched = min(a, b)...max(a, b)
            (lowest, highest) = (min(lowest, searched.lowerBound), max(highest, searched.upperBound))
            for k in 0..<lanes.classes {
                let real = lanes.real(j, k)
                guard case .rising(let t) = ThresholdSearch.find(in: searched, decide: { group.code(real(flip($0)), unit: j) >= 1 }) else {
                    throw notMonotone(group, j, file: file)
                }
                thresholds[k].append(t)
            }
        }
        let all = thresholds.joined()
        return IntegerLayer(
            layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index, foldKey: group.foldKey,
            weights: weights, inputKind: lanes.kind, classThresholds: thresholds, border: nil, flipped: flipped,
            accumulatorType: IntegerType(holding: min(lowest, all.min() ?? 0)...max(highest, all.max() ?? 0)), window: nil, pool: nil)
    }

    private static func notMonotone(_ group: CodeGroup, _ j: Int, file: String) -> Diagnostic {
        Diagnostic(file: file, location: "\(group.compute.label) output \(j)",
                   message: "the float64 output code is not monotone in the sum, so no thresholds reproduce it")
    }

    /// As in version 1: every step is monotone in the sum, so checking the ends of the reachable
    /// range shows whether any value overflows to infinity (which could make the decision NaN).
    private static func checkFinite(_ group: CodeGroup, _ lanes: GroupLanes, file: String) throws(Diagnostic) {
        for j in 0..<group.outputs {
            let reach = lanes.reach(j)
            for k in 0..<lanes.classes {
                let real = lanes.real(j, k)
                for acc in [reach.lowerBound, reach.upperBound] {
                    if let bad = group.preQuantizer(real(acc), unit: j).first(where: { !$0.isFinite }) {
                        throw Diagnostic(file: file, location: "\(group.compute.label) output \(j)",
                                         message: "float64 overflow: an intermediate value becomes \(bad) at accumulator \(acc), so its decision cannot be compiled exactly; rescale alpha, bias or the batchnorm")
                    }
                }
            }
        }
    }
}
