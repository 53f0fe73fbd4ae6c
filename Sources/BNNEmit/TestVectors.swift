/// Frames for the generated testbench and what the reference network computed for them.
/// The command line fills this from `BNNReference`; the emitter only formats it.
public struct TestVectors: Sendable {
    public enum Expected: Sendable {
        /// Per class: the spec's integer sum of the last layer and the float64 logit.
        case logits(sums: [Int], logits: [Double])
        case argmax(Int)
    }

    /// Encoded integers per frame, HWC order.
    public var inputs: [[Int]]
    public var expected: [Expected]

    public init(inputs: [[Int]], expected: [Expected]) {
        self.inputs = inputs
        self.expected = expected
    }

    func inputsText(elements: Int) -> String {
        var text = "\(inputs.count) \(elements)\n"
        for frame in inputs { text += frame.map(String.init).joined(separator: " ") + "\n" }
        return text
    }

    /// Header `frames classes mode`: mode 1 argmax (one class per line), 0 logits with their
    /// integer sums (`sum logit` per class), 2 logits only, where the vectors carry no sums (a
    /// version-2 design whose sums the reference cannot give in the units of its logit maps).
    func expectedText(classes: Int, argmax: Bool) -> String {
        let withSums = expected.allSatisfy {
            if case .logits(let sums, _) = $0 { return sums.count == classes }
            return true
        }
        var text = "\(expected.count) \(classes) \(argmax ? 1 : withSums ? 0 : 2)\n"
        for e in expected {
            switch e {
            case .argmax(let c):
                text += "\(c)\n"
            case .logits(let sums, let logits) where withSums:
                text += zip(sums, logits).map { "\($0) \(CppLiterals.double($1))" }.joined(separator: " ") + "\n"
            case .logits(_, let logits):
                text += logits.map(CppLiterals.double).joined(separator: " ") + "\n"
            }
        }
        return text
    }
}
