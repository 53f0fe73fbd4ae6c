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
        var layers: [IntegerLayer] = []
        var output = OutputStage.logits(maps: [])
        for (g, group) in fused.codeGroups.enumerated() {
            let lanes = try GroupLanes.choose(group, input, spec: spec, file: file)
            let window = group.convolution.map {
                SlidingWindowStage(input: group.compute.inputShape, kernel: $0.kernel, stride: $0.stride, padding: $0.padding, pad: lanes.pad)
            }
            if g == fused.codeGroups.count - 1 {
                let (layer, stage) = try CodeLogits.lastLayer(group, lanes, mode: network.outputMode, window: window, file: file)
                layers.append(layer)
                output = stage
                break
            }
            var layer = try CodeThresholds.fold(group, lanes, file: file)
            layer.window = window
            layer.border = lanes.border
            let levels = group.quantizers.last?.levels ?? 1
            let bits = MultiThresholdROM.bits(levels: levels)
            layer.pool = poolStage(group, bits: bits)
            if let last = group.quantizers.last {
                let n = group.codePool.map { $0.isAverage ? $0.pool.height * $0.pool.width : 1 } ?? 1
                input = .codes(offset: last.offset, step: last.step / n, maxCode: levels * n, bits: layer.pool?.outputBits ?? bits)
            }
            layers.append(layer)
        }
        return IntegerNetwork(name: network.cName, input: designInput, binarizer: binarizer, layers: layers,
                              output: output, labels: network.labels)
    }

    /// The group's pool: before the quantizer, the max of the codes where the steps after the
    /// pool rise and their min where they fall; after it, the max or the sum of the codes.
    private static func poolStage(_ group: CodeGroup, bits: Int) -> PoolStage? {
        if let pre = group.prePool {
            let and = (0..<group.outputs).map { group.direction(unit: $0, from: pre.position) < 0 }
            return PoolStage(label: pre.layer.label, layerIndex: pre.layer.index, input: pre.layer.inputShape,
                             pool: pre.pool.pool, stride: pre.pool.stride, andChannels: and, kind: .max, bits: bits)
        }
        guard let pool = group.codePool else { return nil }
        return PoolStage(label: pool.layer.label, layerIndex: pool.layer.index, input: pool.layer.inputShape,
                         pool: pool.pool, stride: pool.stride, andChannels: Array(repeating: false, count: group.outputs),
                         kind: pool.isAverage ? .sum : .max, bits: bits)
    }
}
