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
                found += checkCodes(i, simulated.stageCodes[stage], want, neurons: neurons, layerIndex: layerIndex, sumOf: sumOf)
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
        for layer in design.layers.dropLast() {
            checkBits(layerIndex: layer.layerIndices.last ?? 0, neurons: layer.outputCount,
                      sumOf: layer.pool.map { $0.kind == .sum ? $0.pool.height * $0.pool.width : 1 } ?? 1)
        }
        let lastLabel = network.layers[finalComputeIndex].label
        let wantSums = network.version >= 2 ? [] : expected.sums[finalComputeIndex] ?? []
        let gotSums = simulated.sums(i)
        let gotLogits = simulated.logits(i)
        // Version 2's sums over codes with an offset have no integer form in the reference.
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

    /// Multi-bit codes against the reference's values: code u of the group's last quantizer
    /// (summed over `sumOf` codes by an average pool) is the exact `offset + step/sumOf * u`.
    private func checkCodes(_ i: Int, _ codes: StageCodes, _ want: [Double], neurons: Int, layerIndex: Int, sumOf: Int) -> [Mismatch] {
        guard let quantizer = network.layers[...layerIndex].reversed().lazy.compactMap({ Quantizer($0.kind) }).first else { return [] }
        var found: [Mismatch] = []
        for n in 0..<neurons {
            let u = codes[i * neurons + n]
            let value = (quantizer.offset + (quantizer.step / sumOf) * u).double
            if value.bitPattern != want[n].bitPattern {
                found.append(Mismatch(input: i, place: "\(network.layers[layerIndex].label) neuron \(n)",
                                      detail: "reference \(want[n]), simulator code \(u) = \(value)"))
            }
        }
        return found
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
                // Version 2's integer sums over codes (scaled by the input's step, offset) need not be
                // in the units of the design's logit maps: its testbenches compare the logits alone.
                expected.append(.logits(sums: network.version >= 2 ? [] : r.sums[finalComputeIndex] ?? [], logits: r.logits))
            }
        }
        return TestVectors(inputs: (0..<batch.count).map(batch.frame), expected: expected)
    }
}
