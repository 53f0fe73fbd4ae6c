import BNNModel

/// The seeded random residual graphs the simulator's equivalence tests (every case, several
/// seeds and foldings) and the end-to-end g++ tests share: one per kind of join the compiler
/// and the hardware treat differently. Build one with `RandomCodeNetworks(seed:).residualNetwork(options)`.
extension RandomCodeNetworks {
    public struct ResidualCase: Sendable {
        /// What the case covers, for messages.
        public let name: String
        /// A file-name-safe short name (generated projects are named after it).
        public let id: String
        public let options: ResidualOptions
    }

    public static func residualCases() -> [ResidualCase] {
        var cases: [ResidualCase] = []
        var conv = ResidualOptions(inputShape: Shape3(height: 5, width: 5, channels: 2), blocks: [Block(.direct, bits: 2)])
        conv.stemBits = 2
        cases.append(ResidualCase(name: "conv block, 2-bit shortcut", id: "res_conv_2bit", options: conv))

        var odd = Block(.direct, bits: 1)
        odd.padValue = .oddEven
        var requantized = Block(.requantized, bits: 2)
        requantized.weightBits = 2
        requantized.padValue = 1
        var two = ResidualOptions(inputShape: Shape3(height: 4, width: 4, channels: 3), blocks: [odd, requantized])
        two.encoding = .uint8
        two.zeroPoint = 7
        two.scale = 0.0123
        two.stemBits = 1
        two.stemWeightBits = 8
        cases.append(ResidualCase(name: "two conv blocks, 8-bit input, 1-bit shortcut with odd_even, requantized shortcut", id: "res_conv_requantized", options: two))

        var dense = ResidualOptions(inputShape: .vector(12), blocks: [Block(.direct, bits: 1), Block(.bothExact, bits: 2), Block(.requantized, bits: 2)])
        dense.blocks[1].weightBits = 2
        dense.classes = 4
        cases.append(ResidualCase(name: "three dense blocks, 1- and 2-bit shortcuts, both-exact add, requantized shortcut", id: "res_dense_three_blocks", options: dense))

        var down = ResidualOptions(inputShape: Shape3(height: 6, width: 6, channels: 2), blocks: [Block(.averagePool, bits: 1)])
        down.stemBits = 2
        down.globalAverage = true
        cases.append(ResidualCase(name: "downsampling average-pool shortcut, 3x3 global average pool before the last layer", id: "res_conv_downsample_gap", options: down))

        var fromInput = ResidualOptions(inputShape: Shape3(height: 4, width: 4, channels: 2), blocks: [Block(.direct, bits: 2), Block(.bothExact, bits: 1)])
        fromInput.encoding = .int8
        fromInput.zeroPoint = -2
        fromInput.scale = 0.031
        fromInput.inputQuantizer = true
        fromInput.mode = .argmax
        cases.append(ResidualCase(name: "quantized int8 input as a shortcut, both-exact add, argmax", id: "res_conv_input_shortcut_argmax", options: fromInput))
        return cases
    }
}
