/// The design as `compile --runtime-weights` builds it: every C++ type must hold the values of
/// any trained weights of the same topology and folding, since the RAMs are loaded after
/// synthesis. So the accumulator types are widened to the layer's worst case (from its fan-in,
/// weight bits and input range, never from the weights), thresholds are clamped into that range
/// (a threshold beyond every reachable value decides the same as one just past it), and argmax
/// compares float64 logits (whether one shared increasing map lets hardware compare
/// accumulators depends on the trained values). The values stay exactly those of the ROM design.
extension Design {
    public func runtimeWritable() -> Design {
        var copy = self
        copy.layers = layers.map { $0.runtimeWritable() }
        copy.nodes = nodes.map { node in
            guard var t = node.thresholdStage else { return node }
            // A join after a compute layer reads that layer's (widened) accumulators; any other
            // threshold stage reads codes, whose range is the topology's.
            if case .node(let k) = node.inputs.first, let l = nodes[k].layer, case .accumulator = layers[l].activation {
                let layer = copy.layers[l]
                let m = layer.worstCaseMagnitude
                t.runtimeWritable(main: layer.accumulatorType, reach: layer.inputKind == .binary && layer.weights.weightBits == 1 ? 0...m : -m...m)
            } else {
                t.runtimeWritable(main: t.mainType, reach: t.mainType.range)
            }
            return DesignNode(kind: .threshold(t), inputs: node.inputs)
        }
        if case .argmaxOfAccumulators(let maps) = output { copy.output = .argmaxOfLogits(maps: maps) }
        return copy
    }
}

extension MvauStage {
    /// Largest |accumulator| any weights can reach, from the fan-in, weight bits and input range.
    var worstCaseMagnitude: Int {
        let weight = weights.weightBits == 1 ? 1 : 1 << (weights.weightBits - 1)
        let input: Int
        switch inputKind {
        case .binary, .maskedBinary: input = 1
        case .integer(let bits, let isSigned, let zeroPoint):
            let values = isSigned ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
            input = max(abs(values.lowerBound - zeroPoint), abs(values.upperBound - zeroPoint))
        case .codes(let bits): input = (1 << bits) - 1
        }
        return inputs * weight * input
    }

    func runtimeWritable() -> MvauStage {
        var copy = self
        let m = worstCaseMagnitude
        // XNOR popcount counts agreeing bits (0...MW); every other accumulator is a signed sum.
        let reach = inputKind == .binary && weights.weightBits == 1 ? 0...m : -m...m
        // One past each end, so every clamped threshold fits (and the multi-threshold type too).
        copy.accumulatorType = IntegerType(holding: (reach.lowerBound == 0 ? 0 : -m - 1)...(m + 1))
        switch activation {
        case .thresholds(var rom):
            rom.values = rom.values.map { min(max($0, reach.lowerBound), reach.upperBound + 1) }
            copy.activation = .thresholds(rom)
        case .multiThreshold(var rom):
            // Levels compare acc or -acc: both lie in -m...m.
            rom.values = rom.values.map { min(max($0, -m), m + 1) }
            copy.activation = .multiThreshold(rom)
        case .accumulator:
            break
        }
        return copy
    }
}

extension ThresholdStage {
    /// Types from the main stream's type and reachable values only; thresholds clamped to one
    /// past the compared values (main or -main), which decides the same.
    mutating func runtimeWritable(main: IntegerType, reach: ClosedRange<Int>) {
        let r = max(abs(reach.lowerBound), abs(reach.upperBound))
        mainType = main
        thresholdType = IntegerType(holding: min(-r - 1, main.range.lowerBound)...max(r + 1, main.range.upperBound))
        thresholds.values = thresholds.values.map { min(max($0, -r), r + 1) }
    }
}
