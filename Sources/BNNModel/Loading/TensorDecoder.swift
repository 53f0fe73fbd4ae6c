import Foundation

/// Reads the spec's two tensor encodings: nested JSON arrays, or `{shape, dtype, base64}`.
struct TensorDecoder {
    let limits: LoadLimits

    func decode(_ node: Node) throws(Diagnostic) -> Tensor {
        switch node.value {
        case .object: return try decodeBase64(node)
        case .array, .number: return try decodeNested(node)
        default: throw node.error("expected a tensor (nested array of numbers or {shape, dtype, base64}), got \(node.typeDescription)\(node.nonFiniteHint)")
        }
    }

    /// A per-channel vector: `[C]` values or one number meaning "every channel".
    func decodeVector(_ node: Node, count: Int) throws(Diagnostic) -> [Double] {
        if case .number(let number) = node.value { return Array(repeating: number.double, count: count) }
        let tensor = try decode(node)
        guard tensor.shape == [count] else {
            throw node.error("expected \(count) values (shape [\(count)]) or a single number, got shape \(describe(tensor.shape))")
        }
        return tensor.values
    }

    // MARK: nested arrays

    private func decodeNested(_ node: Node) throws(Diagnostic) -> Tensor {
        // The shape comes from the first element at each depth; every other element must agree.
        var shape: [Int] = []
        var probe = node.value
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        let count = try elementCount(shape, node)
        var values: [Double] = []
        values.reserveCapacity(count)
        try collect(node, depth: 0, shape: shape, into: &values)
        return Tensor(shape: shape, values: values)
    }

    private func collect(_ node: Node, depth: Int, shape: [Int], into values: inout [Double]) throws(Diagnostic) {
        if depth == shape.count {
            guard case .number(let number) = node.value else {
                // An array here means a sibling was shallower (ragged); anything else is just not a number.
                if case .array = node.value {
                    throw node.error("expected a number like its siblings, got an array (ragged nested array)")
                }
                throw node.error("expected a number, got \(node.typeDescription)\(node.nonFiniteHint)")
            }
            values.append(number.double)
            return
        }
        guard case .array(let items) = node.value else {
            let ragged = if case .number = node.value { " (ragged nested array)" } else { node.nonFiniteHint }
            throw node.error("expected an array of \(shape[depth]) elements like its siblings, got \(node.typeDescription)\(ragged)")
        }
        guard items.count == shape[depth] else {
            throw node.error("expected \(shape[depth]) elements like its siblings, got \(items.count) (ragged nested array)")
        }
        for (i, item) in items.enumerated() {
            try collect(node.element(i, item), depth: depth + 1, shape: shape, into: &values)
        }
    }

    // MARK: base64

    private func decodeBase64(_ node: Node) throws(Diagnostic) -> Tensor {
        let object = try node.object()
        try object.checkKeys(allowed: ["shape", "dtype", "base64"], what: "a base64 tensor")
        let shapeNode = try object.required("shape")
        var shape: [Int] = []
        for dim in try shapeNode.array() { shape.append(try dim.integer(in: 0...Int.max)) }
        let count = try elementCount(shape, shapeNode)
        let dtypeNode = try object.required("dtype")
        let dtypeName = try dtypeNode.string()
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw dtypeNode.error("unknown dtype \(JSONText.quoted(dtypeName)); expected one of float32, float64, int8, bipolar")
        }
        let dataNode = try object.required("base64")
        let text = try dataNode.string()
        let expectedBytes = dtype.byteCount(elements: count)
        // Check the declared size against the text before decoding anything.
        let decodedLength = (text.utf8.count / 4) * 3
        guard decodedLength <= expectedBytes + 3 else {
            throw dataNode.error("holds about \(decodedLength) bytes, but shape \(describe(shape)) of \(dtypeName) needs \(expectedBytes)")
        }
        guard let data = Data(base64Encoded: text) else { throw dataNode.error("is not valid base64") }
        guard data.count == expectedBytes else {
            throw dataNode.error("decodes to \(data.count) bytes, but shape \(describe(shape)) of \(dtypeName) needs \(expectedBytes)")
        }
        let values = try dtype.values(from: [UInt8](data), count: count, node: dataNode, shape: shape)
        return Tensor(shape: shape, values: values)
    }

    private func elementCount(_ shape: [Int], _ node: Node) throws(Diagnostic) -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= limits.maxTensorElements else {
                throw node.error("tensor of shape \(describe(shape)) exceeds the limit of \(limits.maxTensorElements) elements (raise it with --max-tensor-elements)")
            }
            count = product
        }
        return count
    }
}

func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

enum TensorDType: String {
    case float32, float64, int8, bipolar

    func byteCount(elements: Int) -> Int {
        switch self {
        case .float32: return elements * 4
        case .float64: return elements * 8
        case .int8: return elements
        case .bipolar: return (elements + 7) / 8
        }
    }

    func values(from bytes: [UInt8], count: Int, node: Node, shape: [Int]) throws(Diagnostic) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        switch self {
        case .int8:
            for i in 0..<count { values[i] = Double(Int8(bitPattern: bytes[i])) }
        case .bipolar:
            for i in 0..<count { values[i] = (bytes[i / 8] >> UInt8(i % 8)) & 1 == 1 ? 1 : -1 }
            if count % 8 != 0, let last = bytes.last, last >> UInt8(count % 8) != 0 {
                throw node.error("padding bits of the last byte must be zero")
            }
        case .float32:
            for i in 0..<count {
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(bytes[i * 4 + b]) << UInt32(8 * b) }
                values[i] = Double(Float(bitPattern: bits))
            }
        case .float64:
            for i in 0..<count {
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(bytes[i * 8 + b]) << UInt64(8 * b) }
                values[i] = Double(bitPattern: bits)
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let tensor = Tensor(shape: shape, values: [])
            throw node.error("element \(tensor.indexSuffix(bad)) is \(values[bad]); only finite numbers are allowed")
        }
        return values
    }
}
