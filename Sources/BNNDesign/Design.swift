/// The compiled streaming design: the stages the hardware runs, with every ROM word and integer
/// threshold the C++ uses. The simulator and the emitter both read only this.
public struct Design: Sendable {
    /// C identifier of the top function.
    public var name: String
    public var input: DesignInput
    /// Thresholds the raw input into bits (a leading `sign` layer), if the network starts with one.
    public var binarizer: BinarizerStage?
    /// The matrix-vector units in stream order; the last one outputs accumulators.
    public var layers: [MvauStage]
    public var output: OutputStage
    public var labels: [String]?
    /// The dataflow graph in topological order: which stream each MVAU and threshold stage reads.
    /// The last node is the last MVAU (its accumulators feed `output`). A chain (version 1 and
    /// every network without `input`/`add`) is `DesignNode.chain(layers:)`.
    public var nodes: [DesignNode]

    /// A chain: MVAU i reads MVAU i - 1.
    public init(name: String, input: DesignInput, binarizer: BinarizerStage?, layers: [MvauStage], output: OutputStage, labels: [String]?) {
        self.init(name: name, input: input, binarizer: binarizer, layers: layers, output: output, labels: labels,
                  nodes: DesignNode.chain(layers: layers.count))
    }

    public init(name: String, input: DesignInput, binarizer: BinarizerStage?, layers: [MvauStage], output: OutputStage, labels: [String]?,
                nodes: [DesignNode]) {
        self.name = name
        self.input = input
        self.binarizer = binarizer
        self.layers = layers
        self.output = output
        self.labels = labels
        self.nodes = nodes
    }

    /// True when the nodes are exactly the chain of `layers` (no threshold stage, no fan-out).
    public var isChain: Bool {
        nodes.count == layers.count && nodes.enumerated().allSatisfy { i, node in
            node.layer == i && node.inputs == [i == 0 ? .input : .node(i - 1)]
        }
    }

    /// How many nodes read each node's output (index = node), and how many read the input.
    public var readers: (input: Int, nodes: [Int]) {
        var counts = Array(repeating: 0, count: nodes.count)
        var input = 0
        for node in nodes {
            for source in node.inputs {
                switch source {
                case .input: input += 1
                case .node(let n): counts[n] += 1
                }
            }
        }
        return (input, counts)
    }

    public var classCount: Int { layers.last?.outputs ?? 0 }
}

/// What enters the top function's input stream: `count` elements per frame, HWC order.
public struct DesignInput: Sendable {
    public enum Encoding: String, Sendable {
        case bipolar, uint8, int8
    }

    public var encoding: Encoding
    public var count: Int
    public var channels: Int
    public var scale: Double
    public var zeroPoint: Int

    public init(encoding: Encoding, count: Int, channels: Int, scale: Double, zeroPoint: Int) {
        self.encoding = encoding
        self.count = count
        self.channels = channels
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// Bits per element on the stream.
    public var bits: Int { encoding == .bipolar ? 1 : 8 }
    public var isSigned: Bool { encoding == .int8 }
}

/// PE output neurons in parallel, SIMD input elements per cycle.
public struct Folding: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var pe: Int
    public var simd: Int

    public init(pe: Int, simd: Int) {
        self.pe = pe
        self.simd = simd
    }

    public var description: String { "PE=\(pe), SIMD=\(simd)" }

    /// Neuron folds, ceil(MH / PE): the last one is partly padding rows when PE does not divide MH.
    public func neuronFold(outputs: Int) -> Int { (outputs + pe - 1) / max(pe, 1) }

    /// Synapse folds, ceil(MW / SIMD): the last word of a vector is partly padding columns when
    /// SIMD does not divide MW.
    public func synapseFold(inputs: Int) -> Int { (inputs + simd - 1) / max(simd, 1) }

    /// MH and MW rounded up to whole folds: rows past MH and columns past MW are padding.
    public func paddedOutputs(_ outputs: Int) -> Int { neuronFold(outputs: outputs) * pe }
    public func paddedInputs(_ inputs: Int) -> Int { synapseFold(inputs: inputs) * simd }

    /// Lanes of the input binarizer in front of a first layer with this folding: a divisor of
    /// both the input channels (thresholds per channel) and SIMD.
    public func binarizerLanes(channels: Int) -> Int {
        var (a, b) = (channels, simd)
        while b != 0 { (a, b) = (b, a % b) }
        return max(a, 1)
    }
}

/// An integer type of the generated C++ (`ap_uint<bits>` or `ap_int<bits>`).
public struct IntegerType: Sendable, Equatable {
    public var bits: Int
    public var isSigned: Bool

    public init(bits: Int, isSigned: Bool) {
        self.bits = bits
        self.isSigned = isSigned
    }

    /// The narrowest type holding every value of `range`.
    public init(holding range: ClosedRange<Int>) {
        isSigned = range.lowerBound < 0
        var bits = 1
        while !IntegerType(bits: bits, isSigned: isSigned).range.contains(range.lowerBound)
            || !IntegerType(bits: bits, isSigned: isSigned).range.contains(range.upperBound) {
            bits += 1
        }
        self.bits = bits
    }

    public var range: ClosedRange<Int> {
        isSigned ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
    }

    public var cName: String { isSigned ? "ap_int<\(bits)>" : "ap_uint<\(bits)>" }
}
