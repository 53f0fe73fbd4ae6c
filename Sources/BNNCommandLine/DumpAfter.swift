import BNNCompiler
import BNNDesign
import BNNEstimate
import BNNModel

/// `--dump-after STAGE` on compile and estimate: prints the form a compiler stage produced, as
/// JSON, and stops (nothing is written).
enum DumpAfter: String, CaseIterable {
    /// The folding pass's answer: PE and SIMD per layer (folding.json's form).
    case folding
    /// The dataflow graph: hardware stages, their streams and FIFO depths.
    case dataflow

    /// The stage `--dump-after` names, if given.
    static func requested(_ args: Arguments) throws -> DumpAfter? {
        guard let name = try args.value("--dump-after") else { return nil }
        guard let stage = DumpAfter(rawValue: name) else {
            throw UsageError(message: "--dump-after expects one of \(allCases.map(\.rawValue).joined(separator: ", ")), got \(JSONText.quoted(name))")
        }
        return stage
    }

    func json(_ model: CompiledModel, _ estimate: DesignEstimate) -> String {
        switch self {
        case .folding: return FoldingRequest.json(model.design)
        case .dataflow: return estimate.graph.json()
        }
    }
}
