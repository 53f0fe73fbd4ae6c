import BNNDesign

/// Lowering of a residual graph (`Design.nodes` other than a chain), node by node in topological
/// order: an MVAU node gets its converter, window, MVAU and pool as in a chain; a threshold node
/// gets a converter per input that is not already in its PE lanes (the shortcut is repacked to
/// the join's lanes, padding lanes 0), the `join` stage and its pool. Where a stream has k > 1
/// readers, k - 1 duplicates in a row give each reader its own copy; the later reader (a
/// join's shortcut) takes the duplicate's second output, `shortcutN`.
extension DataflowPipeline {
    /// A node's output as its readers find it: the stream's name and format.
    private struct Tap {
        var stream: StageID?  // nil: the top function's `in` port
        var format: StreamFormat
    }

    static func graphStages(_ geometry: NetworkGeometry, foldings: [Folding]) -> [HardwareStage] {
        var stages: [HardwareStage] = []
        let nodes = geometry.nodes
        // Readers of each stream as node * 2 + port (a node reading one stream on both ports
        // gets two copies).
        var readers: [StreamSource: [Int]] = [:]
        for (n, node) in nodes.enumerated() {
            for (port, source) in node.inputs.enumerated() { readers[source, default: []].append(n * 2 + port) }
        }
        var taps: [StreamSource: [Int: Tap]] = [:]
        var shortcuts = 0
        var reportLayer = 0

        // Appends a stage reading `inputs`; its output is its own id.
        func append(_ stage: HardwareStage, reading inputs: [StageID?]) {
            var stage = stage
            stage.inputs = inputs.compactMap { $0 }
            stages.append(stage)
        }
        // Gives each reader of `source` its copy of the stream `tap`.
        func distribute(_ source: StreamSource, _ tap: Tap, node: Int) {
            let list = readers[source] ?? []
            guard list.count > 1 else {
                if let reader = list.first { taps[source, default: [:]][reader] = tap }
                return
            }
            var current = tap
            for (copy, reader) in list.enumerated().dropLast() {
                let id = StageID.duplicate(node: node, copy: copy)
                var duplicate = HardwareStage(id: id, kind: .duplicate(width: current.format.width, words: current.format.words), layer: reportLayer,
                                              label: "\(node < 0 ? "input" : "node \(node)") duplicate", from: current.format, to: current.format)
                let second = StageID.shortcut(shortcuts)
                shortcuts += 1
                duplicate.outputs = [id, second]
                append(duplicate, reading: [current.stream])
                taps[source, default: [:]][reader] = Tap(stream: id, format: current.format)
                current = Tap(stream: second, format: current.format)
            }
            if let last = list.last { taps[source, default: [:]][last] = current }
        }
        // The stream `node` reads on `port`, converted to `needed` (a converter with `id` if it differs).
        func input(_ node: Int, port: Int, needed: StreamFormat, id: StageID, layer: Int, label: String, pad: Int) -> StageID? {
            let source = nodes[node].inputs[port]
            guard let tap = taps[source]?[node * 2 + port] else { return nil }
            var format = tap.format
            let before = stages.count
            adapt(&format, to: needed, id: id, layer: layer, label: label, pad: pad, into: &stages)
            guard stages.count > before else { return tap.stream }
            stages[stages.count - 1].inputs = tap.stream.map { [$0] } ?? []
            return id
        }

        let start = stages.count
        let inputFormat = inputStream(geometry, foldings: foldings, into: &stages)
        distribute(.input, Tap(stream: stages.count > start ? StageID.binarize : nil, format: inputFormat), node: -1)

        var last = inputFormat
        for (n, node) in nodes.enumerated() {
            var out: StreamFormat
            var outID: StageID?
            switch node.kind {
            case .mvau(let l):
                let layer = geometry.layers[l], folding = foldings[l]
                reportLayer = l
                let from = input(n, port: 0, needed: layerInput(layer, folding), id: .converter(layer: l), layer: l,
                                 label: "\(layer.key) converter", pad: neutralLane(layer.inputKind))
                let first = stages.count
                out = layerStages(layer, folding, index: l, into: &stages)
                for i in first..<stages.count { stages[i].inputs = i == first ? (from.map { [$0] } ?? []) : [stages[i - 1].id] }
                outID = stages.last?.id
            case .threshold(let t):
                var pe = t.pe
                if case .node(let m) = node.inputs[0], let l = nodes[m].layer, t.isJoin { pe = foldings[l].pe }
                let frame = t.pixels * t.channels
                let main = input(n, port: 0, needed: StreamFormat(lanes: pe, laneBits: t.mainType.bits, vector: t.channels, frame: frame),
                                 id: .joinConverter(node: n, port: 0), layer: reportLayer, label: "\(t.label) main converter", pad: 0)
                var reads = [main]
                if let bits = t.shortcutBits {
                    reads.append(input(n, port: 1, needed: StreamFormat(lanes: pe, laneBits: bits, vector: t.channels, frame: frame),
                                       id: .joinConverter(node: n, port: 1), layer: reportLayer, label: "\(t.label) shortcut repack", pad: 0))
                }
                let shape = JoinShape(channels: t.channels, pixels: t.pixels, pe: pe, mainType: t.mainType, shortcutBits: t.shortcutBits,
                                      levels: t.thresholds.levels, outputBits: t.codeBits, thresholdType: t.thresholdType)
                let codes = StreamFormat(lanes: pe, laneBits: t.codeBits, vector: t.channels, frame: frame)
                let mainIn = StreamFormat(lanes: pe, laneBits: t.mainType.bits, vector: t.channels, frame: frame)
                append(HardwareStage(id: .join(node: n), kind: .join(shape), layer: reportLayer, label: "\(t.label) \(t.isJoin ? "join" : "requantize")",
                                     from: mainIn, to: codes), reading: reads)
                out = codes
                if let pool = t.pool {
                    let pooled = StreamFormat(lanes: pe, laneBits: pool.outputBits, vector: t.channels, frame: pool.output.count)
                    let padded = Divisors.ceilDiv(t.channels, pe) * pe
                    append(HardwareStage(id: .joinPool(node: n), kind: .maxPool(pool.padded(channels: padded), simd: pe), layer: reportLayer,
                                         label: "\(t.label) \(pool.kind == .sum ? "sum-pool" : "max-pool")", from: codes, to: pooled),
                           reading: [.join(node: n)])
                    out = pooled
                }
                outID = stages.last?.id
            }
            last = out
            distribute(.node(n), Tap(stream: outID, format: out), node: n)
        }
        let beforeArgmax = stages.count
        appendArgmax(geometry, foldings: foldings, stream: last, into: &stages)
        if stages.count > beforeArgmax, beforeArgmax > 0 { stages[beforeArgmax].inputs = [stages[beforeArgmax - 1].id] }
        return stages
    }
}
