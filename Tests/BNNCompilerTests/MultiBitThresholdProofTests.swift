import BNNCompiler
import BNNDesign
import BNNModel
import BNNRandomModels
import BNNReference
import XCTest

/// Exhaustive proof on small version-2 MLPs: for every neuron of every hidden layer and every
/// accumulator its lanes can reach, the multi-threshold ROM's code equals the code the
/// reference's float64 steps give for that accumulator's exact sum. The test derives the
/// meaning of the input codes and applies the layers itself, from the model's own layers.
final class MultiBitThresholdProofTests: XCTestCase {
    func testEveryAccumulatorOfSmallMLPs() throws {
        var proved = 0
        for seed in 0..<24 {
            var random = RandomCodeNetworks(seed: UInt64(500 + seed))
            var o = RandomCodeNetworks.Options(inputShape: .vector(random.int(3...7)), sizes: [random.int(2...6), random.int(2...5), 3])
            o.denseBits = [random.pick([1, 2, 3]), random.pick([1, 2, 8]), 2]
            o.inputQuantizers = 1
            proved += try Self.proveNetwork(random.network(o))
        }
        XCTAssertGreaterThan(proved, 1000)
        print("proved \(proved) (neuron, accumulator) pairs")
    }

    /// Proves every hidden layer that reads codes (or signs) without border classes; returns the
    /// (neuron, accumulator) pairs checked.
    static func proveNetwork(_ network: Network) throws -> Int {
        let stages = try Pipeline(file: "proof.json").run(network)
        var proved = 0
        for (layer, stage) in zip(stages.integer.layers, stages.design.layers).dropLast() {
            proved += prove(layer, stage, network)
        }
        return proved
    }

    /// The code meaning of the input of the compute layer at `index`: offset and step of the
    /// quantizer feeding it, and its largest code.
    private static func inputCodes(_ network: Network, before index: Int) -> (ExactNumber, ExactNumber, Int)? {
        for layer in network.layers[..<index].reversed() {
            switch layer.kind {
            case .sign: return (ExactNumber(-1), ExactNumber(2), 1)
            case .quantize(let q): return ((ExactNumber(q.scale) ?? .zero) * q.kmin, ExactNumber(q.scale) ?? .zero, q.kmax - q.kmin)
            case .multithreshold(let m): return (ExactNumber(m.outBias) ?? .zero, ExactNumber(m.outScale) ?? .zero, m.thresholds[0].count)
            case .flatten, .maxpool2d: continue  // a max of codes keeps their meaning
            default: return nil
            }
        }
        return nil
    }

    private static func prove(_ layer: IntegerLayer, _ stage: MvauStage, _ network: Network) -> Int {
        guard case .multiThreshold(let rom) = stage.activation, rom.classes == 1, let (offset, step, maxCode) = inputCodes(network, before: layer.computeIndex) else {
            return 0
        }
        let weights: (Int, Int) -> Int = { j, c in layer.integerWeights?[j, c] ?? (layer.weights[j, c] ? 1 : -1) }
        var pairs = 0
        for j in 0..<layer.outputs {
            var (low, high, total) = (0, 0, 0)
            for c in 0..<layer.inputs {
                let w = weights(j, c)
                low += min(0, w * maxCode)
                high += max(0, w * maxCode)
                total += w
            }
            // XNOR lanes (signs in, 1-bit weights) count agreements: the sum is 2acc - MW.
            let binary = layer.inputKind == .binary
            for acc in binary ? 0...layer.inputs : low...high {
                let sum = binary ? Double(2 * acc - layer.inputs) : (offset * total + step * acc).double
                // The model's layers after the compute layer, one at a time, up to the group's last quantizer.
                let want = JoinThresholdProofTests.code(network, layer.layerIndices, channel: j, value: sum, shortcut: nil)
                let got = rom.code(acc, bank: j % rom.pe, address: j / rom.pe)
                if got != want {
                    XCTFail("\(layer.label) neuron \(j) acc \(acc): reference code \(want), thresholds give \(got)")
                    return pairs
                }
                pairs += 1
            }
        }
        return pairs
    }
}
