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
            b.batchnorm(channels: sizes[l + 1], fanIn: Double(sizes[l]))
            if l < sizes.count - 2 { b.sign() }
        }
        return b.model(name: "lfc", input: #"{"shape": [\#(sizes[0])], "encoding": "bipolar"}"#)
    }

    /// CNV (FINN paper): 3x32x32 8-bit input; conv3x3 64, 64, pool 2, conv 128, 128, pool 2,
    /// conv 256, 256 (no padding), dense 512, 512, 10. `weightBits` on every compute layer but
    /// the first (`firstWeightBits`); `activationBits` > 1 puts a `quantize` of that many bits
    /// (unsigned, scale 0.5) where W1A1 has `sign`, in a version-2 file: BNN-PYNQ's CNV-W1A2 is
    /// (1, 1, 2), CNV-W2A2 with FINN's 8-bit first layer (2, 8, 2).
    public static func cnvJSON(seed: UInt64, weightBits: Int = 1, firstWeightBits: Int = 1, activationBits: Int = 1) -> [UInt8] {
        var b = Builder(seed: seed)
        func activation() {
            if activationBits == 1 { b.sign() } else { b.quantize(bits: activationBits) }
        }
        // A layer's sum spread, in units of a +-1 weight on +-1 input (8-bit input: up to 255 * scale 1/255).
        func spread(_ bits: Int) -> Double { bits == 1 ? 1 : Double(1 << (bits - 1)) / 3.squareRoot() }
        var channels = 3
        for (filters, poolAfter) in [(64, false), (64, true), (128, false), (128, true), (256, false), (256, false)] {
            let bits = channels == 3 ? firstWeightBits : weightBits
            b.conv(filters: filters, channels: channels, weightBits: bits)
            let fanIn = Double(channels * 9 * (channels == 3 ? 64 : 1))
            b.batchnorm(channels: filters, fanIn: fanIn * spread(bits) * spread(bits))
            activation()
            if poolAfter { b.layers.append(#"{"type": "maxpool2d", "pool": 2}"#) }
            channels = filters
        }
        for (units, inputs) in [(512, 256), (512, 512), (10, 512)] {
            b.dense(units: units, inputs: inputs, weightBits: weightBits)
            b.batchnorm(channels: units, fanIn: Double(inputs) * spread(weightBits) * spread(weightBits))
            if units != 10 { activation() }
        }
        let isVersion2 = max(weightBits, firstWeightBits, activationBits) > 1
        return b.model(name: "cnv", input: #"{"shape": [32, 32, 3], "encoding": "uint8", "scale": 0.00392156862745098, "zero_point": 0}"#,
                       version: isVersion2 ? 2 : 1)
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

        /// +-1 weights (bipolar), or integers of `weightBits` bits in their whole two's complement range.
        mutating func weights(_ shape: [Int], weightBits: Int) -> String {
            guard weightBits > 1 else { return bipolar(shape) }
            let half = 1 << (weightBits - 1)
            let values = (0..<shape.reduce(1, *)).map { _ in Double(int(-half...(half - 1))) }
            return TensorText.base64(shape: shape, dtype: "int8", bytes: TensorText.bytes(values, dtype: "int8")) + #", "weight_bits": \#(weightBits)"#
        }

        mutating func dense(units: Int, inputs: Int, weightBits: Int = 1) {
            layers.append(#"{"type": "dense", "name": "fc\#(layers.count)", "units": \#(units), "weight": \#(weights([units, inputs], weightBits: weightBits))}"#)
        }

        mutating func conv(filters: Int, channels: Int, weightBits: Int = 1) {
            layers.append(#"{"type": "conv2d", "name": "conv\#(layers.count)", "filters": \#(filters), "kernel": 3, "weight": \#(weights([filters, channels, 3, 3], weightBits: weightBits))}"#)
        }

        /// Statistics scaled to the sum's spread, so thresholds land inside the reachable range.
        mutating func batchnorm(channels: Int, fanIn: Double) {
            let spread = fanIn.squareRoot()
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

        /// Unsigned, scale 0.5: codes 0...2^bits - 1 over the batchnorm's typical range.
        mutating func quantize(bits: Int) { layers.append(#"{"type": "quantize", "bits": \#(bits), "scale": 0.5}"#) }

        func model(name: String, input: String, version: Int = 1) -> [UInt8] {
            Array("""
                {"format": "bnn-hls-model", "version": \(version), "name": "\(name)", "input": \(input),
                 "layers": [\(layers.joined(separator: ",\n"))],
                 "output": {"mode": "logits"}}
                """.utf8)
        }
    }
}
