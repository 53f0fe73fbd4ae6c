import BNNDesign

/// What the simulated hardware produced for a batch of inputs.
public struct SimulationResult: Sendable {
    public let count: Int
    public let classes: Int
    /// Per thresholding stage (binarizer first, if any, then each hidden MVAU): output bits,
    /// `(neurons + 63) / 64` limbs per input.
    public let stageBits: [[UInt64]]
    /// Per stage, likewise, the output codes (one Int per element) of a stage whose output is
    /// multi-bit (its `stageBits` entry is then empty); empty for 1-bit stages.
    public let stageCodes: [StageCodes]
    /// The last layer's accumulators, `classes` per input.
    public let accumulators: [Int]
    public let output: OutputStage

    /// True when stage `stage` has 1-bit outputs (`bit` reads them; else `stageCodes`).
    public func hasBits(stage: Int) -> Bool { !stageBits[stage].isEmpty || stageCodes[stage].isEmpty }

    /// Bit `neuron` of stage `stage` for input `image`.
    public func bit(stage: Int, image: Int, neuron: Int, neurons: Int) -> Bool {
        let limbs = (neurons + 63) / 64
        return (stageBits[stage][image * limbs + neuron / 64] >> UInt64(neuron % 64)) & 1 == 1
    }

    /// The last layer's accumulators for one input (indexed from 0).
    public func accumulators(_ image: Int) -> [Int] {
        Array(accumulators[(image * classes)..<((image + 1) * classes)])
    }

    /// The spec's integer sums of the last layer.
    public func sums(_ image: Int) -> [Int] {
        zip(accumulators(image), output.maps).map { $1.sum($0) }
    }

    public func logits(_ image: Int) -> [Double] {
        zip(accumulators(image), output.maps).map { $1.logit($0) }
    }

    /// The class the design reports: argmax in hardware, or of the logits in logits mode.
    /// The lowest index wins a tie.
    public func prediction(_ image: Int) -> Int {
        switch output {
        case .argmaxOfAccumulators:
            return Self.firstMax(accumulators(image))
        case .logits, .argmaxOfLogits:
            return Self.firstMax(logits(image))
        }
    }

    public var predictions: [Int] { (0..<count).map(prediction) }

    static func firstMax<T: Comparable>(_ values: [T]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    static func concatenate(_ parts: [SimulationResult]) -> SimulationResult {
        guard let first = parts.first else {
            return SimulationResult(count: 0, classes: 0, stageBits: [], stageCodes: [], accumulators: [], output: .logits(maps: []))
        }
        let stages = first.stageBits.indices.map { s in joined(parts.map { $0.stageBits[s] }) }
        let codes = first.stageCodes.indices.map { s in StageCodes.joined(parts.map { $0.stageCodes[s] }) }
        return SimulationResult(count: parts.reduce(0) { $0 + $1.count }, classes: first.classes, stageBits: stages, stageCodes: codes,
                                accumulators: joined(parts.map(\.accumulators)), output: first.output)
    }

    /// One allocation of the final size (growing by appends would copy and fault in pages
    /// several times over).
    private static func joined<T>(_ arrays: [[T]]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(arrays.reduce(0) { $0 + $1.count })
        for array in arrays { result.append(contentsOf: array) }
        return result
    }
}
