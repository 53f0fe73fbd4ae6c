import BNNModel
import BNNRandomModels
import Foundation

/// Mutations of model files and .npy files, drawn from one seeded generator.
struct Mutator: SeededDraws {
    var rng: SplitMix64

    mutating func next() -> UInt64 { rng.next() }

    static let extremeNumbers = [
        "0", "-0", "-0.0", "1", "-1", "2", "3", "3.0", "7", "16", "64", "65536", "65537", "16777216", "16777217",
        "134217728", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "1000000000000", "1e308", "-1e308", "1.7976931348623157e308", "1e400", "-1e400",
        "4e-324", "5e-324", "1e-320", "2.2250738585072014e-308", "1e-300", "0.5", "1e-05", "1E5", "0.1",
        "123456789012345678901234567890", "0.30000000000000004", "NaN", "Infinity", "-Infinity", "1.5", "255", "256", "-128", "-129",
    ]

    static let tokens = [
        "dense", "conv2d", "maxpool2d", "batchnorm", "sign", "flatten", "bipolar", "uint8", "int8", "float32", "float64",
        "CHW", "HWC", "logits", "argmax", "bnn-hls-model", "NaN", "Infinity", "", "fc1", "layers[0]", "a\nb", "\u{2028}",
        "class", "x-y", "é", "AAAA", "////", "=",
    ]

    static let keys = [
        "type", "name", "units", "weight", "bias", "alpha", "filters", "kernel", "stride", "padding", "pad_value", "pool",
        "gamma", "beta", "mean", "var", "eps", "offset", "order", "shape", "dtype", "base64", "encoding", "scale",
        "zero_point", "format", "version", "input", "layers", "output", "labels", "mode", "gama", "", "a\"b", "x\ny", "\u{2028}",
    ]

    static let layerTemplates: [String] = [
        #"{"type": "sign"}"#, #"{"type": "sign", "offset": 0.5}"#, #"{"type": "flatten", "order": "CHW"}"#,
        #"{"type": "flatten", "order": "HWC"}"#, #"{"type": "maxpool2d", "pool": 2}"#, #"{"type": "maxpool2d", "pool": [1, 2], "stride": 1}"#,
        #"{"type": "batchnorm", "gamma": 1, "beta": 0, "mean": 0, "var": 1}"#,
        #"{"type": "batchnorm", "gamma": -1, "beta": 0.5, "mean": 2, "var": 0, "eps": 0.001}"#,
        #"{"type": "dense", "units": 2, "weight": 1}"#, #"{"type": "conv2d", "filters": 1, "kernel": 1, "weight": [[[[1]]]]}"#,
    ]

    // MARK: Model text

    mutating func mutateModel(_ input: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var data = input
        let rounds = 1 + below(3)
        for _ in 0..<rounds {
            switch below(20) {
            case 0..<9: data = treeMutation(data) ?? byteMutation(data, others: others)
            case 9..<12: data = numberMutation(data)
            case 12..<14: data = base64Mutation(data)
            default: data = byteMutation(data, others: others)
            }
        }
        if data.count > 1 << 21 { data = Array(data.prefix(1 << 21)) }
        return data
    }

    static let interestingBytes: [UInt8] = Array("\"{}[],:-.0123456789eE+\\ /\n'tfn".utf8) + [0x00, 0x7F, 0x80, 0xC0, 0xEF, 0xFE, 0xFF, 0xED]
    static let insertions: [String] = [
        "\"", ",", "[", "]", "{", "}", ":", "-", "1e400", "NaN", "\\u0000", "\\ud800", "\"\\", ",,", "[[[[", "]]]]",
        "//", "/*", "\u{FEFF}", "null", "true", "0.", ".5", "+1", "01", "1e", "\"x\": 1,", "\\", "\t", "\r\n",
    ]

    mutating func byteMutation(_ input: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var data = input
        if data.isEmpty { return Array(pick(Self.insertions).utf8) }
        let at = below(data.count)
        switch below(9) {
        case 0: data[at] ^= 1 << UInt8(below(8))
        case 1: data[at] = pick(Self.interestingBytes)
        case 2: data.insert(contentsOf: Array(pick(Self.insertions).utf8), at: below(data.count + 1))
        case 3: data.removeSubrange(at..<min(data.count, at + 1 + below(16)))
        case 4: data.removeSubrange(at..<min(data.count, at + 1 + below(max(data.count / 4, 1))))
        case 5:
            // Duplicate a range in place.
            let end = min(data.count, at + 1 + below(64))
            data.insert(contentsOf: Array(data[at..<end]), at: end)
        case 6:
            // Splice: our head, another seed's tail.
            let other = others.isEmpty ? data : pick(others)
            guard !other.isEmpty else { break }
            data = Array(data[..<at]) + Array(other[below(other.count)...])
        case 7: data = Array(data.prefix(at))
        default:
            for _ in 0..<(1 + below(8)) where !data.isEmpty { data[below(data.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        return data
    }

    /// Replaces one number token in the text with an extreme or a nearby value.
    mutating func numberMutation(_ input: [UInt8]) -> [UInt8] {
        var spans: [Range<Int>] = []
        var i = 0
        while i < input.count {
            let byte = input[i]
            let starts = (byte >= 0x30 && byte <= 0x39) || (byte == UInt8(ascii: "-") && i + 1 < input.count && input[i + 1] >= 0x30 && input[i + 1] <= 0x39)
            let prev = i > 0 ? input[i - 1] : 0x20
            let afterWord = (prev >= 0x41 && prev <= 0x5A) || (prev >= 0x61 && prev <= 0x7A) || (prev >= 0x30 && prev <= 0x39) || prev == UInt8(ascii: "_") || prev == UInt8(ascii: ".")
            if starts && !afterWord {
                var j = i + 1
                while j < input.count, "0123456789.eE+-".utf8.contains(input[j]) { j += 1 }
                spans.append(i..<j)
                i = j
            } else {
                i += 1
            }
            if spans.count > 4096 { break }
        }
        guard !spans.isEmpty else { return input }
        let span = pick(spans)
        let old = String(decoding: input[span], as: UTF8.self)
        let replacement: String
        switch below(4) {
        case 0, 1: replacement = pick(Self.extremeNumbers)
        case 2: replacement = Int(old).map { String($0 &+ pick([-1, 1, -2, 2, 1 << 20])) } ?? "\(-(Double(old) ?? 1))"
        default: replacement = String(below(10) - 1)
        }
        var data = input
        data.replaceSubrange(span, with: Array(replacement.utf8))
        return data
    }

    /// Changes the text of a `"base64": "..."` string.
    mutating func base64Mutation(_ input: [UInt8]) -> [UInt8] {
        let marker = Array("\"base64\": \"".utf8)
        var starts: [Int] = []
        var i = 0
        while i + marker.count <= input.count, starts.count < 256 {
            if input[i] == marker[0], Array(input[i..<(i + marker.count)]) == marker { starts.append(i + marker.count) }
            i += 1
        }
        guard !starts.isEmpty else { return numberMutation(input) }
        let start = pick(starts)
        var end = start
        while end < input.count, input[end] != UInt8(ascii: "\"") { end += 1 }
        var text = Array(input[start..<end])
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        switch below(7) {
        case 0: text = Array(text.dropLast(1 + below(4)))
        case 1: text += Array(repeating: pick(alphabet), count: 1 + below(4))
        case 2: if !text.isEmpty { text[below(text.count)] = pick(alphabet) }
        case 3: if !text.isEmpty { text[below(text.count)] = pick(Array("=-_ !.\n".utf8)) }
        case 4: text = text.filter { $0 != UInt8(ascii: "=") }
        case 5: text += Array("=".utf8)
        default: text = Array(repeating: UInt8(ascii: "/"), count: text.count)  // all bits set: padding bits too
        }
        var data = input
        data.replaceSubrange(start..<end, with: text)
        return data
    }
}
