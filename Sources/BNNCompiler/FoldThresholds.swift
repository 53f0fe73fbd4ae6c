import BNNDesign
import BNNModel
import BNNReference

/// Pass 3: folds bias, alpha, batchnorm and sign offset into one integer threshold per neuron,
/// exactly reproducing the float64 decision for every reachable accumulator; the last group
/// becomes a per-class logit map (and, in argmax mode, the way hardware compares classes).
public enum FoldThresholds {
    public static func run(_ fused: FusedNetwork) -> IntegerNetwork {
        let network = fused.network
        let spec = network.input
        let input = DesignInput(
            encoding: DesignInput.Encoding(rawValue: spec.encoding.rawValue) ?? .bipolar,
            count: spec.shape.count, channels: spec.shape.channels, scale: spec.scale, zeroPoint: spec.zeroPoint)
        let binarizer = fused.leadingSign.map { binarize($0, spec) }
        var layers: [IntegerLayer] = []
        var output = OutputStage.logits(maps: [])
        for (g, group) in fused.groups.enumerated() {
            let isLast = g == fused.groups.count - 1
            let (kind, range, domain) = inputDomain(group, spec)
            if isLast {
                let maps = (0..<group.dense.units).map { logitMap(group, unit: $0, domain: domain) }
                let accRange = overallRange(group.dense.weights, range)
                layers.append(IntegerLayer(
                    layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index, foldKey: group.foldKey,
                    weights: group.dense.weights, inputKind: kind, thresholds: nil,
                    flipped: Array(repeating: false, count: group.dense.units),
                    accumulatorType: IntegerType(holding: accRange)))
                output = outputStage(network.outputMode, maps: maps, accRange: accRange)
            } else {
                layers.append(thresholdLayer(group, kind: kind, range: range, domain: domain))
            }
        }
        return IntegerNetwork(name: network.cName, input: input, binarizer: binarizer, layers: layers,
                              output: output, labels: network.labels)
    }

    /// Lane kind, value range of one lane's `q - zero_point`, and accumulator domain of a group.
    private static func inputDomain(_ group: FusedGroup, _ spec: InputSpec) -> (MvauInput, MvauInputRange, AccumulatorDomain) {
        guard group.readsRawInput, spec.encoding != .bipolar else {
            return (.binary, .binary, .binary(inputs: group.dense.inputs))
        }
        let values = spec.encoding.valueRange
        return (.integer(bits: 8, isSigned: spec.encoding.isSigned, zeroPoint: spec.zeroPoint),
                .integer(low: values.lowerBound - spec.zeroPoint, high: values.upperBound - spec.zeroPoint),
                .integer(scale: spec.scale))
    }

    private static func thresholdLayer(_ group: FusedGroup, kind: MvauInput, range: MvauInputRange, domain: AccumulatorDomain) -> IntegerLayer {
        var weights = group.dense.weights
        var thresholds: [Int] = []
        var flipped: [Bool] = []
        let binary = kind == .binary
        let columns = weights.columns
        for j in 0..<weights.rows {
            let reach = AccumulatorDomain.reachable(row: j, weights: weights, input: range)
            let decide = { (acc: Int) in decision(group, unit: j, real: domain.realSum(acc)) }
            switch ThresholdSearch.find(in: reach, decide: decide) {
            case .rising(let t):
                thresholds.append(t)
                flipped.append(false)
            case .falling:
                weights.negateRow(j)
                let flippedReach = AccumulatorDomain.reachable(row: j, weights: weights, input: range)
                let decideFlipped = { (acc: Int) in decide(domain.flippedAccumulator(acc, inputs: columns, binary: binary)) }
                guard case .rising(let t) = ThresholdSearch.find(in: flippedReach, decide: decideFlipped) else {
                    // Unreachable for a monotone decision; keep the output constant rather than trap.
                    thresholds.append(flippedReach.upperBound + 1)
                    flipped.append(true)
                    continue
                }
                thresholds.append(t)
                flipped.append(true)
            }
        }
        let accRange = overallRange(weights, range)
        let lowest = min(accRange.lowerBound, thresholds.min() ?? 0)
        let highest = max(accRange.upperBound, thresholds.max() ?? 0)
        return IntegerLayer(
            layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index, foldKey: group.foldKey,
            weights: weights, inputKind: kind, thresholds: thresholds, flipped: flipped,
            accumulatorType: IntegerType(holding: lowest...highest))
    }

    /// The float64 decision of neuron `unit` for the exact sum's value `real`, step by step as
    /// the reference evaluates it.
    static func decision(_ group: FusedGroup, unit j: Int, real: Double) -> Bool {
        var y = group.dense.apply(real, unit: j)
        if let bn = group.batchnorm { y = bn.apply(y, channel: j) }
        return ReferenceMath.sign(y, offset: group.sign?.offset[j] ?? 0)
    }

    /// Hull of every row's reachable accumulators (also bounds every partial sum).
    private static func overallRange(_ weights: SignMatrix, _ range: MvauInputRange) -> ClosedRange<Int> {
        switch range {
        case .binary: return 0...weights.columns
        case .integer(let low, let high):
            let extent = weights.columns * max(-low, high)
            return -extent...extent
        }
    }

    private static func logitMap(_ group: FusedGroup, unit j: Int, domain: AccumulatorDomain) -> LogitMap {
        let bn = group.batchnorm.map {
            LogitMap.BatchNormStep(mean: $0.mean[j], gamma: $0.gamma[j],
                                   stddev: ($0.variance[j] + $0.eps).squareRoot(), beta: $0.beta[j])
        }
        return LogitMap(accScale: domain.accScale, accOffset: domain.accOffset, inputScale: domain.inputScale,
                        alpha: group.dense.alpha[j], bias: group.dense.bias[j], batchnorm: bn)
    }

    /// Largest accumulator range we check exhaustively for the integer argmax shortcut.
    static let maxArgmaxCheck = 1 << 20

    /// In argmax mode, compare accumulators directly only when every class shares one map that
    /// is strictly increasing over the reachable range (so equal logits mean equal accumulators
    /// and ties resolve the same way); otherwise compare the float64 logits in hardware.
    private static func outputStage(_ mode: OutputMode, maps: [LogitMap], accRange: ClosedRange<Int>) -> OutputStage {
        guard mode == .argmax else { return .logits(maps: maps) }
        guard let first = maps.first, maps.allSatisfy({ $0 == first }), accRange.count <= maxArgmaxCheck else {
            return .argmaxOfLogits(maps: maps)
        }
        var previous = first.logit(accRange.lowerBound)
        for acc in accRange.dropFirst() {
            let value = first.logit(acc)
            guard value > previous else { return .argmaxOfLogits(maps: maps) }
            previous = value
        }
        return .argmaxOfAccumulators(maps: maps)
    }

    private static func binarize(_ leading: FusedNetwork.LeadingSign, _ spec: InputSpec) -> IntegerBinarizer {
        let values = spec.encoding.valueRange
        let thresholds = (0..<spec.shape.channels).map { c -> Int in
            let decide = { (q: Int) in
                ReferenceMath.sign(ReferenceMath.scaledSum(q - spec.zeroPoint, scale: spec.scale), offset: leading.sign.offset[c])
            }
            // q - scale*... rises with q (scale > 0), so the search never reports falling.
            if case .rising(let t) = ThresholdSearch.find(in: values, decide: decide) { return t }
            return values.upperBound + 1
        }
        return IntegerBinarizer(
            layerIndex: leading.layer.index, label: leading.layer.label, thresholds: thresholds,
            thresholdType: IntegerType(holding: values.lowerBound...(values.upperBound + 1)))
    }
}
