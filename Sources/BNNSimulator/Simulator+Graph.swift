import BNNDesign

/// Residual graphs (`Design.nodes` other than a chain): every stream is unpacked codes, each
/// MVAU runs on the code kernels, each threshold stage compares its main value against the
/// thresholds of its shortcut code.
extension Simulator {
    /// A chain's packed kernels read bits; graph streams are codes, so those stages run lane by lane.
    static func graphKernel(_ kernel: LayerKernel, _ stage: MvauStage) -> LayerKernel {
        switch kernel {
        case .codes, .planes: return kernel
        case .binary, .integer: return .codes(CodeKernel(stage: stage))
        }
    }

    /// One batch through the nodes: per stage results are the binarizer's codes (if any), then
    /// every node's output codes but the last's (an MVAU feeding a join gives its accumulators).
    func runGraph(_ inputs: UnsafeBufferPointer<Int>, count: Int, kernels: [LayerKernel]) -> SimulationResult {
        var stageCodes: [StageCodes] = []
        let length = design.input.count
        let channels = design.input.channels
        var input: StageCodes
        if let binarizer = design.binarizer {
            input = StageCodes((0..<(count * length)).map { binarizer.code(inputs[$0], channel: ($0 % length) % channels) })
            stageCodes.append(input)
        } else if design.input.encoding == .bipolar {
            input = StageCodes(inputs.map { $0 == 1 ? 1 : 0 })
        } else {
            input = StageCodes(Array(inputs))
        }
        var outputs: [StageCodes] = []
        var accumulators: [Int] = []
        func stream(_ source: StreamSource) -> StageCodes {
            guard case .node(let n) = source else { return input }
            return outputs[n]
        }
        for (n, node) in design.nodes.enumerated() {
            let isLast = n == design.nodes.count - 1
            var out = StageCodes(bytes: [])
            switch node.kind {
            case .mvau(let l):
                out = Self.runCodes(kernels[l], stream(node.inputs[0]), count: count, isLast: isLast) ?? out
            case .threshold(let stage):
                out = Self.runThresholds(stage, main: stream(node.inputs[0]), shortcut: node.inputs.count > 1 ? stream(node.inputs[1]) : nil, count: count)
            }
            if isLast {
                accumulators = Array(out)
            } else {
                stageCodes.append(out)
            }
            outputs.append(out)
        }
        return SimulationResult(count: count, classes: design.classCount, stageBits: stageCodes.map { _ in [] }, stageCodes: stageCodes,
                                accumulators: accumulators, output: design.output)
    }

    /// A requantization or join: element e (channel e % channels) gets the code of its main value
    /// under the thresholds of its shortcut code; then the pool.
    static func runThresholds(_ stage: ThresholdStage, main: StageCodes, shortcut: StageCodes?, count: Int) -> StageCodes {
        let n = count * stage.pixels * stage.channels
        var codes = [Int](repeating: 0, count: n)
        for e in 0..<min(n, main.count) {
            codes[e] = stage.code(main: main[e], channel: e % stage.channels, shortcut: shortcut.map { $0[e] } ?? 0)
        }
        guard let pool = stage.pool else { return StageCodes(codes) }
        return StageCodes(CodePooling.run(codes, count: count, pool))
    }
}
