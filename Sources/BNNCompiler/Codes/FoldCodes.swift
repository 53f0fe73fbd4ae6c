import BNNDesign
import BNNModel
import BNNReference

/// Pass 3 for version-2 networks: each group's quantizer chain becomes integer thresholds, one
/// per output level per neuron (and border class), found by searching the float64 decision as
/// the reference evaluates it; the last group becomes exact logit maps.
enum FoldCodes {
    static func run(_ fused: FusedNetwork, file: String) throws(Diagnostic) -> IntegerNetwork {
        let network = fused.network
        let spec = network.input
        var (designInput, binarizer, input) = start(fused)
        var layers: [IntegerLayer] = []
        var output = OutputStage.logits(maps: [])
        for (g, group) in fused.codeGroups.enumerated() {
            let lanes = try GroupLanes.choose(group, input, spec: spec, file: file)
            let window = self.window(group, lanes)
            if g == fused.codeGroups.count - 1 {
                let (layer, stage) = try CodeLogits.lastLayer(group, lanes, mode: network.outputMode, window: window, file: file)
                layers.append(layer)
                output = stage
                break
            }
            let (layer, meaning) = try hidden(group, lanes, window: window, file: file)
            input = meaning
            layers.append(layer)
        }
        return IntegerNetwork(name: network.cName, input: designInput, binarizer: binarizer, layers: layers,
                              output: output, labels: network.labels)
    }

    /// The design input, the binarizer of the leading quantizers, and what the first stream carries.
    static func start(_ fused: FusedNetwork) -> (DesignInput, IntegerBinarizer?, GroupInput) {
        let spec = fused.network.input
        let designInput = DesignInput(
            encoding: DesignInput.Encoding(rawValue: spec.encoding.rawValue) ?? .bipolar,
            count: spec.shape.count, channels: spec.shape.channels, scale: spec.scale, zeroPoint: spec.zeroPoint)
        var input: GroupInput
        if spec.encoding == .bipolar {
            input = .signs
        } else {
            let values = spec.encoding.valueRange
            input = .raw(low: values.lowerBound - spec.zeroPoint, high: values.upperBound - spec.zeroPoint, scale: spec.scale)
        }
        var binarizer: IntegerBinarizer?
        if let last = fused.leadingQuantizers.last {
            binarizer = CodeBinarizer.fold(fused.leadingQuantizers, spec)
            input = .codes(offset: last.quantizer.offset, step: last.quantizer.step, maxCode: last.quantizer.levels,
                           bits: MultiThresholdROM.bits(levels: last.quantizer.levels))
        }
        return (designInput, binarizer, input)
    }

    static func window(_ group: CodeGroup, _ lanes: GroupLanes) -> SlidingWindowStage? {
        group.convolution.map {
            SlidingWindowStage(input: group.compute.inputShape, kernel: $0.kernel, stride: $0.stride, padding: $0.padding, pad: lanes.pad)
        }
    }

    /// A hidden group's MVAU with its thresholds, and what its output stream carries.
    static func hidden(_ group: CodeGroup, _ lanes: GroupLanes, window: SlidingWindowStage?, file: String) throws(Diagnostic) -> (IntegerLayer, GroupInput) {
        var layer = try CodeThresholds.fold(group, lanes, file: file)
        layer.window = window
        layer.border = lanes.border
        let bits = MultiThresholdROM.bits(levels: group.quantizers.last?.levels ?? 1)
        layer.pool = poolStage(group, bits: bits)
        return (layer, meaning(of: group.quantizers, pool: group.codePool, bits: layer.pool?.outputBits ?? bits))
    }

    /// What codes after `quantizers` (and a pool, whose sum divides the step) stand for.
    static func meaning(of quantizers: [Quantizer], pool: CodePool?, bits: Int) -> GroupInput {
        let last = quantizers.last ?? .sign(Sign(offset: []))
        let n = pool.map { $0.isAverage ? $0.pool.height * $0.pool.width : 1 } ?? 1
        return .codes(offset: last.offset, step: last.step / n, maxCode: last.levels * n, bits: bits)
    }

    /// The group's pool: before the quantizer, the max of the codes where the steps after the
    /// pool rise and their min where they fall; after it, the max or the sum of the codes.
    static func poolStage(_ group: CodeGroup, bits: Int) -> PoolStage? {
        if let pre = group.prePool {
            let and = (0..<group.outputs).map { group.direction(unit: $0, from: pre.position) < 0 }
            return PoolStage(label: pre.layer.label, layerIndex: pre.layer.index, input: pre.layer.inputShape,
                             pool: pre.pool.pool, stride: pre.pool.stride, andChannels: and, kind: .max, bits: bits)
        }
        return group.codePool.map { codePoolStage($0, bits: bits) }
    }

    /// A pool over codes of `bits` bits: their max, or their sum for an `avgpool2d`.
    static func codePoolStage(_ pool: CodePool, bits: Int) -> PoolStage {
        PoolStage(label: pool.layer.label, layerIndex: pool.layer.index, input: pool.layer.inputShape,
                  pool: pool.pool, stride: pool.stride, andChannels: Array(repeating: false, count: pool.layer.inputShape.channels),
                  kind: pool.isAverage ? .sum : .max, bits: bits)
    }
}
