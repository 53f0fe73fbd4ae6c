import Foundation

/// Random models in the file format, for the benchmark and for tests at scale.
public enum BenchmarkModels {
    /// A binarized MLP with bipolar input: `sizes[0]` inputs, dense+batchnorm+sign per hidden
    /// layer, a last dense+batchnorm; weights as base64 bipolar tensors.
    public static func lfcJSON(sizes: [Int], seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var layers: [String] = []
        for l in 0..<(sizes.count - 1) {
            let (k, m) = (sizes[l], sizes[l + 1])
            var bytes = [UInt8](repeating: 0, count: (k * m + 7) / 8)
            for i in 0..<(k * m) where rng.next() & 1 == 1 { bytes[i / 8] |= 1 << UInt8(i % 8) }
            let weight = "{\"shape\": [\(m), \(k)], \"dtype\": \"bipolar\", \"base64\": \"\(Data(bytes).base64EncodedString())\"}"
            layers.append("{\"type\": \"dense\", \"name\": \"fc\(l + 1)\", \"units\": \(m), \"weight\": \(weight)}")
            let vector = { (f: () -> Double) in "[" + (0..<m).map { _ in "\(f())" }.joined(separator: ", ") + "]" }
            let gamma = vector { (uniform() - 0.2) * 2 }
            let beta = vector { uniform() - 0.5 }
            let mean = vector { (uniform() - 0.5) * Double(k).squareRoot() * 2 }
            let variance = vector { uniform() * Double(k) + 1 }
            layers.append("{\"type\": \"batchnorm\", \"gamma\": \(gamma), \"beta\": \(beta), \"mean\": \(mean), \"var\": \(variance)}")
            if l < sizes.count - 2 { layers.append("{\"type\": \"sign\"}") }
        }
        let text = """
            {"format": "bnn-hls-model", "version": 1, "name": "lfc",
             "input": {"shape": [\(sizes[0])], "encoding": "bipolar"},
             "layers": [\(layers.joined(separator: ",\n"))],
             "output": {"mode": "logits"}}
            """
        return Array(text.utf8)
    }
}
