import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNEmit
import BNNEstimate
import BNNModel

/// `bnn-hls estimate model.json [--fold F] [--target-fps N | --budget B] [-o DIR] [--dump-after STAGE]`: cycles,
/// resources, FIFO depths and latency of the design without writing a project; with a target
/// or a budget, the folding the optimizer chooses (as folding.json text `--fold` takes back).
enum EstimateCommand {
    static func run(_ args: Arguments, print: (String) -> Void) throws {
        let dump = try DumpAfter.requested(args)
        let model = try CompiledModel(args)
        let estimate = model.estimate(clockNs: try args.double("--clock-ns", default: EmitOptions.defaultClockNs))
        if let dump { return print(String(dump.json(model, estimate).dropLast())) }
        print(ReportMarkdown.render(estimate, optimization: model.optimization?.summary))
        if model.optimization != nil { print("folding.json (for --fold):\n" + FoldingRequest.json(model.design)) }
        guard let directory = try args.value("-o") else { return }
        let name = String(args.modelFile.split(separator: "/").last ?? "model.json")
        let files = ProjectEmitter.marked(analysisFiles(model, estimate),
                                          note: "Estimated by bnn-hls from \(SafeText.line(name)). `bnn-hls estimate -o` replaces this directory as a whole.")
        try OutputWriter.write(files, to: directory, force: args.flags.contains("--force"))
        print("wrote \(files.count) files to \(directory)/")
    }

    /// The files `compile` and `estimate -o` both write: the folding and the three reports.
    static func analysisFiles(_ model: CompiledModel, _ estimate: DesignEstimate) -> [GeneratedFile] {
        let summary = model.optimization?.summary
        return [
            GeneratedFile(path: "folding.json", text: FoldingRequest.json(model.design)),
            GeneratedFile(path: "report.json", text: ReportJSON.render(estimate, optimization: summary)),
            GeneratedFile(path: "report.md", text: ReportMarkdown.render(estimate, optimization: summary)),
            GeneratedFile(path: "report.svg", text: ReportSVG.render(estimate)),
        ]
    }

    /// One line for `compile`: the bottleneck, frame rate, latency and size.
    static func headline(_ e: DesignEstimate, optimization: OptimizationResult?) -> String {
        let names = e.bottleneckLayers.map { e.geometry.layers[$0].key }.joined(separator: ", ")
        let chosen = optimization.map { " Folding chosen for \($0.goal)" + ($0.budget.isUnlimited ? "" : " within \($0.budget)") + "." } ?? ""
        return "estimate: \(e.bottleneckCycles) cycles/frame (bottleneck \(names)), \(formatted(e.framesPerSecond)) frames/s at \(formatted(e.clockNs)) ns, "
            + "latency \(e.latencyCycles) cycles; about \(e.totals.luts) LUTs, \(e.totals.bram18) BRAM18.\(chosen)"
    }

    /// The optimizer, as the folding pass's strategy, when `--target-fps` or `--budget` asks
    /// for it; layers `--fold` names keep their folding.
    static func strategy(_ args: Arguments) throws -> OptimizingStrategy? {
        let target = try args.value("--target-fps")
        let budgetText = try args.value("--budget")
        guard target != nil || budgetText != nil else { return nil }
        let clock = try args.double("--clock-ns", default: EmitOptions.defaultClockNs)
        let fps = try target.map { _ throws(UsageError) in try args.double("--target-fps", default: 1) }
        var budget = ResourceBudget.unlimited
        if let budgetText {
            do {
                budget = try ResourceBudget.parse(budgetText)
            } catch {
                throw UsageError(message: error.message)
            }
        }
        return OptimizingStrategy(goal: fps.map { .framesPerSecond($0) } ?? .maximumThroughput, budget: budget, clockNs: clock)
    }

    private static func formatted(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e14 else { return "\(value)" }
        return value == value.rounded() ? String(Int64(value)) : String(Double(Int64(value * 10)) / 10)
    }
}
