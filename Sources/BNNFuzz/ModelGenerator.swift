import BNNRandomModels

/// Random models in the file format: every arrangement the compiler supports, odd sizes and
/// geometry, every tensor encoding, and values that stress float64 (zero, tiny, huge, negative).
struct ModelGenerator: SeededDraws {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { rng.next() }

    /// A float64 that is usually ordinary and sometimes an edge case.
    mutating func real(positive: Bool = false) -> Double {
        var value: Double
        if chance(6) {
            let edges: [Double] = [0, -0.0, 1e-300, 5e-324, 2.2250738585072014e-308, 1e300, 1e308, .greatestFiniteMagnitude,
                                   1e15, 9007199254740993, 0.1, 1.0 / 3, 1e-8, 123456.789, 1e154, 1e-154, 2.5, 0.5]
            value = edges[below(edges.count)]
            if !positive, chance(50) { value = -value }
        } else {
            value = (Double(below(40_001)) - 20_000) / 10_000 * 2
            if positive { value = abs(value) }
        }
        return value
    }

    /// Swift's shortest round-trip form (`1.0`, `-0.0`, `1e-05`, `1e+300`) is valid JSON.
    func literal(_ value: Double) -> String { "\(value)" }

    /// A tensor of `shape`: a nested array (or a lone number for a vector), or base64 in any dtype.
    mutating func tensor(_ shape: [Int], _ value: (inout ModelGenerator) -> Double) -> String {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ in value(&self) }
        if shape.count == 1, chance(10) { return literal(values.first ?? 0) }
        if chance(35) {
            let dtype = ["float32", "float64", "int8", "bipolar"][below(4)]
            if dtype == "float32", values.contains(where: { !Float($0).isFinite }) { return nested(shape, values) }
            let bytes = TensorText.bytes(dtype == "int8" ? values.map { $0.rounded() } : values, dtype: dtype)
            return TensorText.base64(shape: shape, dtype: dtype, bytes: bytes)
        }
        return nested(shape, values)
    }

    func nested(_ shape: [Int], _ values: [Double]) -> String {
        guard let first = shape.first else { return literal(values.first ?? 0) }
        let inner = shape.dropFirst().reduce(1, *)
        return "[" + (0..<first).map { i in nested(Array(shape.dropFirst()), Array(values[(i * inner)..<((i + 1) * inner)])) }.joined(separator: ", ") + "]"
    }

    mutating func weight(_ shape: [Int]) -> String {
        tensor(shape) { g in g.chance(10) ? 0 : (g.chance(50) ? 1 : -1) * (g.chance(80) ? 1 : g.real(positive: true)) }
    }

    mutating func perChannel(_ c: Int, positive: Bool = false) -> String {
        tensor([c]) { $0.real(positive: positive) }
    }

    mutating func batchnorm(_ c: Int, name: String?) -> String {
        var eps = chance(70) ? "" : #", "eps": \#(literal(chance(30) ? 0 : real(positive: true)))"#
        var variance = perChannel(c, positive: true)
        if eps.hasSuffix(" 0") || eps.hasSuffix(" 0.0") || eps.contains("-0.0") {
            eps = #", "eps": 0.001"#
        }
        if chance(5) { variance = "0" }
        let label = name.map { #", "name": "\#($0)""# } ?? ""
        return #"{"type": "batchnorm"\#(label), "gamma": \#(perChannel(c)), "beta": \#(perChannel(c)), "mean": \#(perChannel(c)), "var": \#(variance)\#(eps)}"#
    }

    mutating func sign(_ c: Int) -> String {
        chance(50) ? #"{"type": "sign"}"# : #"{"type": "sign", "offset": \#(perChannel(c))}"#
    }

    mutating func dense(units: Int, inputs: Int, name: String?) -> String {
        var dense = #"{"type": "dense""#
        if let name { dense += #", "name": "\#(name)""# }
        dense += #", "units": \#(units), "weight": \#(weight([units, inputs]))"#
        if chance(50) { dense += #", "bias": \#(perChannel(units))"# }
        if chance(40) { dense += #", "alpha": \#(perChannel(units))"# }
        return dense + "}"
    }

    mutating func model() -> [UInt8] {
        let encoding = ["bipolar", "uint8", "int8"][below(3)]
        let spatial = chance(50)
        var (h, w, c) = spatial ? (int(1...7), int(1...7), int(1...3)) : (1, 1, int(1...40))
        var input = spatial || chance(20) ? #""shape": [\#(h), \#(w), \#(c)]"# : #""shape": [\#(c)]"#
        input += #", "encoding": "\#(encoding)""#
        if encoding != "bipolar" {
            if chance(70) { input += #", "scale": \#(literal(chance(80) ? [1, 0.5, 1.0 / 255, 0.0625, 3, 1e-3][below(6)] : max(real(positive: true), 1e-300)))"# }
            if chance(60) { input += #", "zero_point": \#(encoding == "uint8" ? int(0...255) : int(-128...127))"# }
        }
        var layers: [String] = []
        var named = 0
        func name() -> String? {
            named += 1
            return chance(50) ? "l\(named)" : nil
        }
        if chance(20) {
            layers.append(encoding == "bipolar" || chance(30) ? sign(c)
                          : #"{"type": "sign", "offset": \#(tensor([c]) { Double($0.int(-130...260)) })}"#)
        }
        for _ in 0..<int(0...3) {
            if h * w > 1, chance(65) {
                // conv2d group
                let padding: [Int] = chance(50) ? [0, 0, 0, 0] : (chance(60) ? Array(repeating: int(1...2), count: 4) : (0..<4).map { _ in int(0...2) })
                let ph = h + padding[0] + padding[1], pw = w + padding[2] + padding[3]
                let kh = int(1...min(3, ph)), kw = chance(70) ? min(kh, pw) : int(1...min(3, pw))
                let sh = int(1...2), sw = chance(70) ? sh : int(1...2)
                let filters = int(1...6)
                var conv = #"{"type": "conv2d""#
                if let n = name() { conv += #", "name": "\#(n)""# }
                conv += #", "filters": \#(filters), "kernel": \#(kh == kw && chance(50) ? "\(kh)" : "[\(kh), \(kw)]")"#
                if sh != 1 || sw != 1 || chance(20) { conv += #", "stride": [\#(sh), \#(sw)]"# }
                if padding != [0, 0, 0, 0] || chance(20) {
                    conv += padding.allSatisfy({ $0 == padding[0] }) ? #", "padding": \#(padding[0])"# : #", "padding": [\#(padding.map(String.init).joined(separator: ", "))]"#
                }
                if chance(60) { conv += #", "pad_value": \#(int(-1...1))"# }
                conv += #", "weight": \#(weight([filters, c, kh, kw]))"#
                if chance(50) { conv += #", "bias": \#(perChannel(filters))"# }
                if chance(40) { conv += #", "alpha": \#(perChannel(filters))"# }
                layers.append(conv + "}")
                h = (ph - kh) / sh + 1
                w = (pw - kw) / sw + 1
                c = filters
                let poolAt = chance(50) ? int(0...2) : -1
                func pool() {
                    let py = int(1...min(2, h)), px = int(1...min(2, w))
                    let stride = chance(30) ? int(1...2) : nil
                    layers.append(#"{"type": "maxpool2d", "pool": [\#(py), \#(px)]\#(stride.map { #", "stride": \#($0)"# } ?? "")}"#)
                    let sy = stride ?? py, sx = stride ?? px
                    h = (h - py) / sy + 1
                    w = (w - px) / sx + 1
                }
                if poolAt == 0 { pool() }
                if chance(80) {
                    layers.append(batchnorm(c, name: name()))
                    if poolAt == 1 { pool() }
                } else if poolAt == 1 {
                    pool()
                }
                layers.append(sign(c))
                if poolAt == 2 { pool() }
            } else {
                if h * w > 1 || chance(20) { if chance(60) { layers.append(#"{"type": "flatten", "order": "\#(chance(50) ? "CHW" : "HWC")"}"#) } }
                let units = int(1...12)
                layers.append(dense(units: units, inputs: h * w * c, name: name()))
                (h, w, c) = (1, 1, units)
                if chance(80) { layers.append(batchnorm(c, name: name())) }
                layers.append(sign(c))
            }
        }
        if h * w > 1 || chance(30) { layers.append(#"{"type": "flatten", "order": "\#(chance(50) ? "CHW" : "HWC")"}"#) }
        let classes = int(1...5)
        layers.append(dense(units: classes, inputs: h * w * c, name: name()))
        if chance(60) { layers.append(batchnorm(classes, name: name())) }
        var text = #"{"format": "bnn-hls-model", "version": 1, "name": "gen\#(below(1000))", "input": {\#(input)}, "layers": [\#(layers.joined(separator: ", "))]"#
        if chance(50) { text += #", "output": {"mode": "\#(chance(50) ? "argmax" : "logits")"}"# }
        if chance(20) { text += #", "labels": [\#((0..<classes).map { "\"c\($0)\"" }.joined(separator: ", "))]"# }
        return Array((text + "}").utf8)
    }
}
