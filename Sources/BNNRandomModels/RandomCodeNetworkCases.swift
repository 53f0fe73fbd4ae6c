import BNNModel

/// The seeded random version-2 test networks the simulator's equivalence tests (every case,
/// several seeds and foldings) and the end-to-end g++ tests (every case, one seed) share: one
/// per group of features the compiler and the emitter treat differently.
extension RandomCodeNetworks {
    public struct Case: Sendable {
        /// What the case covers, for messages.
        public let name: String
        /// A file-name-safe short name (generated projects are named after it).
        public let id: String
        public let options: Options
    }

    /// Every case: the MLPs, then the CNNs.
    public static func cases() -> [Case] { mlpCases() + cnnCases() }

    public static func mlpCases() -> [Case] {
        var cases: [Case] = []
        var w1a2 = Options(inputShape: .vector(37), sizes: [29, 17, 5])
        w1a2.activation = .quantize
        cases.append(Case(name: "W1A2 MLP, quantize", id: "mlp_w1a2_quantize", options: w1a2))
        var w2a2 = Options(inputShape: .vector(24), sizes: [19, 13, 4])
        w2a2.denseBits = [2]
        w2a2.activation = .multithreshold
        w2a2.lastShift = true
        cases.append(Case(name: "W2A2 MLP, multithreshold, last shift", id: "mlp_w2a2_multithreshold_shift", options: w2a2))
        var eight = Options(inputShape: .vector(20), sizes: [16, 11, 3])
        eight.encoding = .uint8
        eight.zeroPoint = 9
        eight.scale = 0.0137
        eight.denseBits = [8, 2, 8]
        eight.mode = .argmax
        cases.append(Case(name: "8-bit first and last layer, uint8, argmax", id: "mlp_8bit_first_last_argmax", options: eight))
        var requant = Options(inputShape: .vector(18), sizes: [14, 9, 3])
        requant.encoding = .int8
        requant.zeroPoint = -3
        requant.scale = 0.021
        requant.inputQuantizers = 2
        requant.activation = .requantize
        requant.denseBits = [3, 1, 4]
        cases.append(Case(name: "requantized input and activations, int8", id: "mlp_requantized_int8", options: requant))
        var mixed = Options(inputShape: .vector(33), sizes: [21, 30, 6])
        mixed.denseBits = [1, 2, 5]
        mixed.inputQuantizers = 1
        cases.append(Case(name: "mixed activations, quantized bipolar input", id: "mlp_mixed_quantized_bipolar_input", options: mixed))
        var plain = Options(inputShape: .vector(26), sizes: [15, 4])
        plain.activation = .sign
        plain.denseBits = [2, 1]
        plain.chains = false
        plain.lastBatchnorm = false
        cases.append(Case(name: "sign with 2-bit weights (codes of one bit)", id: "mlp_sign_2bit_weights", options: plain))
        return cases
    }

    public static func cnnCases() -> [Case] {
        var cases: [Case] = []
        var a = Options(inputShape: Shape3(height: 6, width: 6, channels: 2), sizes: [5])
        var a1 = Conv(filters: 4, kernel: Pair(3, 3))
        a1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        a1.padValue = .oddEven
        a1.pool = .maxBeforeQuantizer
        var a2 = Conv(filters: 5, kernel: Pair(2, 2))
        a2.weightBits = 2
        a2.pool = .maxAfterQuantizer
        a.convs = [a1, a2]
        a.activation = .quantize
        cases.append(Case(name: "W1A2 CNN, odd_even padding, max-pools before and after", id: "cnn_odd_even_max_pools", options: a))

        var b = Options(inputShape: Shape3(height: 7, width: 7, channels: 1), sizes: [6, 3])
        b.encoding = .uint8
        b.zeroPoint = 4
        b.scale = 0.019
        var b1 = Conv(filters: 5, kernel: Pair(3, 3))
        b1.weightBits = 8
        b1.padding = Padding(top: 1, bottom: 0, left: 2, right: 1)
        b1.padValue = -1
        b1.pool = .average
        b1.poolSize = Pair(3, 3)
        b1.poolStride = Pair(2, 2)
        var b2 = Conv(filters: 6, kernel: Pair(2, 2))
        b2.weightBits = 2
        b2.padding = Padding(top: 1, bottom: 1, left: 0, right: 1)
        b2.padValue = 0
        b.convs = [b1, b2]
        b.denseBits = [2, 8]
        b.activation = .multithreshold
        cases.append(Case(name: "8-bit CNN, -1 border classes, 3x3 average pool, zero padding on codes", id: "cnn_8bit_border_classes_average_pool", options: b))

        var c = Options(inputShape: Shape3(height: 4, width: 4, channels: 3), sizes: [4])
        var c1 = Conv(filters: 6, kernel: Pair(3, 3))
        c1.weightBits = 2
        c1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        c1.padValue = 1
        var c2 = Conv(filters: 7, kernel: Pair(1, 1))
        c2.weightBits = 2
        c2.pool = .average
        c2.poolSize = nil
        c.convs = [c1, c2]
        c.denseBits = [2]
        c.activation = .requantize
        c.lastShift = true
        cases.append(Case(name: "W2A2 CNN, +1 padding, global average pool, requantization", id: "cnn_global_average_pool_requantize", options: c))

        var d = Options(inputShape: Shape3(height: 5, width: 5, channels: 2), sizes: [7, 3])
        d.inputQuantizers = 1
        d.unitInputQuantizer = true
        d.encoding = .int8
        d.zeroPoint = 2
        d.scale = 0.03
        var d1 = Conv(filters: 3, kernel: Pair(2, 2))
        d1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        d1.padValue = .oddEven
        d1.pool = .average
        d.convs = [d1]
        d.activation = .sign
        d.mode = .argmax
        cases.append(Case(name: "quantized input, odd_even on codes, 2x2 average pool of signs", id: "cnn_quantized_input_odd_even_sum_of_signs", options: d))

        var e = Options(inputShape: Shape3(height: 6, width: 6, channels: 2), sizes: [5, 3])
        e.encoding = .uint8
        e.zeroPoint = 11
        e.scale = 0.013
        var e1 = Conv(filters: 5, kernel: Pair(3, 3))
        e1.padding = Padding(top: 1, bottom: 1, left: 1, right: 1)
        e1.padValue = 1
        e1.pool = .maxBeforeQuantizer
        var e2 = Conv(filters: 4, kernel: Pair(2, 2))
        e2.pool = .maxAfterQuantizer
        e.convs = [e1, e2]
        e.activation = .sign
        e.denseBits = [1, 2]
        cases.append(Case(name: "8-bit input, 1-bit weights and sign (v1 thresholds with negated rows), +1 border classes", id: "cnn_8bit_input_sign_border_classes", options: e))

        var f = Options(inputShape: Shape3(height: 5, width: 5, channels: 1), sizes: [3])
        f.encoding = .int8
        f.scale = 0.047
        var f1 = Conv(filters: 3, kernel: Pair(3, 3))
        f1.weightBits = 2
        f1.pool = .average
        f1.poolSize = nil
        f.convs = [f1]
        f.denseBits = [8]
        // Signs: the pooled step 2/9 times 9 is a small whole number, so the product is exact.
        f.activation = .sign
        cases.append(Case(name: "global 3x3 average pool of signs before the last layer (logit maps divide by 9)", id: "cnn_global_average_divisor", options: f))
        return cases
    }
}
