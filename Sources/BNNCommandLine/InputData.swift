import BNNModel
import BNNRandomModels

/// A batch of network inputs: `count` frames of the encoding's integers, HWC order, flat.
public struct InputBatch: Sendable {
    public var count: Int
    public var elements: Int
    public var values: [Int]

    public init(count: Int, elements: Int, values: [Int]) {
        self.count = count
        self.elements = elements
        self.values = values
    }

    public func frame(_ i: Int) -> [Int] { Array(values[(i * elements)..<((i + 1) * elements)]) }

    /// Loads `.npy` inputs for `network`: `[N, H, W, C]` or `[N, H*W*C]`, uint8 or int8 matching
    /// the encoding (int8 -1/+1 for bipolar).
    public static func load(path: String, for network: Network) throws(Diagnostic) -> InputBatch {
        let array = try readNpy(path)
        let spec = network.input
        let shape = spec.shape
        let perFrame = shape.count
        let accepted: [[Int]] = [[shape.count], [shape.height, shape.width, shape.channels]]
        guard let n = array.shape.first, accepted.contains(Array(array.shape.dropFirst())) else {
            throw Diagnostic(file: path, message: "shape \(describeShape(array.shape)) does not fit the model's input \(shape): expected [N, \(shape.height), \(shape.width), \(shape.channels)] or [N, \(perFrame)]")
        }
        let wanted: NpyDType = spec.encoding == .uint8 ? .uint8 : .int8
        guard array.dtype == wanted else {
            throw Diagnostic(file: path, message: "dtype \(array.dtype) does not match the model's \(spec.encoding.rawValue) input: expected \(wanted == .uint8 ? "uint8" : "int8")\(spec.encoding == .bipolar ? " holding -1/+1" : "")")
        }
        let values = (array.integers() ?? []).map { Int($0) }
        if let bad = values.firstIndex(where: { !spec.encoding.accepts($0) }) {
            throw Diagnostic(file: path, message: "element \(bad) (frame \(bad / max(perFrame, 1))) is \(values[bad]); bipolar input must be -1 or +1")
        }
        return InputBatch(count: n, elements: perFrame, values: values)
    }

    /// Labels `[N]` of any integer dtype, each a valid class.
    public static func loadLabels(path: String, count: Int, classes: Int) throws(Diagnostic) -> [Int] {
        let array = try readNpy(path)
        guard array.shape == [count] else {
            throw Diagnostic(file: path, message: "shape \(describeShape(array.shape)) does not match the \(count) inputs: expected [\(count)]")
        }
        guard let labels = array.integers() else {
            throw Diagnostic(file: path, message: "dtype \(array.dtype) is not an integer type")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw Diagnostic(file: path, message: "label \(bad) is \(labels[bad]); the model has classes 0...\(classes - 1)")
        }
        return labels.map { Int($0) }
    }

    /// Seeded random inputs covering the encoding's whole range.
    public static func random(count: Int, for network: Network, seed: UInt64) -> InputBatch {
        var rng = SplitMix64(seed: seed)
        let spec = network.input
        let n = spec.shape.count
        let range = spec.encoding.valueRange
        let values = (0..<(count * n)).map { _ -> Int in
            if spec.encoding == .bipolar { return rng.next() & 1 == 1 ? 1 : -1 }
            return range.lowerBound + Int(rng.next() % UInt64(range.count))
        }
        return InputBatch(count: count, elements: n, values: values)
    }
}

func readNpy(_ path: String) throws(Diagnostic) -> NpyArray {
    let bytes = try readFile(path)
    do {
        return try NpyReader.read(bytes)
    } catch {
        throw Diagnostic(file: path, message: error.message)
    }
}

func describeShape(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
