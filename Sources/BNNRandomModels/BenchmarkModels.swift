import Foundation

/// Random models in the file format, for the benchmark and for tests at scale: LFC-shaped
/// MLPs and the CNV topology of the FINN paper, with random weights and batchnorms.
public enum BenchmarkModels {
    /// A binarized MLP with bipolar input: `sizes[0]` inputs, dense+batchnorm+sign per hidden
    /// layer, a last dense+batchnorm.
    public static func lfcJSON(sizes: [Int], seed: UInt64) -> [UInt8] {
        var b = Builder(seed: seed)
        for l in 0..<(sizes.count - 1) {
            b.dense(units: sizes[l + 1], inputs: sizes[l])
            b.batchnorm(channels: sizes[l + 1], fanIn: sizes[l])
            if l < sizes.count - 2 { b.sign() }
        }
        return b.model(name: "lfc", input: #"{"shape": [\#(sizes[0])], "encoding": "bipolar"}"#)
    }

    /// CNV (FINN paper): 3x32x32 8-bit input; conv3x3 64, 64, pool 2, conv 128, 128, pool 2,
    /// conv 256, 256 (no padding), dense 512, 512, 10.
    public static func cnvJSON(seed: UInt64) -> [UInt8] {
        var b = Builder(seed: seed)
        var channels = 3
        for (filters, poolAfter) in [(64, false), (64, true), (128, false), (128, true), (256, false), (256, false)] {
            b.conv(filters: filters, channels: channels)
            b.batchnorm(channels: filters, fanIn: channels * 9 * (channels == 3 ? 64 : 1))
            b.sign()
            if poolAfter { b.layers.append(#"{"type": "maxpool2d", "pool": 2}"#) }
            channels = filters
        }
        b.dense(units: 512, inputs: 256)
        b.batchnorm(channels: 512, fanIn: 256)
        b.sign()
        b.dense(units: 512, inputs: 512)
        b.batchnorm(channels: 512, fanIn: 512)
        b.sign()
        b.dense(units: 10, inputs: 512)
        b.batchnorm(channels: 10, fanIn: 512)
        return b.model(name: "cnv", input: #"{"shape": [32, 32, 3], "encoding": "uint8", "scale": 0.00392156862745098, "zero_point": 0}"#)
    }

    /// CNV's topology in version 2 with `weightBits`-bit integer weights (ternary -1, 0, 1 for
    /// 2 bits, as BNN-PYNQ's CNV-W2A2 trains them; the full range for wider) and a signed
    /// `activationBits`-bit `quantize` after every hidden batchnorm (2^bits - 1 thresholds per
    /// neuron), max-pools over the codes; the first convolution reads the 8-bit input.
    public static func cnvJSON(seed: UInt64, weightBits: Int, activationBits: Int) -> [UInt8] {
        var b = Builder(seed: seed)
        var channels = 3
        for (filters, poolAfter) in [(64, false), (64, true), (128, false), (128, true), (256, false), (256, false)] {
            b.conv(filters: filters, channels: channels, weightBits: weightBits)
            b.batchnorm(channels: filters, fanIn: channels * 9)
            b.quantize(bits: activationBits)
            if poolAfter { b.layers.append(#"{"type": "maxpool2d", "pool": 2}"#) }
            channels = filters
        }
        for (units, inputs) in [(512, 256), (512, 512)] {
            b.dense(units: units, inputs: inputs, weightBits: weightBits)
            b.batchnorm(channels: units, fanIn: inputs)
            b.quantize(bits: activationBits)
        }
        b.dense(units: 10, inputs: 512, weightBits: weightBits)
        b.batchnorm(channels: 10, fanIn: 512)
        return b.model(name: "cnv_w\(weightBits)a\(activationBits)", version: 2,
                       input: #"{"shape": [32, 32, 3], "encoding": "uint8", "scale": 0.00392156862745098, "zero_point": 0}"#)
    }

    /// Appends layers as JSON text, drawing weights and batchnorm statistics from a seeded generator.
    struct Builder: SeededDraws {
        var rng: SplitMix64
        var layers: [String] = []

        init(seed: UInt64) { rng = SplitMix64(seed: seed) }

        mutating func next() -> UInt64 { rng.next() }

        mutating func bipolar(_ shape: [Int]) -> String {
            let signs = (0..<shape.reduce(1, *)).map { _ in bool() }
            return TensorText.base64(shape: shape, dtype: "bipolar", bytes: TensorText.bipolar(signs))
        }

        mutating func dense(units: Int, inputs: Int) {
            layers.append(#"{"type": "dense", "name": "fc\#(layers.count)", "units": \#(units), "weight": \#(bipolar([units, inputs]))}"#)
        }

        /// Integer weights of `bits` bits as int8: ternary for 2 bits, else the whole range.
        mutating func integers(_ shape: [Int], bits: Int) -> String {
            let (low, high) = bits == 2 ? (-1, 1) : (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
            let values = (0..<shape.reduce(1, *)).map { _ in Double(int(low...high)) }
            return TensorText.base64(shape: shape, dtype: "int8", bytes: TensorText.bytes(values, dtype: "int8"))
        }

        mutating func dense(units: Int, inputs: Int, weightBits: Int) {
            layers.append(#"{"type": "dense", "name": "fc\#(layers.count)", "units": \#(units), "weight_bits": \#(weightBits), "weight": \#(integers([units, inputs], bits: weightBits))}"#)
        }

        mutating func conv(filters: Int, channels: Int, weightBits: Int) {
            layers.append(#"{"type": "conv2d", "name": "conv\#(layers.count)", "filters": \#(filters), "kernel": 3, "weight_bits": \#(weightBits), "weight": \#(integers([filters, channels, 3, 3], bits: weightBits))}"#)
        }

        /// A signed `bits`-bit quantizer with step 1/2: codes -2^(b-1)/2 ... (2^(b-1) - 1)/2.
        mutating func quantize(bits: Int) {
            layers.append(#"{"type": "quantize", "bits": \#(bits), "signed": true, "scale": 0.5}"#)
        }

        mutating func conv(filters: Int, channels: Int) {
            layers.append(#"{"type": "conv2d", "name": "conv\#(layers.count)", "filters": \#(filters), "kernel": 3, "weight": \#(bipolar([filters, channels, 3, 3]))}"#)
        }

        /// Statistics scaled to the sum's spread, so thresholds land inside the reachable range.
        mutating func batchnorm(channels: Int, fanIn: Int) {
            let spread = Double(fanIn).squareRoot()
            func vector(_ f: (inout Builder) -> Double) -> String {
                "[" + (0..<channels).map { _ in "\(f(&self))" }.joined(separator: ", ") + "]"
            }
            let gamma = vector { ($0.uniform() - 0.2) * 2 }
            let beta = vector { $0.uniform() - 0.5 }
            let mean = vector { ($0.uniform() - 0.5) * spread }
            let variance = vector { $0.uniform() * spread * spread + 1 }
            layers.append(#"{"type": "batchnorm", "gamma": \#(gamma), "beta": \#(beta), "mean": \#(mean), "var": \#(variance)}"#)
        }

        mutating func sign() { layers.append(#"{"type": "sign"}"#) }

        func model(name: String, version: Int = 1, input: String) -> [UInt8] {
            Array("""
                {"format": "bnn-hls-model", "version": \(version), "name": "\(name)", "input": \(input),
                 "layers": [\(layers.joined(separator: ",\n"))],
                 "output": {"mode": "logits"}}
                """.utf8)
        }
    }
}
