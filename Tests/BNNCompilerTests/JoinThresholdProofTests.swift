import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import XCTest

/// Exhaustive proof of the residual graphs' threshold stages on the shared random residual
/// cases: for every channel, every reachable main value (an MVAU's accumulator, or a code) and
/// every reachable shortcut code, the stage's code equals the code the model's own layers give,
/// applied one at a time in float64 by this test (the add as `y + z`, z the shortcut's value).
final class JoinThresholdProofTests: XCTestCase {
    func testEveryAccumulatorAndShortcutCode() throws {
        var proved = (joins: 0, codeStages: 0, pairs: 0)
        for (c, testCase) in RandomCodeNetworks.residualCases().enumerated() {
            for seed in 0..<6 {
                var random = RandomCodeNetworks(seed: UInt64(700 * (c + 1) + seed))
                let network = random.residualNetwork(testCase.options)
                let design = try Pipeline(file: "proof.json").compile(network)
                let found = try Self.proveNodes(design, network, testCase.name)
                proved = (proved.joins + found.joins, proved.codeStages + found.codeStages, proved.pairs + found.pairs)
            }
        }
        XCTAssertGreaterThan(proved.joins, 20)
        XCTAssertGreaterThan(proved.codeStages, 20)
        XCTAssertGreaterThan(proved.pairs, 20_000)
        print("proved \(proved.pairs) (channel, main value, shortcut code) triples over \(proved.joins) joins and \(proved.codeStages) stages on codes")
    }

    /// Proves every threshold stage of `design`: (joins, stages on codes, pairs proved).
    static func proveNodes(_ design: Design, _ network: Network, _ name: String) throws -> (joins: Int, codeStages: Int, pairs: Int) {
        var proved = (joins: 0, codeStages: 0, pairs: 0)
        for node in design.nodes {
            guard let stage = node.thresholdStage else { continue }
            // A join after an MVAU reads its accumulators; every other stage reads codes.
            if case .node(let m) = node.inputs[0], let l = design.nodes[m].layer, case .accumulator = design.layers[l].activation {
                proved.pairs += try proveJoin(stage, design.layers[l], shortcut: node.inputs.count > 1, network, name)
                proved.joins += 1
            } else {
                proved.pairs += try proveCodeStage(stage, network, name)
                proved.codeStages += 1
            }
        }
        return proved
    }

    /// What the codes of layer k's output stand for: `offset + step * u`, u in 0...maxCode.
    static func meaning(_ network: Network, _ k: Int) -> (offset: ExactNumber, step: ExactNumber, maxCode: Int)? {
        let layer = network.layers[k]
        switch layer.kind {
        case .sign: return (ExactNumber(-1), ExactNumber(2), 1)
        case .quantize(let q): return ((ExactNumber(q.scale) ?? .zero) * q.kmin, ExactNumber(q.scale) ?? .zero, q.kmax - q.kmin)
        case .multithreshold(let m): return (ExactNumber(m.outBias) ?? .zero, ExactNumber(m.outScale) ?? .zero, m.thresholds.map(\.count).max() ?? 1)
        case .avgpool2d(let p):
            guard let s = layer.sourceIndex, let inner = meaning(network, s) else { return nil }
            let n = p.pool.height * p.pool.width
            return (inner.offset, inner.step / n, inner.maxCode * n)
        case .maxpool2d, .flatten:
            return layer.sourceIndex.flatMap { meaning(network, $0) }
        default: return nil
        }
    }

    /// The code after layers `indices` (compute layer, steps, add, quantizers; pools skipped:
    /// the stage's code is before its pool) for channel j, starting from the float64 value `y`.
    static func code(_ network: Network, _ indices: [Int], channel j: Int, value: Double, shortcut z: Double?) -> Int {
        var y = value
        var code = 0
        for i in indices {
            switch network.layers[i].kind {
            case .dense(let d): y = d.apply(y, unit: j)
            case .conv2d(let c): y = c.apply(y, filter: j)
            case .batchnorm(let bn): y = bn.apply(y, channel: j)
            case .shift(let s): y += s.value[j]
            case .prelu(let p): y = ReferenceMath.prelu(y, slope: p.slope[j])
            case .clamp(let c): y = ReferenceMath.clamp(y, c)
            case .add: y = y + (z ?? .nan)
            case .sign(let s):
                code = ReferenceMath.sign(y, offset: s.offset[j]) ? 1 : 0
                y = code == 1 ? 1 : -1
            case .quantize(let q):
                let k = ReferenceMath.quantize(y, q)
                code = k - q.kmin
                y = ((ExactNumber(q.scale) ?? .zero) * k).double
            case .multithreshold(let m):
                code = ReferenceMath.multithreshold(y, row: m.thresholds[j])
                y = ((ExactNumber(m.outBias) ?? .zero) + (ExactNumber(m.outScale) ?? .zero) * code).double
            default: continue
            }
        }
        return code
    }

    /// The shortcut values of a stage: from the `add` among its layers (or its MVAU's).
    static func shortcutValues(_ network: Network, _ indices: [Int]) -> [Double]? {
        for i in indices {
            guard case .add(let add) = network.layers[i].kind else { continue }
            guard let m = meaning(network, add.from) else { return nil }
            return (0...m.maxCode).map { (m.offset + m.step * $0).double }
        }
        return nil
    }

    /// A join after an MVAU: the exact sum of accumulator acc from the MVAU's lanes and the
    /// model's weights, then the layers of the MVAU and of the join.
    static func proveJoin(_ stage: ThresholdStage, _ mvau: MvauStage, shortcut: Bool, _ network: Network, _ name: String) throws -> Int {
        guard let computeIndex = mvau.layerIndices.first(where: {
            switch network.layers[$0].kind { case .dense, .conv2d: return true; default: return false }
        }) else { XCTFail("\(name): no compute layer in \(mvau.label)"); return 0 }
        let layer = network.layers[computeIndex]
        var weight: (Int, Int) -> Int
        var columns: Int
        switch layer.kind {
        case .dense(let d):
            weight = { j, c in d.integerWeights?[j, c] ?? d.weights.value(row: j, column: c) }
            columns = d.inputs
        case .conv2d(let cv):
            weight = { j, c in cv.integerWeights?[j, c] ?? cv.weights.value(row: j, column: c) }
            columns = cv.weights.columns
        default: return 0
        }
        let indices = mvau.layerIndices.filter { $0 >= computeIndex } + stage.layerIndices
        guard let z = shortcutValues(network, indices) else { XCTFail("\(name): \(stage.label) has no exact shortcut"); return 0 }
        XCTAssertTrue(shortcut, name)
        var pairs = 0
        for j in 0..<stage.channels {
            let total = (0..<columns).reduce(0) { $0 + weight(j, $1) }
            // The exact sum for accumulator acc, and the accumulators the lanes reach.
            var sum: (Int) -> Double
            var reach: ClosedRange<Int>
            switch mvau.inputKind {
            case .binary:
                sum = { Double(2 * $0 - columns) }
                reach = 0...columns
            case .maskedBinary:
                sum = { Double($0) }
                reach = -columns...columns
            case .codes:
                guard let source = layer.sourceIndex, let m = meaning(network, source) else { XCTFail("\(name): \(mvau.label) input"); return pairs }
                sum = { (m.offset * total + m.step * $0).double }
                let terms = (0..<columns).map { weight(j, $0) * m.maxCode }
                reach = terms.reduce(0) { $0 + min(0, $1) }...terms.reduce(0) { $0 + max(0, $1) }
            case .integer:
                let values = network.input.encoding.valueRange
                let (low, high) = (values.lowerBound - network.input.zeroPoint, values.upperBound - network.input.zeroPoint)
                let scale = ExactNumber(network.input.scale) ?? .zero
                sum = { (scale * $0).double }
                let terms = (0..<columns).map { (weight(j, $0) * low, weight(j, $0) * high) }
                reach = terms.reduce(0) { $0 + min($1.0, $1.1) }...terms.reduce(0) { $0 + max($1.0, $1.1) }
            }
            let ok = compare(stage, channel: j, mains: reach, shortcuts: z, main: "accumulator", gives: "join", name, pairs: &pairs) { acc, value in
                code(network, indices, channel: j, value: sum(acc), shortcut: value)
            }
            if !ok { return pairs }
        }
        return pairs
    }

    /// A stage on codes (requantization, both-exact add, pool alone): every main code.
    static func proveCodeStage(_ stage: ThresholdStage, _ network: Network, _ name: String) throws -> Int {
        guard let first = stage.layerIndices.first else { return 0 }
        let firstLayer = network.layers[first]
        guard let source = firstLayer.sourceIndex, let m = meaning(network, source) else {
            // Only the leading quantizers read the raw input, and they are the binarizer.
            XCTFail("\(name): \(stage.label) reads no codes")
            return 0
        }
        let values = shortcutValues(network, stage.layerIndices)
        XCTAssertEqual(values != nil, stage.isJoin, name)
        let z: [Double?] = values ?? [nil]
        let passThrough = !stage.layerIndices.contains { Quantizer(network.layers[$0].kind) != nil }
        var pairs = 0
        for j in 0..<stage.channels {
            let ok = compare(stage, channel: j, mains: 0...m.maxCode, shortcuts: z, main: "code", gives: "stage", name, pairs: &pairs) { u, value in
                passThrough ? u : code(network, stage.layerIndices, channel: j, value: (m.offset + m.step * u).double, shortcut: value)
            }
            if !ok { return pairs }
        }
        return pairs
    }

    /// Channel j of `stage` against the reference code `want(main, shortcut value)` for every
    /// main value and shortcut code, counting into `pairs`; false after the first mismatch.
    static func compare(_ stage: ThresholdStage, channel j: Int, mains: ClosedRange<Int>, shortcuts z: [Double?], main: String, gives: String,
                        _ name: String, pairs: inout Int, want: (Int, Double?) -> Int) -> Bool {
        for u in mains {
            for (v, value) in z.enumerated() {
                let expected = want(u, value)
                let got = stage.code(main: u, channel: j, shortcut: v)
                if got != expected {
                    XCTFail("\(name): \(stage.label) channel \(j) \(main) \(u) shortcut code \(v): reference code \(expected), \(gives) gives \(got)")
                    return false
                }
                pairs += 1
            }
        }
        return true
    }
}
