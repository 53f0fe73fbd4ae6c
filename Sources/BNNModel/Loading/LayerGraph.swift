/// What a layer may read: the layers before it, by name, with their output shapes (version 2
/// graphs: `input` on any layer, `from` on `add`).
struct LayerGraph {
    let version: Int
    let modelInput: Shape3
    /// Every layer's `name` as written, by index, so a name of a later layer (or the layer
    /// itself) is told apart from one that does not exist.
    let namesInFile: [String?]
    private(set) var indexByName: [String: Int] = [:]
    private(set) var outputShapes: [Shape3] = []
    /// `layers[2] (q1)`, by index.
    private(set) var labels: [String] = []

    init(version: Int, modelInput: Shape3, items: [Node]) {
        self.version = version
        self.modelInput = modelInput
        namesInFile = items.map { item in
            guard case .object(let object) = item.value, case .string(let name)? = object["name"] else { return nil }
            return name
        }
    }

    /// The output shape of the layer before `index` (the model input for the first).
    func previousShape(_ index: Int) -> Shape3 { index > 0 ? outputShapes[index - 1] : modelInput }

    /// The earlier layer `node` (a string, the value of `key`) names, for layer `index`.
    func resolve(_ node: Node, key: String, at index: Int) throws(Diagnostic) -> (index: Int, shape: Shape3) {
        let name = try node.string()
        if let earlier = indexByName[name], earlier < index { return (earlier, outputShapes[earlier]) }
        if namesInFile.indices.contains(index), namesInFile[index] == name {
            throw node.error("\(JSONText.quoted(name)) is this layer itself; \(key) must name an earlier layer")
        }
        if let later = namesInFile.firstIndex(where: { $0 == name }), later > index {
            throw node.error("\(JSONText.quoted(name)) is layers[\(later)], after this layer; \(key) must name an earlier layer")
        }
        throw node.error("no layer is named \(JSONText.quoted(name)); \(key) must name an earlier layer")
    }

    mutating func append(_ layer: Layer) {
        if let name = layer.name, indexByName[name] == nil { indexByName[name] = layer.index }
        outputShapes.append(layer.outputShape)
        labels.append(layer.label)
    }
}
