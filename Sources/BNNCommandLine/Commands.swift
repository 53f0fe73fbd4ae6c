import BNNCompiler
import BNNDesign
import BNNEmit
import BNNEstimate
import BNNModel
import BNNReference
import BNNSimulator
import Foundation

/// The model, loaded and compiled with the options every command shares.
struct CompiledModel {
    var network: Network
    var design: Design
    /// Set when `--target-fps` or `--budget` had the optimizer choose the folding.
    var optimization: OptimizationResult?

    init(_ args: Arguments) throws {
        let loader = ModelLoader(limits: try args.loadLimits())
        network = try loader.load(path: args.modelFile)
        let folding = try FoldOption.parse(args.options["--fold"] ?? [])
        let maxBits = try args.integer("--max-weight-bits", default: Pipeline.defaultMaxWeightBits, range: 1...(1 << 40))
        let stages = try Pipeline(file: args.modelFile, folding: folding, maxWeightBits: maxBits).run(network)
        design = stages.design
        if let result = try EstimateCommand.optimize(args, stages: stages, request: folding) {
            design = PackWeights.run(stages.integer, foldings: result.foldings)
            optimization = result
        }
    }
}

/// `bnn-hls compile model.json [-o hw] ...`: writes the Vitis HLS project.
enum CompileCommand {
    static let defaultVectors = 16

    static func run(_ args: Arguments, print: (String) -> Void) throws {
        let model = try CompiledModel(args)
        let output = try args.value("-o") ?? "hw"
        let batch: InputBatch
        if let inputs = try args.value("--inputs") {
            batch = try InputBatch.load(path: inputs, for: model.network)
        } else {
            let count = try args.integer("--vectors", default: defaultVectors, range: 1...1_000_000)
            let seed = try args.integer("--seed", default: 1, range: 0...Int.max)
            batch = InputBatch.random(count: count, for: model.network, seed: UInt64(seed))
        }
        let verifier = Verifier(network: model.network, design: model.design)
        let vectors = try verifier.testVectors(batch)
        let part = try args.value("--part") ?? EmitOptions.defaultPart
        // The part reaches run_hls.tcl and hls_config.cfg, which must hold no user text but names.
        guard !part.isEmpty, part.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }) else {
            throw UsageError(message: "--part expects a part name of letters, digits, '-', '_' and '.' (e.g. xc7z020clg400-1), got \(JSONText.quoted(part))")
        }
        let options = EmitOptions(modelFile: args.modelFile, part: part,
                                  clockNs: try args.double("--clock-ns", default: EmitOptions.defaultClockNs),
                                  optimization: model.optimization?.summary)
        let files = try ProjectEmitter.emit(model.design, vectors: vectors, options: options)
        try OutputWriter.write(files, to: output, force: args.flags.contains("--force"))
        print("wrote \(files.count) files to \(output)/ (\(model.design.layers.count) MVAU stages, \(batch.count) test vectors)")
        for stage in model.design.layers {
            let pixels = stage.pixels > 1 ? " x \(stage.pixels) pixels" : ""
            print("  \(stage.label): \(stage.inputs) -> \(stage.outputs)\(pixels), \(stage.folding), \(stage.neuronFold * stage.synapseFold * stage.pixels) cycles/frame")
        }
        print(EstimateCommand.headline(model.optimization?.estimate ?? DesignEstimate(design: model.design, clockNs: options.clockNs),
                                       optimization: model.optimization) + " (\(output)/report.md)")
    }
}

/// `bnn-hls simulate model.json --inputs x.npy [--labels y.npy] [--output out.npy]`.
enum SimulateCommand {
    static func run(_ args: Arguments, print: (String) -> Void) throws {
        guard let inputs = try args.value("--inputs") else { throw UsageError(message: "simulate needs --inputs x.npy") }
        let model = try CompiledModel(args)
        let batch = try InputBatch.load(path: inputs, for: model.network)
        let labels = try args.value("--labels").map { path throws(Diagnostic) in
            try InputBatch.loadLabels(path: path, count: batch.count, classes: model.design.classCount)
        }
        let threads = try args.integer("--threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let result = Simulator(design: model.design).run(batch.values, count: batch.count, threads: threads)
        let predictions = result.predictions
        let names = model.network.labels
        print("\(batch.count) inputs simulated")
        for i in 0..<min(batch.count, 10) {
            let name = names.map { " (\($0[predictions[i]]))" } ?? ""
            print("  input \(i): class \(predictions[i])\(name)")
        }
        if batch.count > 10 { print("  ...") }
        if let labels {
            let correct = zip(predictions, labels).filter { $0 == $1 }.count
            let accuracy = batch.count == 0 ? 0 : Double(correct) / Double(batch.count)
            print("accuracy: \(correct)/\(batch.count) = \(String(format: "%.4f", accuracy))")
        }
        if let output = try args.value("--output") {
            let array: NpyArray
            if model.design.output.isArgmax {
                array = NpyArray(shape: [batch.count], int64s: predictions.map(Int64.init))
            } else {
                array = NpyArray(shape: [batch.count, model.design.classCount],
                                 doubles: (0..<batch.count).flatMap { result.logits($0) })
            }
            do {
                try Data(NpyWriter.write(array)).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw Diagnostic(file: output, message: "cannot write: \(error.localizedDescription)")
            }
            print("wrote \(output)")
        }
    }
}

/// `bnn-hls verify model.json [--inputs x.npy] [--random N]`: reference vs simulator.
enum VerifyCommand {
    static func run(_ args: Arguments, print: (String) -> Void) throws -> Bool {
        let model = try CompiledModel(args)
        var batches: [(String, InputBatch)] = []
        if let inputs = try args.value("--inputs") {
            batches.append((inputs, try InputBatch.load(path: inputs, for: model.network)))
        }
        let random = try args.integer("--random", default: batches.isEmpty ? 100 : 0, range: 0...100_000_000)
        if random > 0 {
            let seed = try args.integer("--seed", default: 1, range: 0...Int.max)
            batches.append(("\(random) random inputs (seed \(seed))", InputBatch.random(count: random, for: model.network, seed: UInt64(seed))))
        }
        let threads = try args.integer("--threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let verifier = Verifier(network: model.network, design: model.design)
        var allGood = true
        for (name, batch) in batches {
            let report = try verifier.run(batch, threads: threads)
            if report.failedInputs == 0 {
                print("\(name): reference and simulator agree on all \(report.checked) inputs (every hidden neuron, every class sum\(model.design.output.isArgmax ? "" : " and logit"), the prediction)")
            } else {
                allGood = false
                print("\(name): \(report.failedInputs) of \(report.checked) inputs differ; first mismatches:")
                for m in report.mismatches { print("  \(m)") }
            }
        }
        return allGood
    }
}
