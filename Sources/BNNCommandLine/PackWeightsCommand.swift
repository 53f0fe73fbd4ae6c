import BNNEmit
import BNNModel
import Foundation

/// `bnn-hls pack-weights model.json [--fold F] -o weights.bin`: the words a `--runtime-weights`
/// design of the same topology and folding loads through its weights port, behind the header
/// that lets every loader refuse a file of another design (`WeightFile`).
enum PackWeightsCommand {
    static func run(_ args: Arguments, print: (String) -> Void) throws {
        let output = try args.value("-o") ?? "weights.bin"
        let model = try CompiledModel(args)
        let estimate = model.estimate(clockNs: try args.double("--clock-ns", default: EmitOptions.defaultClockNs))
        let image = RuntimeWeights.image(model.design, graph: estimate.graph)
        do {
            // Atomic: a temporary file beside the target, renamed into place once complete.
            try Data(WeightFile.encode(image)).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw Diagnostic(file: output, message: "cannot write: \(error.localizedDescription)")
        }
        print("wrote \(output): \(image.words.count) words for signature 0x\(WeightFile.hex(image.signature)) (\(model.design.layers.count) MVAU stages)")
    }
}
