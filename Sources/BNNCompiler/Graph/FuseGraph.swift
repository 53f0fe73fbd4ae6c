import BNNDesign
import BNNModel

/// Pass 1 for residual graphs (`input`, `add`): cuts the layer list into units that read exact
/// streams (see `GraphUnit`), and refuses everything else with one line naming the layer and key.
/// A quantizer, step or pool joins the unit before it only when it reads that unit's running
/// value and nothing else reads that value; an exact tensor read twice ends its unit (it is
/// duplicated in hardware).
enum FuseGraph {
    static let supported =
        "supported graphs: every compute layer reads an exact tensor (a quantizer's output, maybe pooled or flattened); one add per group whose other operand is exact (or an add of two exact tensors followed by steps and a quantizer); only exact tensors fan out"

    /// True when the network is a graph: some layer reads an earlier output (`input`) or adds one.
    static func applies(to network: Network) -> Bool {
        network.layers.contains { layer in
            if case .add = layer.kind { return true }
            return layer.inputLayer != nil
        }
    }

    static func run(_ network: Network, file: String) throws(Diagnostic) -> FusedNetwork {
        var builder = Builder(layers: network.layers, file: file)
        try builder.build()
        return FusedNetwork(network: network, leadingSign: nil, groups: [], leadingQuantizers: builder.leading,
                            codeGroups: [], graph: builder.units)
    }

    private struct Builder {
        let layers: [Layer]
        let file: String
        /// How many layers read each layer's output (`input`, the next layer, `add.from`).
        var readers: [Int]
        var leading: [(layer: Layer, quantizer: Quantizer)] = []
        var units: [GraphUnit] = []
        /// The stream of every exact tensor a later layer may read, by layer index (-1: the model input).
        var exact: [Int: StreamSource] = [:]
        var i = 0

        init(layers: [Layer], file: String) {
            self.layers = layers
            self.file = file
            var readers = Array(repeating: 0, count: layers.count)
            for layer in layers {
                if let s = layer.sourceIndex { readers[s] += 1 }
                if case .add(let add) = layer.kind { readers[add.from] += 1 }
            }
            self.readers = readers
        }

        func refuse(_ layer: Layer, _ why: String, key: String? = nil) -> Diagnostic {
            Diagnostic(file: file, location: layer.label + (key.map { ".\($0)" } ?? ""), message: why)
        }

        /// True when layers[k + 1] reads layers[k] and is its only reader (so it can be fused).
        func fusesNext(_ k: Int) -> Bool {
            k + 1 < layers.count && layers[k + 1].inputLayer == nil && readers[k] == 1
        }

        /// The stream a layer reads as its main input, which must be exact.
        func mainStream(_ layer: Layer) throws(Diagnostic) -> StreamSource {
            let s = layer.sourceIndex ?? -1
            if let stream = exact[s] { return stream }
            let source = layers[s]
            if layer.inputLayer != nil || readers[s] > 1 {
                throw refuse(layer, "reads \(source.label), whose output is not exact (not a quantizer's output): only exact tensors may fan out; \(supported)",
                             key: layer.inputLayer != nil ? "input" : nil)
            }
            throw refuse(layer, "\(layer.kind.typeName) cannot follow \(source.label) here: it must read an exact tensor; \(supported)")
        }

        mutating func build() throws(Diagnostic) {
            for k in 0..<(layers.count - 1) where readers[k] == 0 {
                throw refuse(layers[k], "its output is never read: every branch must end at an add")
            }
            while i < layers.count, let q = Quantizer(layers[i].kind), layers[i].inputLayer == nil, i == 0 || readers[i - 1] == 1 {
                leading.append((layers[i], q))
                i += 1
            }
            exact[leading.last?.layer.index ?? -1] = .input
            var pendingFlatten: (index: Int, flatten: Flatten, stream: StreamSource)?
            while i < layers.count {
                let layer = layers[i]
                switch layer.kind {
                case .flatten(let flatten):
                    let stream = try mainStream(layer)
                    guard fusesNext(i), case .dense = layers[i + 1].kind else {
                        throw refuse(layer, "flatten must stand directly before the dense layer that alone reads it; \(supported)")
                    }
                    pendingFlatten = (i, flatten, stream)
                    i += 1
                case .dense, .conv2d:
                    var stream: StreamSource
                    if let pendingFlatten { stream = pendingFlatten.stream } else { stream = try mainStream(layer) }
                    try computeUnit(layer, stream: stream, flatten: pendingFlatten.map { ($0.index, $0.flatten) })
                    pendingFlatten = nil
                case .sign, .quantize, .multithreshold, .maxpool2d, .avgpool2d:
                    try thresholdUnit(layer, main: mainStream(layer), add: nil)
                case .add(let add):
                    let main = try mainStream(layer)
                    guard let shortcut = exact[add.from] else {
                        throw refuse(layer, "two running values at an add: \(layers[add.from].label) is not exact, and an add needs one exact operand; \(supported)", key: "from")
                    }
                    try thresholdUnit(layer, main: main, add: (layer, shortcut))
                default:
                    throw refuse(layer, "\(layer.kind.typeName) must follow a compute layer in its group; \(supported)")
                }
            }
            guard case .compute(let last) = units.last?.kind, last.quantizers.isEmpty else {
                throw refuse(layers[layers.count - 1], "the network must end with dense [batchnorm] [shift]: the outputs are logits or their argmax")
            }
        }

        /// `[flatten] dense|conv2d`, steps with at most one add, quantizers, then a pool.
        mutating func computeUnit(_ layer: Layer, stream: StreamSource, flatten: (Int, Flatten)?) throws(Diagnostic) {
            var group: CodeGroup
            let first = flatten.map { [$0.0] } ?? []
            switch layer.kind {
            case .dense(let d):
                group = CodeGroup(compute: layer, weights: d.weights, integerWeights: d.integerWeights, alpha: d.alpha, bias: d.bias,
                                  convolution: nil, flatten: flatten?.1, layerIndices: first + [i], readsRawInput: stream == .input && leading.isEmpty)
            case .conv2d(let c):
                group = CodeGroup(compute: layer, weights: c.weights, integerWeights: c.integerWeights, alpha: c.alpha, bias: c.bias,
                                  convolution: c, flatten: nil, layerIndices: [i], readsRawInput: stream == .input && leading.isEmpty)
            default:
                return
            }
            var inputs = [stream]
            i += 1
            steps: while fusesNext(i - 1) {
                let next = layers[i]
                switch next.kind {
                case .batchnorm(let bn): group.steps.append(.batchnorm(bn))
                case .shift(let s): group.steps.append(.shift(s))
                case .clamp(let c): group.steps.append(.clamp(c))
                case .prelu(let p):
                    if let c = p.slope.firstIndex(where: { !($0 >= 0) }) {
                        throw Diagnostic(file: file, location: "\(next.label).slope[\(c)]",
                                         message: "a negative prelu slope (\(p.slope[c])) makes the output neither rise nor fall with the sum, so no thresholds reproduce it")
                    }
                    group.steps.append(.prelu(p))
                case .add(let add):
                    guard group.add == nil else { throw refuse(next, "at most one add per group; \(supported)") }
                    if let pre = group.prePool {
                        throw refuse(next, "\(pre.layer.label) stands between the compute layer and the add, which cannot stay exact; pool the codes after the quantizer instead")
                    }
                    guard let shortcut = exact[add.from] else {
                        throw refuse(next, "two running values at an add: \(layers[add.from].label) is not exact, and an add needs one exact operand; \(supported)", key: "from")
                    }
                    group.add = (next, group.steps.count)
                    inputs.append(shortcut)
                case .maxpool2d(let pool):
                    guard group.convolution != nil else { throw refuse(next, "maxpool2d must follow a conv2d group, not a dense layer") }
                    guard group.prePool == nil else { throw refuse(next, "at most one pool per group") }
                    if group.add != nil {
                        throw refuse(next, "a maxpool2d after an add and before the quantizer is not supported; pool the codes after the quantizer instead")
                    }
                    group.prePool = (next, pool, group.steps.count)
                default:
                    break steps
                }
                group.layerIndices.append(i)
                i += 1
            }
            if i < layers.count, fusesNext(i - 1), let q = Quantizer(layers[i].kind) {
                group.quantizers.append(q)
                group.layerIndices.append(i)
                i += 1
                while fusesNext(i - 1), let q = Quantizer(layers[i].kind) {
                    group.quantizers.append(q)
                    group.layerIndices.append(i)
                    i += 1
                }
            }
            if group.quantizers.isEmpty {
                if let add = group.add, i == layers.count {
                    throw refuse(add.layer, "the last compute layer cannot have an add: only [batchnorm] [shift] may follow it")
                }
                if i < layers.count { try refuseRunningValue(at: i - 1) }
                try FuseCodeLayers.checkLast(group, layers: layers, at: i) { layer, why, key in
                    Diagnostic(file: file, location: layer.label + (key.map { ".\($0)" } ?? ""), message: "\(why); \(FuseCodeLayers.supported)")
                }
                units.append(GraphUnit(kind: .compute(group), inputs: inputs))
                return
            }
            group.codePool = try codePool(after: i - 1, conv: group.convolution != nil)
            if group.codePool != nil {
                group.layerIndices.append(i)
                i += 1
            }
            try finish(GraphUnit(kind: .compute(group), inputs: inputs))
        }

        /// A quantizer chain on codes, an add of two exact tensors with its steps and quantizers,
        /// or a pool alone; at most one pool over the codes after the quantizers.
        mutating func thresholdUnit(_ layer: Layer, main: StreamSource, add: (Layer, StreamSource)?) throws(Diagnostic) {
            var group = ThresholdGroup(first: layer, layerIndices: [i], shape: layer.inputShape, add: add?.0)
            var inputs = [main]
            if let add {
                inputs.append(add.1)
                i += 1
                steps: while fusesNext(i - 1) {
                    switch layers[i].kind {
                    case .batchnorm(let bn): group.steps.append(.batchnorm(bn))
                    case .shift(let s): group.steps.append(.shift(s))
                    case .clamp(let c): group.steps.append(.clamp(c))
                    case .prelu(let p):
                        if let c = p.slope.firstIndex(where: { !($0 >= 0) }) {
                            throw Diagnostic(file: file, location: "\(layers[i].label).slope[\(c)]",
                                             message: "a negative prelu slope (\(p.slope[c])) makes the output neither rise nor fall with the sum, so no thresholds reproduce it")
                        }
                        group.steps.append(.prelu(p))
                    default: break steps
                    }
                    group.layerIndices.append(i)
                    i += 1
                }
                guard i < layers.count, fusesNext(i - 1), Quantizer(layers[i].kind) != nil else {
                    throw refuse(layer, "an add of two exact tensors must be followed by elementwise steps and a quantizer (sign, quantize or multithreshold) that alone read its value")
                }
            }
            if let q = Quantizer(layers[i].kind) {
                group.quantizers.append(q)
                group.layerIndices.append(i)
                i += 1
                while fusesNext(i - 1), let q = Quantizer(layers[i].kind) {
                    group.quantizers.append(q)
                    group.layerIndices.append(i)
                    i += 1
                }
                group.codePool = try codePool(after: i - 1, conv: group.shape.height * group.shape.width > 1)
                if group.codePool != nil {
                    group.layerIndices.append(i)
                    i += 1
                }
            } else {
                // A pool alone on an exact tensor (e.g. a downsampling shortcut).
                group.codePool = try codePool(at: i, conv: true)
                i += 1
            }
            try finish(GraphUnit(kind: .thresholds(group), inputs: inputs))
        }

        /// Records a unit whose output (layers[i - 1]) is exact, refusing a trailing one.
        mutating func finish(_ unit: GraphUnit) throws(Diagnostic) {
            if i == layers.count {
                throw refuse(layers[i - 1], "the network must end with dense [batchnorm] [shift]: a trailing \(layers[i - 1].kind.typeName) is refused because the outputs are logits or their argmax")
            }
            exact[i - 1] = .node(units.count)
            units.append(unit)
        }

        /// The pool fused after layers[k] (a quantizer), if the next layer is one it alone feeds.
        func codePool(after k: Int, conv: Bool) throws(Diagnostic) -> CodePool? {
            guard fusesNext(k) else { return nil }
            return try codePool(at: k + 1, conv: conv)
        }

        func codePool(at k: Int, conv: Bool) throws(Diagnostic) -> CodePool? {
            let next = layers[k]
            var pool: CodePool
            switch next.kind {
            case .maxpool2d(let p): pool = CodePool(layer: next, isAverage: false, pool: p.pool, stride: p.stride)
            case .avgpool2d(let p): pool = CodePool(layer: next, isAverage: true, pool: p.pool, stride: p.stride)
            default: return nil
            }
            guard conv else { throw refuse(next, "\(next.kind.typeName) must follow a conv2d group, not a dense layer") }
            return pool
        }

        /// A group's running value (not exact) that the next layer cannot take.
        func refuseRunningValue(at k: Int) throws(Diagnostic) {
            if readers[k] > 1, let reader = layers.first(where: { $0.inputLayer == k }) {
                throw refuse(reader, "reads \(layers[k].label), whose output is not exact (not a quantizer's output): only exact tensors may fan out; \(supported)", key: "input")
            }
            if readers[k] > 1, let reader = layers.first(where: { if case .add(let a) = $0.kind { return a.from == k }; return false }) {
                throw refuse(reader, "two running values at an add: \(layers[k].label) is not exact, and an add needs one exact operand; \(supported)", key: "from")
            }
        }
    }
}
