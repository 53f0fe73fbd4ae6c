import BNNDesign
import BNNModel
import BNNReference

/// Thresholds of a graph's threshold stages: per channel, shortcut code and output level, the
/// main value where the float64 code starts to reach the level, searched on the reference's own
/// evaluation (`ThresholdSearch`) over every reachable main value, as `CodeThresholds` does for
/// an MVAU. A channel whose code falls as the main value grows compares the negated value.
enum JoinThresholds {
    /// A compute group with an add: the MVAU (accumulator output) and the join after it.
    static func fold(_ group: CodeGroup, _ lanes: GroupLanes, shortcut: GroupInput?, window: SlidingWindowStage?,
                     file: String) throws(Diagnostic) -> (IntegerLayer, IntegerThresholds, GroupInput) {
        let label = group.add?.layer.label ?? group.compute.label
        if lanes.border != nil, let conv = group.convolution {
            throw Diagnostic(file: file, location: "\(group.compute.label).pad_value",
                             message: "pad_value \(conv.padValue) is no code of this input, so its padded taps would need thresholds per border class, which a group with an add does not support; pad with a value the input can hold (0 on codes, or +-1 on signs)")
        }
        guard case .codes(let offset, let step, _, let bits) = shortcut else {
            throw Diagnostic(file: file, location: "\(label).from", message: "the add's operand must be a quantizer's output")
        }
        let z = (0..<(1 << bits)).map { (offset + step * $0).double }
        var reaches: [ClosedRange<Int>] = []
        let search = try levels(channels: group.outputs, shortcuts: z, levels: group.quantizers.last?.levels ?? 1, label: label, file: file) { j in
            let real = lanes.real(j, 0)
            reaches.append(lanes.reach(j))
            return (lanes.reach(j), group.direction(unit: j) < 0, { a, z in group.value(real(a), unit: j, shortcut: z) },
                    { Quantizer.chain(group.quantizers, $0, channel: j) })
        }
        let lowest = reaches.map(\.lowerBound).min() ?? 0
        let highest = reaches.map(\.upperBound).max() ?? 0
        let accumulatorType = IntegerType(holding: min(lowest, 0)...max(highest, 0))
        let layer = IntegerLayer(
            layerIndices: group.layerIndices.filter { $0 < (group.add?.layer.index ?? 0) }, label: group.compute.label,
            computeIndex: group.compute.index, foldKey: group.foldKey,
            weights: group.weights, integerWeights: group.integerWeights, inputKind: lanes.kind, classThresholds: nil, border: nil,
            flipped: Array(repeating: false, count: group.outputs), accumulatorType: accumulatorType, window: window, pool: nil)
        let pixels = window?.outputPixels ?? 1
        let pool = group.codePool.map { FoldCodes.codePoolStage($0, bits: search.thresholds.outputBits) }
        let join = IntegerThresholds(
            label: label, layerIndices: group.layerIndices.filter { $0 >= (group.add?.layer.index ?? 0) }, channels: group.outputs, pixels: pixels,
            mainType: accumulatorType, thresholdType: search.type, shortcutBits: bits, thresholds: search.thresholds, pool: pool)
        return (layer, join, FoldCodes.meaning(of: group.quantizers, pool: group.codePool, bits: pool?.outputBits ?? search.thresholds.outputBits))
    }

    /// A threshold group on codes: a requantization, a both-exact add, or a pool alone (whose
    /// thresholds pass every code through).
    static func fold(_ group: ThresholdGroup, main: GroupInput, shortcut: GroupInput?, file: String) throws(Diagnostic) -> (IntegerThresholds, GroupInput) {
        guard case .codes(let offset, let step, let maxCode, let mainBits) = main else {
            throw Diagnostic(file: file, location: group.first.label, message: "\(group.first.kind.typeName) cannot read the raw input: only a leading quantizer can")
        }
        var z: [Double?] = [nil]
        var shortcutBits: Int?
        if group.add != nil {
            guard case .codes(let zOffset, let zStep, _, let bits) = shortcut else {
                throw Diagnostic(file: file, location: "\(group.first.label).from", message: "the add's operand must be a quantizer's output")
            }
            z = (0..<(1 << bits)).map { (zOffset + zStep * $0).double }
            shortcutBits = bits
        }
        let values = (0...maxCode).map { (offset + step * $0).double }
        let channels = group.shape.channels
        let search: (thresholds: MultiLevelThresholds, type: IntegerType)
        if group.quantizers.isEmpty {
            // Code u reaches level l iff u >= l: the identity.
            let levels = max(maxCode, 1)
            let thresholds = MultiLevelThresholds(levels: levels, outputBits: MultiThresholdROM.bits(levels: levels),
                                                  values: [Array(repeating: Array(1...levels), count: channels)],
                                                  falling: Array(repeating: false, count: channels))
            search = (thresholds, IntegerType(holding: 0...(levels + 1)))
        } else {
            search = try levels(channels: channels, shortcuts: z, levels: group.quantizers.last?.levels ?? 1, label: group.first.label, file: file) { c in
                (0...maxCode, group.direction(channel: c) < 0, { u, z in group.value(main: values[u], shortcut: z, channel: c) },
                 { Quantizer.chain(group.quantizers, $0, channel: c) })
            }
        }
        let pool = group.codePool.map { FoldCodes.codePoolStage($0, bits: search.thresholds.outputBits) }
        let stage = IntegerThresholds(
            label: group.first.label, layerIndices: group.layerIndices, channels: channels, pixels: group.shape.height * group.shape.width,
            mainType: IntegerType(bits: mainBits, isSigned: false), thresholdType: search.type, shortcutBits: shortcutBits,
            thresholds: search.thresholds, pool: pool)
        let bits = pool?.outputBits ?? search.thresholds.outputBits
        if group.quantizers.isEmpty {
            let n = group.codePool.map { $0.isAverage ? $0.pool.height * $0.pool.width : 1 } ?? 1
            return (stage, .codes(offset: offset, step: step / n, maxCode: maxCode * n, bits: bits))
        }
        return (stage, FoldCodes.meaning(of: group.quantizers, pool: group.codePool, bits: bits))
    }

    /// For every channel (its reachable main values, whether its code falls, the value its first
    /// quantizer reads for main value m and shortcut value z, and the quantizers) and every
    /// shortcut value: the ascending thresholds.
    private static func levels<Z>(channels: Int, shortcuts: [Z], levels: Int, label: String, file: String,
                                  channel: (Int) -> (ClosedRange<Int>, Bool, (Int, Z) -> Double, (Double) -> Int)) throws(Diagnostic) -> (thresholds: MultiLevelThresholds, type: IntegerType) {
        var values = Array(repeating: [[Int]](), count: shortcuts.count)
        var falling: [Bool] = []
        var (lowest, highest) = (0, 0)
        for c in 0..<channels {
            let (reach, falls, value, quantize) = channel(c)
            let code = { (m: Int, z: Z) in quantize(value(m, z)) }
            falling.append(falls)
            let searched = falls ? -reach.upperBound...(-reach.lowerBound) : reach
            lowest = min(lowest, searched.lowerBound, reach.lowerBound)
            highest = max(highest, searched.upperBound + 1, reach.upperBound)
            for (v, z) in shortcuts.enumerated() {
                // Every step is monotone, so the ends show whether any value overflows (a NaN
                // decision would not be monotone).
                if let m = [reach.lowerBound, reach.upperBound].first(where: { !value($0, z).isFinite }) {
                    throw Diagnostic(file: file, location: "\(label) output \(c)",
                                     message: "float64 overflow: the value before the quantizer becomes \(value(m, z)) at main value \(m), so its decision cannot be compiled exactly; rescale alpha, bias or the batchnorm")
                }
                var row: [Int] = []
                for l in 1...max(levels, 1) {
                    guard case .rising(let t) = ThresholdSearch.find(in: searched, decide: { code(falls ? -$0 : $0, z) >= l }) else {
                        throw Diagnostic(file: file, location: "\(label) output \(c)" + (shortcuts.count > 1 ? " shortcut code \(v)" : ""),
                                         message: "the float64 output code is not monotone in the sum, so no thresholds reproduce it")
                    }
                    row.append(t)
                }
                values[v].append(row)
            }
        }
        let all = values.joined().joined()
        let thresholds = MultiLevelThresholds(levels: levels, outputBits: MultiThresholdROM.bits(levels: levels), values: values, falling: falling)
        return (thresholds, IntegerType(holding: min(lowest, all.min() ?? 0)...max(highest, all.max() ?? 0)))
    }
}
