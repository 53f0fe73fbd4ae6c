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

    func expectedText(classes: Int, argmax: Bool) -> String {
        var text = "\(expected.count) \(classes) \(argmax ? 1 : 0)\n"
        for e in expected {
            switch e {
            case .argmax(let c):
                text += "\(c)\n"
            case .logits(let sums, let logits):
                text += zip(sums, logits).map { "\($0) \(CppLiterals.double($1))" }.joined(separator: " ") + "\n"
            }
        }
        return text
    }
}
