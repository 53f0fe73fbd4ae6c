import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNDataflow
import BNNEstimate
import BNNModel
import BNNRandomModels
import Foundation

/// The networks and foldings the tests share, and seeded random geometries.
enum TestModels {
    /// BNN-PYNQ's CNV folding as FINN runs it (PE, SIMD per layer); its last layer pads 10
    /// classes to PE 4 (12 rows).
    static let pynqCNV: [Folding] = [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (4, 1)].map { Folding(pe: $0.0, simd: $0.1) }
    /// BNN-PYNQ's LFC folding (784 inputs padded to 832 for SIMD 64, 10 classes padded to PE 16).
    static let pynqLFC: [Folding] = [(32, 64), (64, 32), (32, 64), (16, 8)].map { Folding(pe: $0.0, simd: $0.1) }

    static func request(_ design: Design, _ foldings: [Folding]) -> FoldingRequest {
        FoldingRequest(entries: zip(design.layers, foldings).map { ($0.key, $1) })
    }

    static func cnvNetwork() throws -> Network { try ModelLoader().load(bytes: BenchmarkModels.cnvJSON(seed: 11), file: "cnv.json") }

    static func cnvStages() throws -> Pipeline.Stages { try Pipeline(file: "cnv.json").run(try cnvNetwork()) }

    static func cnvDesign(_ foldings: [Folding] = pynqCNV) throws -> Design {
        let stages = try cnvStages()
        return PackWeights.run(stages.integer, foldings: foldings)
    }

    static func lfcDesign(_ foldings: [Folding] = pynqLFC) throws -> Design {
        let network = try ModelLoader().load(bytes: BenchmarkModels.lfcJSON(sizes: [784, 1024, 1024, 1024, 10], seed: 7), file: "lfc.json")
        let stages = try Pipeline(file: "lfc.json").run(network)
        return PackWeights.run(stages.integer, foldings: foldings)
    }

    static var digitsCNN: String { repo.appendingPathComponent("Examples/digits_cnn/model.json").path }
    static var digitsMLP: String { repo.appendingPathComponent("Examples/digits_mlp/model.json").path }
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The shared seeded draws, under the name these tests use.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    init(state: UInt64) { self.init(seed: state) }
}

/// Random but consistent network geometries: convolutions (kernels, strides, padding, pools)
/// then dense layers, bipolar or 8-bit input, optional binarizer, either output mode.
enum RandomGeometry {
    static func make(seed: UInt64, maxLayers: Int = 5) -> NetworkGeometry {
        var r = SeededRandom(state: seed)
        var layers: [LayerGeometry] = []
        let eightBit = r.bool()
        let image = r.int(0...2) > 0
        let binarizer = eightBit && r.int(0...3) == 0
        var shape = image ? Shape3(height: r.int(4...12), width: r.int(4...12), channels: r.pick([1, 2, 3, 4, 6, 8])) : Shape3.vector(r.pick([12, 16, 30, 48, 64, 100]))
        let input = DesignInput(encoding: eightBit ? .uint8 : .bipolar, count: shape.count, channels: shape.channels, scale: 1, zeroPoint: 0)
        var firstKind: MvauInput = eightBit && !binarizer ? .integer(bits: 8, isSigned: false, zeroPoint: 0) : .binary
        let convs = image ? r.int(1...max(1, min(3, maxLayers - 1))) : 0
        for c in 0..<convs {
            let k = min(r.int(1...3), shape.height, shape.width)
            let padding = r.int(0...3) == 0 ? 1 : 0
            let stride = r.int(0...3) == 0 ? 2 : 1
            let window = SlidingWindowStage(input: shape, kernel: Pair(k, k), stride: Pair(stride, stride),
                                            padding: Padding(top: padding, bottom: padding, left: padding, right: padding),
                                            pad: padding > 0 && firstKind == .binary ? .masked : .constant(0))
            let kind: MvauInput = padding > 0 && firstKind == .binary ? .maskedBinary : firstKind
            let filters = r.pick([2, 4, 6, 8, 12, 16])
            let out = Shape3(height: window.output.height, width: window.output.width, channels: filters)
            var pool: PoolStage?
            if out.height >= 2 && out.width >= 2 && r.bool() {
                let p = r.int(0...2) == 0 ? 3 : 2
                if p <= out.height && p <= out.width {
                    pool = PoolStage(label: "pool\(c)", layerIndex: 0, input: out, pool: Pair(p, p), stride: Pair(r.int(0...2) == 0 ? 1 : 2, 2),
                                     andChannels: Array(repeating: false, count: filters))
                }
            }
            let mw = k * k * shape.channels
            layers.append(LayerGeometry(key: "conv\(c)", label: "layers[\(c)] (conv\(c))", inputs: mw, outputs: filters, inputKind: kind,
                                        accumulatorBits: bits(mw, kind), hasThresholds: true, window: window, pool: pool))
            shape = pool?.output ?? out
            firstKind = .binary
        }
        let denseCount = r.int(1...max(1, maxLayers - convs))
        var inputs = shape.count
        for d in 0..<denseCount {
            let last = d == denseCount - 1
            let outputs = last ? r.pick([2, 3, 4, 5, 10]) : r.pick([8, 12, 16, 24, 32, 40, 64])
            layers.append(LayerGeometry(key: "fc\(d)", label: "layers[\(convs + d)] (fc\(d))", inputs: inputs, outputs: outputs, inputKind: firstKind,
                                        accumulatorBits: bits(inputs, firstKind) + (last ? 1 : 0), hasThresholds: !last))
            inputs = outputs
            firstKind = .binary
        }
        let output = r.pick([NetworkGeometry.Output.logits, .argmaxOfAccumulators, .argmaxOfLogits])
        return NetworkGeometry(name: "random\(seed)", input: input, binarizerThresholdType: binarizer ? IntegerType(bits: 9, isSigned: false) : nil, layers: layers, output: output)
    }

    static func bits(_ mw: Int, _ kind: MvauInput) -> Int {
        var b = 1
        while (1 << b) <= mw * (kind.bits == 8 ? 256 : 1) { b += 1 }
        return b + 1
    }

    /// A random legal folding of `geometry`.
    static func folding(_ geometry: NetworkGeometry, seed: UInt64) -> [Folding] {
        var r = SeededRandom(state: seed)
        return geometry.layers.map { Folding(pe: r.pick($0.peChoices), simd: r.pick($0.simdChoices)) }
    }
}
