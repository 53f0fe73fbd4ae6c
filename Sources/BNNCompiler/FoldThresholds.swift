import BNNDesign
import BNNModel
import BNNReference

/// Pass 3: folds bias, alpha, batchnorm and sign offset into one integer threshold per neuron,
/// exactly reproducing the float64 decision for every reachable accumulator; the last group
/// becomes a per-class logit map (and, in argmax mode, the way hardware compares classes).
public enum FoldThresholds {
    public static func run(_ fused: FusedNetwork, file: String) throws(Diagnostic) -> IntegerNetwork {
        if !fused.graph.isEmpty { return try FoldGraph.run(fused, file: file) }
        if !fused.codeGroups.isEmpty { return try FoldCodes.run(fused, file: file) }
        let network = fused.network
        let spec = network.input
        let input = DesignInput(
            encoding: DesignInput.Encoding(rawValue: spec.encoding.rawValue) ?? .bipolar,
            count: spec.shape.count, channels: spec.shape.channels, scale: spec.scale, zeroPoint: spec.zeroPoint)
        let binarizer = fused.leadingSign.map { binarize($0, spec) }
        var layers: [IntegerLayer] = []
        var output = OutputStage.logits(maps: [])
        for (g, group) in fused.groups.enumerated() {
            let (kind, range, domain, window) = inputDomain(group, spec)
            if g == fused.groups.count - 1 {
                let maps = (0..<group.weights.rows).map { logitMap(group, unit: $0, domain: domain) }
                let accRange = overallRange(group.weights, range)
                layers.append(IntegerLayer(
                    layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index,
                    foldKey: group.foldKey, weights: group.weights, inputKind: kind, classThresholds: nil, border: nil,
                    flipped: Array(repeating: false, count: group.weights.rows),
                    accumulatorType: IntegerType(holding: accRange), window: window, pool: nil))
                output = outputStage(network.outputMode, maps: maps, accRange: accRange)
            } else {
                let border = borderClasses(group, spec, window)
                let sums = neuronSums(group, spec, range: range, domain: domain, border: border)
                try checkFinite(group, classes: border?.count ?? 1, sums: sums, file: file)
                var layer = try thresholdLayer(group, kind: kind, range: range, classes: border?.count ?? 1, sums: sums, file: file)
                layer.border = border
                layer.window = window
                layer.pool = group.pool.map { poolStage($0, group) }
                layers.append(layer)
            }
        }
        return IntegerNetwork(name: network.cName, input: input, binarizer: binarizer, layers: layers,
                              output: output, labels: network.labels)
    }

    /// Lane kind, value range of one lane, accumulator domain and window of a group.
    private static func inputDomain(_ group: FusedGroup, _ spec: InputSpec)
        -> (MvauInput, MvauInputRange, AccumulatorDomain, SlidingWindowStage?) {
        let conv = group.convolution
        let padded = conv.map { !$0.padding.isNone } ?? false
        func window(_ pad: WindowPad) -> SlidingWindowStage? {
            conv.map { SlidingWindowStage(input: group.compute.inputShape, kernel: $0.kernel, stride: $0.stride, padding: $0.padding, pad: pad) }
        }
        if group.readsRawInput, spec.encoding != .bipolar {
            let values = spec.encoding.valueRange
            // Padding of the raw input is the zero point itself: `q - zero_point` adds nothing.
            // +-1 padding adds its constant through the thresholds instead (`borderClasses`).
            return (.integer(bits: 8, isSigned: spec.encoding.isSigned, zeroPoint: spec.zeroPoint),
                    .integer(low: values.lowerBound - spec.zeroPoint, high: values.upperBound - spec.zeroPoint),
                    .integer(scale: spec.scale), window(.constant(spec.zeroPoint & 0xff)))
        }
        if padded, let conv, conv.padValue == 0 {
            return (.maskedBinary, .signed, .signedSum, window(.masked))
        }
        let padBit = conv?.padValue == 1 ? 1 : 0
        return (.binary, .binary, .binary(inputs: group.weights.columns), window(.constant(padBit)))
    }

    /// The border classes of a +-1-padded convolution on the 8-bit input (nil elsewhere: one class).
    private static func borderClasses(_ group: FusedGroup, _ spec: InputSpec, _ window: SlidingWindowStage?) -> BorderClasses? {
        guard group.readsRawInput, spec.encoding != .bipolar, let conv = group.convolution, conv.padValue != 0,
              !conv.padding.isNone, let window else { return nil }
        return BorderClasses(window: window)
    }

    /// The sums of neuron `j` at border class `k`, on the group's original weights.
    private static func neuronSums(_ group: FusedGroup, _ spec: InputSpec, range: MvauInputRange, domain: AccumulatorDomain,
                                   border: BorderClasses?) -> (Int, Int) -> NeuronSums {
        guard let border, let conv = group.convolution, case .integer(let low, let high) = range else {
            return { j, _ in NeuronSums.uniform(row: j, weights: group.weights, range: range, domain: domain) }
        }
        return { j, k in
            NeuronSums.border(row: j, borderClass: k, classes: border, conv: conv, weights: group.weights,
                              low: low, high: high, scale: spec.scale)
        }
    }

    /// One threshold per neuron and border class. A neuron whose decision falls with the sum
    /// (in any class) has its row negated and every class searched again on the negated
    /// accumulator. Every step after the sum is monotone in the same direction whatever the
    /// class's constant P (the direction is sign(alpha * gamma)), so a falling decision in one
    /// class never rises in another; a class where it is constant saturates either way.
    private static func thresholdLayer(_ group: FusedGroup, kind: MvauInput, range: MvauInputRange, classes: Int,
                                       sums: (Int, Int) -> NeuronSums, file: String) throws(Diagnostic) -> IntegerLayer {
        var weights = group.weights
        var thresholds = Array(repeating: [Int](), count: classes)
        var flipped: [Bool] = []
        let columns = weights.columns
        for j in 0..<weights.rows {
            let perClass = (0..<classes).map { sums(j, $0) }
            let results = perClass.map { s in ThresholdSearch.find(in: s.reach) { decision(group, unit: j, real: s.real($0)) } }
            guard results.contains(.falling) else {
                for (k, result) in results.enumerated() {
                    if case .rising(let t) = result { thresholds[k].append(t) }
                }
                flipped.append(false)
                continue
            }
            weights.negateRow(j)
            flipped.append(true)
            for (k, s) in perClass.enumerated() {
                let flip = { (acc: Int) in AccumulatorDomain.flipped(acc, inputs: columns, range: range) }
                let (a, b) = (flip(s.reach.lowerBound), flip(s.reach.upperBound))
                let result = ThresholdSearch.find(in: min(a, b)...max(a, b)) { decision(group, unit: j, real: s.real(flip($0))) }
                // A monotone decision that fell before rises after the flip.
                guard case .rising(let t) = result else {
                    throw Diagnostic(file: file, location: "\(group.compute.label) output \(j)",
                                     message: "the float64 decision rises with the sum at some border positions and falls at others, so no threshold reproduces it")
                }
                thresholds[k].append(t)
            }
        }
        let accRange = overallRange(weights, range)
        let all = thresholds.joined()
        let lowest = min(accRange.lowerBound, all.min() ?? 0)
        let highest = max(accRange.upperBound, all.max() ?? 0)
        return IntegerLayer(
            layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index,
            foldKey: group.foldKey, weights: weights, inputKind: kind, classThresholds: thresholds, border: nil, flipped: flipped,
            accumulatorType: IntegerType(holding: lowest...highest), window: nil, pool: nil)
    }

    /// The threshold search relies on the decision being monotone in the sum, which float64
    /// guarantees only while every step stays finite: an overflow to infinity followed by
    /// `0 * inf` or `inf - inf` gives NaN and a decision that is not one step. Every step is
    /// monotone in the sum, so its magnitude is largest at an end of the reachable range:
    /// checking both ends covers every value in between.
    private static func checkFinite(_ group: FusedGroup, classes: Int, sums: (Int, Int) -> NeuronSums, file: String) throws(Diagnostic) {
        for j in 0..<group.weights.rows {
            for k in 0..<classes {
                let neuron = sums(j, k)
                for acc in [neuron.reach.lowerBound, neuron.reach.upperBound] {
                    let s = neuron.real(acc)
                    var steps = [s, group.affine(s, unit: j)]
                    if let bn = group.batchnorm { steps.append(bn.apply(steps[1], channel: j)) }
                    steps.append(steps.last.map { $0 - (group.sign?.offset[j] ?? 0) } ?? 0)
                    if let bad = steps.first(where: { !$0.isFinite }) {
                        throw Diagnostic(file: file, location: "\(group.compute.label) output \(j)",
                                         message: "float64 overflow: an intermediate value becomes \(bad) for the sum \(neuron.sum(acc)), so its decision cannot be compiled exactly; rescale alpha, bias or the batchnorm")
                    }
                }
            }
        }
    }

    /// The float64 decision of neuron `unit` for the exact sum's value `real`, step by step as
    /// the reference evaluates it.
    static func decision(_ group: FusedGroup, unit j: Int, real: Double) -> Bool {
        var y = group.affine(real, unit: j)
        if let bn = group.batchnorm { y = bn.apply(y, channel: j) }
        return ReferenceMath.sign(y, offset: group.sign?.offset[j] ?? 0)
    }

    /// Max-pool over per-position decision bits. The decision is `post(max_p pre(s_p))` with both
    /// steps monotone, so it equals the OR of the per-position decisions when `post` rises and
    /// their AND when it falls; `post` falls only for a pool before a batchnorm whose gamma < 0
    /// (alpha's sign lives in `pre` and does not matter).
    private static func poolStage(_ fused: FusedPool, _ group: FusedGroup) -> PoolStage {
        let channels = group.weights.rows
        let and = (0..<channels).map { c in
            fused.position == .beforeBatchnorm && (group.batchnorm.map { $0.gamma[c] < 0 } ?? false)
        }
        return PoolStage(label: fused.layer.label, layerIndex: fused.layer.index, input: fused.layer.inputShape,
                         pool: fused.pool.pool, stride: fused.pool.stride, andChannels: and)
    }

    /// Hull of every row's reachable accumulators (also bounds every partial sum).
    private static func overallRange(_ weights: SignMatrix, _ range: MvauInputRange) -> ClosedRange<Int> {
        switch range {
        case .binary: return 0...weights.columns
        case .signed: return -weights.columns...weights.columns
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
                        alpha: group.alpha[j], bias: group.bias[j], batchnorm: bn)
    }

    /// Largest accumulator range we check exhaustively for the integer argmax shortcut.
    static let maxArgmaxCheck = 1 << 20

    /// In argmax mode, compare accumulators directly only when every class shares one map that
    /// is strictly increasing over the reachable range (so equal logits mean equal accumulators
    /// and ties resolve the same way); otherwise compare the float64 logits in hardware.
    static func outputStage(_ mode: OutputMode, maps: [LogitMap], accRange: ClosedRange<Int>) -> OutputStage {
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
            // The real value rises with q (scale > 0), so the search never reports falling.
            if case .rising(let t) = ThresholdSearch.find(in: values, decide: decide) { return t }
            return values.upperBound + 1
        }
        return IntegerBinarizer(
            layerIndex: leading.layer.index, label: leading.layer.label, thresholds: thresholds,
            thresholdType: IntegerType(holding: values.lowerBound...(values.upperBound + 1)))
    }
}
