import Foundation

/// Reads and validates a model file (format `bnn-hls-model`, version 1 or 2) into a `Network`.
///
/// Every rejection is a `Diagnostic` naming the file, the layer and the JSON path.
public struct ModelLoader: Sendable {
    public var limits: LoadLimits

    public init(limits: LoadLimits = LoadLimits()) { self.limits = limits }

    /// Loads `path`; messages name the file as given.
    public func load(path: String) throws(Diagnostic) -> Network {
        let bytes = try readFile(path)
        return try load(bytes: bytes, file: path)
    }

    public func load(bytes: [UInt8], file: String) throws(Diagnostic) -> Network {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            // A layer is called by its name or type as everywhere else, when the parser had read it
            // (`layers[0] (fc1).bias[0]`); a path 64 levels deep is cut to its first segments.
            var path = error.path
            if let layer = error.openObjects.first(where: { isLayerPath($0.path) }),
               path == layer.path || path.hasPrefix(layer.path + ".") || path.hasPrefix(layer.path + "["),
               let label = layer.name ?? layer.type {
                path = "\(layer.path) (\(label))" + path.dropFirst(layer.path.count)
            }
            let place = path.isEmpty ? "" : "\(JSONText.clippedPath(path)): "
            throw Diagnostic(file: file, message: place + error.message, line: error.line, column: error.column)
        }
        return try NetworkReader(file: file, decoder: TensorDecoder(limits: limits)).read(Node(value: root, path: "", file: file))
    }
}

/// `layers[N]`: the path of one layer object.
private func isLayerPath(_ path: String) -> Bool {
    guard path.hasPrefix("layers["), path.hasSuffix("]") else { return false }
    let digits = path.dropFirst(7).dropLast()
    return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
}

/// Reads a whole file, turning I/O failures into diagnostics.
public func readFile(_ path: String) throws(Diagnostic) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw Diagnostic(file: path, message: "no such file")
    }
    guard !isDirectory.boolValue else { throw Diagnostic(file: path, message: "is a directory, expected a file") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw Diagnostic(file: path, message: "cannot be read (permissions?)")
    }
    return [UInt8](data)
}

/// The top-level structure of a model file.
struct NetworkReader {
    let file: String
    let decoder: TensorDecoder

    func read(_ rootNode: Node) throws(Diagnostic) -> Network {
        let root = try rootNode.object()
        try root.checkKeys(allowed: ["format", "version", "name", "input", "layers", "output", "labels"], what: "the model")
        let formatNode = try root.required("format")
        guard try formatNode.string() == "bnn-hls-model" else {
            throw formatNode.error("expected \"bnn-hls-model\", got \(JSONText.quoted(try formatNode.string()))")
        }
        let versionNode = try root.required("version")
        let version = try versionNode.integer()
        guard version == 1 || version == 2 else {
            throw versionNode.error("unsupported format version \(version); this bnn-hls reads versions 1 and 2")
        }
        let name = try readName(try root.required("name"))
        let input = try readInput(try root.required("input"))
        let layers = try readLayers(try root.required("layers"), input: input.shape, version: version)
        let outputMode = try readOutput(root.optional("output"))
        let classes = layers.last?.outputShape.count ?? 0
        var labels: [String]?
        if let labelsNode = root.optional("labels") {
            let items = try labelsNode.array()
            var names: [String] = []
            for item in items { names.append(try readText(item)) }
            guard names.count == classes else {
                throw labelsNode.error("expected \(classes) labels (one per output), got \(names.count)")
            }
            labels = names
        }
        return Network(name: name, input: input, layers: layers, outputMode: outputMode, labels: labels, version: version)
    }

    private func readName(_ node: Node) throws(Diagnostic) -> String {
        let name = try node.string()
        let cName = name.replacingOccurrences(of: "-", with: "_")
        let isIdentifier = cName.utf8.first.map { $0 == UInt8(ascii: "_") || isLetter($0) } ?? false
            && cName.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
        guard isIdentifier, cName.utf8.count <= 64 else {
            throw node.error("\(JSONText.quoted(name)) is not a C identifier after mapping '-' to '_' (letters, digits, '_', not starting with a digit, at most 64 characters)")
        }
        if let reason = ReservedNames.reason(cName) {
            throw node.error("\(JSONText.quoted(name)) \(reason); the model name becomes the top function's name in the generated C++, so choose another")
        }
        return name
    }

    private func isLetter(_ byte: UInt8) -> Bool { (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }

    private func readInput(_ node: Node) throws(Diagnostic) -> InputSpec {
        let object = try node.object()
        try object.checkKeys(allowed: ["shape", "encoding", "scale", "zero_point"], what: "input")
        let shapeNode = try object.required("shape")
        var dims: [Int] = []
        for dim in try shapeNode.array() { dims.append(try dim.integer(in: 1...(1 << 24))) }
        let shape: Shape3
        switch dims.count {
        case 1: shape = .vector(dims[0])
        case 3: shape = Shape3(height: dims[0], width: dims[1], channels: dims[2])
        default: throw shapeNode.error("expected [H, W, C] or [N], got \(dims.count) dimensions")
        }
        // Each dimension fits, but [2^24, 2^24, 2^24] must not overflow while being counted.
        let total = dims.reduce(1 as Int?) { product, dim in
            product.flatMap { p in
                let (next, overflow) = p.multipliedReportingOverflow(by: dim)
                return overflow ? nil : next
            }
        }
        guard let total, total <= decoder.limits.maxTensorElements else {
            throw shapeNode.error("input of shape \(describe(dims)) exceeds the limit of \(decoder.limits.maxTensorElements) elements (raise it with --max-tensor-elements)")
        }
        let encodingNode = try object.required("encoding")
        let encodingName = try encodingNode.string()
        guard let encoding = InputEncoding(rawValue: encodingName) else {
            throw encodingNode.error("unknown encoding \(JSONText.quoted(encodingName)); expected bipolar, uint8 or int8")
        }
        if encoding == .bipolar {
            for key in ["scale", "zero_point"] where object.optional(key) != nil {
                throw node.child(key, .null).error("not allowed with bipolar encoding (elements are exactly -1 or +1)")
            }
            return InputSpec(shape: shape, encoding: .bipolar)
        }
        var scale = 1.0
        if let scaleNode = object.optional("scale") {
            scale = try scaleNode.number()
            guard scale > 0 else { throw scaleNode.error("must be > 0, got \(formatNumber(scale))") }
        }
        var zeroPoint = 0
        if let zeroNode = object.optional("zero_point") {
            zeroPoint = try zeroNode.integer(in: encoding.valueRange)
        }
        return InputSpec(shape: shape, encoding: encoding, scale: scale, zeroPoint: zeroPoint)
    }

    private func readOutput(_ node: Node?) throws(Diagnostic) -> OutputMode {
        guard let node else { return .logits }
        let object = try node.object()
        try object.checkKeys(allowed: ["mode"], what: "output")
        guard let modeNode = object.optional("mode") else { return .logits }
        let mode = try modeNode.string()
        guard let parsed = OutputMode(rawValue: mode) else {
            throw modeNode.error("unknown mode \(JSONText.quoted(mode)); expected logits or argmax")
        }
        return parsed
    }

    private func readLayers(_ node: Node, input: Shape3, version: Int) throws(Diagnostic) -> [Layer] {
        let items = try node.array()
        guard !items.isEmpty else { throw node.error("the network has no layers") }
        var layers: [Layer] = []
        var names: [String: Int] = [:]
        var graph = LayerGraph(version: version, modelInput: input, items: items)
        for (index, item) in items.enumerated() {
            let layer = try LayerReader(decoder: decoder, index: index, graph: graph).read(item, input: graph.previousShape(index))
            if let name = layer.name {
                if let first = names[name] {
                    throw Node(value: item.value, path: layer.label, file: item.file).child("name", .null).error("duplicate layer name \(JSONText.quoted(name)) (also used by layers[\(first)])")
                }
                names[name] = index
            }
            // Activations are bounded like tensors: a padded convolution can make an output far
            // larger than anything in the file, and every later stage would allocate it.
            let (pixels, overflowHW) = layer.outputShape.height.multipliedReportingOverflow(by: layer.outputShape.width)
            let (elements, overflowC) = pixels.multipliedReportingOverflow(by: layer.outputShape.channels)
            guard !overflowHW, !overflowC, elements <= decoder.limits.maxTensorElements else {
                throw Node(value: item.value, path: layer.label, file: item.file).error(
                    "output of shape \(layer.outputShape) exceeds the limit of \(decoder.limits.maxTensorElements) elements (raise it with --max-tensor-elements)")
            }
            layers.append(layer)
            graph.append(layer)
        }
        return layers
    }
}

/// Most bytes of UTF-8 in a layer name or a label.
let maxTextBytes = 256

/// A layer name or a label: user text that reaches generated files and messages, so it may hold
/// no character that is invisible or breaks a line, and its length is bounded.
func readText(_ node: Node) throws(Diagnostic) -> String {
    let text = try node.string()
    if let bad = SafeText.firstUnsafe(in: text) {
        let kind: String
        switch bad.properties.generalCategory {
        case .control: kind = "a control character"
        case .format: kind = "a format character (bidi or zero-width)"
        case .lineSeparator, .paragraphSeparator: kind = "a line or paragraph separator"
        default: kind = "a noncharacter"
        }
        throw node.error("contains \(SafeText.codePoint(bad)), \(kind); names and labels may not hold control, format, separator or noncharacter code points")
    }
    guard text.utf8.count <= maxTextBytes else {
        throw node.error("is \(text.utf8.count) bytes long; names and labels may have at most \(maxTextBytes) bytes of UTF-8")
    }
    return text
}
