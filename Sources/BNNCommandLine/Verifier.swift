import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator

/// Compares the reference network with the simulated design, input by input, stage by stage.
public struct Verifier: Sendable {
    public let network: Network
    public let design: Design

    public init(network: Network, design: Design) {
        self.network = network
        self.design = design
    }

    public struct Mismatch: Sendable, CustomStringConvertible {
        public var input: Int
        public var place: String
        public var detail: String
        public var description: String { "input \(input): \(place): \(detail)" }
    }

    public struct Report: Sendable {
        public var checked: Int
        public var mismatches: [Mismatch]
        /// Inputs with at least one mismatch.
        public var failedInputs: Int
    }

    /// Index of the dense layer the last design stage implements.
    var finalComputeIndex: Int {
        design.layers.last?.layerIndices.first { i in
            if case .dense = network.layers[i].kind { return true }
            return false
        } ?? 0
    }

    public func run(_ batch: InputBatch, threads: Int = 1, keep: Int = 10) throws(ReferenceError) -> Report {
        let reference = ReferenceNetwork(network)
        let simulated = Simulator(design: design).run(batch.values, count: batch.count, threads: threads)
        var mismatches: [Mismatch] = []
        var failed = 0
        for i in 0..<batch.count {
            let expected = try reference.evaluate(batch.frame(i))
            let found = compare(i, expected, simulated)
            if !found.isEmpty { failed += 1 }
            if mismatches.count < keep { mismatches += found.prefix(keep - mismatches.count) }
        }
        return Report(checked: batch.count, mismatches: mismatches, failedInputs: failed)
    }

    private func compare(_ i: Int, _ expected: ReferenceResult, _ simulated: SimulationResult) -> [Mismatch] {
        var found: [Mismatch] = []
        var stage = 0
        func checkBits(layerIndex: Int, neurons: Int, sumOf: Int = 1) {
            let want = expected.layerOutputs[layerIndex]
            defer { stage += 1 }
            guard simulated.hasBits(stage: stage) else {
                found += checkCodes(i, { simulated.stageCodes[stage][i * neurons + $0] }, want, neurons: neurons, layerIndex: layerIndex, sumOf: sumOf)
                return
            }
            // A 1-bit code of a multithreshold (one level) stands for its own two values, not +-1.
            if case .multithreshold = quantizer(before: layerIndex) {
                let bit = { simulated.bit(stage: stage, image: i, neuron: $0, neurons: neurons) ? 1 : 0 }
                found += checkCodes(i, bit, want, neurons: neurons, layerIndex: layerIndex, sumOf: sumOf)
                return
            }
            for n in 0..<neurons {
                let got = simulated.bit(stage: stage, image: i, neuron: n, neurons: neurons)
                if got != (want[n] > 0) {
                    found.append(Mismatch(input: i, place: "\(network.layers[layerIndex].label) neuron \(n)",
                                          detail: "reference \(want[n] > 0 ? "+1" : "-1"), simulator \(got ? "+1" : "-1")"))
                }
            }
        }
        if let b = design.binarizer { checkBits(layerIndex: b.layerIndex, neurons: design.input.count) }
        let sumOf = { (pool: PoolStage?) in pool.map { $0.kind == .sum ? $0.pool.height * $0.pool.width : 1 } ?? 1 }
        for node in design.nodes.dropLast() {
            switch node.kind {
            case .mvau(let l):
                let layer = design.layers[l]
                // An MVAU feeding a join streams accumulators, which the reference has no tensor for.
                if case .accumulator = layer.activation {
                    stage += 1
                    continue
                }
                checkBits(layerIndex: layer.layerIndices.last ?? 0, neurons: layer.outputCount, sumOf: sumOf(layer.pool))
            case .threshold(let t):
                checkBits(layerIndex: t.layerIndices.last ?? 0, neurons: t.outputCount, sumOf: sumOf(t.pool))
            }
        }
        let lastLabel = network.layers[finalComputeIndex].label
        let wantSums = testbenchSums(expected)
        let gotSums = simulated.sums(i)
        let gotLogits = simulated.logits(i)
        // Empty where the reference cannot give the sums in the units of the logit maps.
        for c in 0..<design.classCount where wantSums.count == design.classCount && gotSums[c] != wantSums[c] {
            found.append(Mismatch(input: i, place: "\(lastLabel) class \(c)", detail: "reference sum \(wantSums[c]), simulator \(gotSums[c])"))
        }
        if !design.output.isArgmax {
            for c in 0..<design.classCount where gotLogits[c].bitPattern != expected.logits[c].bitPattern {
                found.append(Mismatch(input: i, place: "logit \(c)", detail: "reference \(expected.logits[c]), simulator \(gotLogits[c])"))
            }
        }
        let prediction = simulated.prediction(i)
        if prediction != expected.prediction {
            found.append(Mismatch(input: i, place: "prediction", detail: "reference class \(expected.prediction), simulator \(prediction)"))
        }
        return found
    }

    /// The last layer's integer sums (`LogitMap.sum`) where the reference has none (codes with an
    /// offset): the codes u of the reference's input values to the last dense layer, `acc = sum
    /// w * u` with the model's weights, mapped by the design's `accScale * acc + accOffset`.
    func codeSums(_ r: ReferenceResult) -> [Int]? {
        guard case .codes = design.layers.last?.inputKind, finalComputeIndex > 0,
              case .dense(let dense) = network.layers[finalComputeIndex].kind else { return nil }
        let before = sources(of: finalComputeIndex).dropFirst()
        guard let source = network.layers[finalComputeIndex].sourceIndex, let q = quantizer(before: source) else { return nil }
        let pools = before.prefix { Quantizer($0.kind) == nil }.compactMap { layer -> Int? in
            if case .avgpool2d(let p) = layer.kind { return p.pool.height * p.pool.width }
            return nil
        }
        let n = pools.first ?? 1
        let step = q.step / n
        var codeOf: [UInt64: Int] = [:]
        for u in 0...(q.levels * n) { codeOf[(q.offset + step * u).double.bitPattern] = codeOf[(q.offset + step * u).double.bitPattern] ?? u }
        let values = r.layerOutputs[source]
        var codes: [Int] = []
        for v in values {
            guard let u = codeOf[v.bitPattern] else { return nil }
            codes.append(u)
        }
        let maps = design.output.maps
        return (0..<dense.units).map { j in
            var acc = 0
            for c in 0..<dense.inputs { acc += (dense.integerWeights?[j, c] ?? dense.weights.value(row: j, column: c)) * codes[c] }
            return maps[j].sum(acc)
        }
    }

    /// The sums a testbench compares, in the units of the design's logit maps: version 1's
    /// integer sum; in version 2, `codeSums` over code lanes and none otherwise (the testbench
    /// then compares the logits alone): the reference's own integer sums of a version-2 model
    /// need not count in the maps' units (a network with an average pool of signs differs by 2).
    /// Whether `testbenchSums` gives the class sums (else only logits and predictions are compared).
    public var comparesClassSums: Bool {
        guard network.version >= 2 else { return true }
        if case .codes = design.layers.last?.inputKind { return true }
        return false
    }

    func testbenchSums(_ r: ReferenceResult) -> [Int] {
        guard network.version >= 2 else { return r.sums[finalComputeIndex] ?? [] }
        if case .codes = design.layers.last?.inputKind { return codeSums(r) ?? [] }
        return []
    }

    /// Multi-bit codes against the reference's values: code u of the group's last quantizer
    /// (summed over `sumOf` codes by an average pool) is the exact `offset + step/sumOf * u`.
    private func checkCodes(_ i: Int, _ code: (Int) -> Int, _ want: [Double], neurons: Int, layerIndex: Int, sumOf: Int) -> [Mismatch] {
        guard let quantizer = quantizer(before: layerIndex) else { return [] }
        var found: [Mismatch] = []
        for n in 0..<neurons {
            let u = code(n)
            let value = (quantizer.offset + (quantizer.step / sumOf) * u).double
            if value.bitPattern != want[n].bitPattern {
                found.append(Mismatch(input: i, place: "\(network.layers[layerIndex].label) neuron \(n)",
                                      detail: "reference \(want[n]), simulator code \(u) = \(value)"))
            }
        }
        return found
    }

    /// Layer k, the layer it reads, the one that reads, ... back to the first layer (a graph's
    /// `input` keys followed).
    private func sources(of k: Int) -> [Layer] {
        var chain: [Layer] = []
        var next: Int? = k
        while let i = next, network.layers.indices.contains(i) {
            chain.append(network.layers[i])
            next = network.layers[i].sourceIndex
        }
        return chain
    }

    /// The quantizer whose codes layers[k]'s output carries: the nearest one k reads through.
    private func quantizer(before k: Int) -> Quantizer? {
        sources(of: k).lazy.compactMap { Quantizer($0.kind) }.first
    }

    /// The generated testbench's vectors: inputs and what the reference computed for them.
    public func testVectors(_ batch: InputBatch) throws(ReferenceError) -> TestVectors {
        let reference = ReferenceNetwork(network)
        var expected: [TestVectors.Expected] = []
        for i in 0..<batch.count {
            let r = try reference.evaluate(batch.frame(i))
            if design.output.isArgmax {
                expected.append(.argmax(r.prediction))
            } else {
                expected.append(.logits(sums: testbenchSums(r), logits: r.logits))
            }
        }
        return TestVectors(inputs: (0..<batch.count).map(batch.frame), expected: expected)
    }
}
