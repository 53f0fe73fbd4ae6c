import BNNCommandLine
import BNNCompiler
import Foundation

/// A seeded mutation fuzzer over everything a user hands bnn-hls: model files (loader, compiler,
/// reference vs simulator on a random input, project emitter) and .npy files (reader, input and
/// label checks). A trap kills the process, so surviving is the first check; besides, every
/// rejection must be one line naming the file with "error:", and every design the compiler accepts
/// must simulate exactly like the reference.
public enum FuzzLoop {
    public struct Options: Sendable {
        /// Limits small enough that every execution stays fast.
        public var maxTensorElements = 1 << 16
        public var maxWeightBits = 1 << 20
        /// Written before every execution, so after a crash it holds the input that did it.
        public var lastInputPath: String?
        /// Progress is reported every this many executions.
        public var progressEvery = 1000
        public var slowSeconds = 2.0
        /// At most this many findings of each kind keep their input.
        public var keepFindings = 20

        public init() {}
    }

    /// Model files under `root` worth mutating: the corpus's valid bases, the examples, and the
    /// spec's worked examples beside the repository, where present.
    public static func defaultSeedFiles(repository root: String) -> [String] {
        let fm = FileManager.default
        var files = ["Tests/Corpus/valid_mlp.json", "Tests/Corpus/valid_cnn.json",
                     "Examples/digits_mlp/model.json", "Examples/digits_mlp/model_argmax.json",
                     "Examples/digits_cnn/model.json", "Examples/digits_cnn/model_argmax.json"].map { root + "/" + $0 }
        let spec = URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/spec/examples").path
        for name in ((try? fm.contentsOfDirectory(atPath: spec)) ?? []).sorted() where name.hasSuffix(".json") {
            files.append(spec + "/" + name)
        }
        return files.filter { fm.fileExists(atPath: $0) }
    }

    public static func run(seeds: [[UInt8]], iterations: Int, seed: UInt64, options: Options = Options(),
                           progress: ((FuzzReport) -> Void)? = nil) -> FuzzReport {
        var state = FuzzState(seeds: seeds, seed: seed, options: options)
        let start = Date()
        for iteration in 0..<iterations {
            state.step(iteration)
            if (iteration + 1) % max(options.progressEvery, 1) == 0 {
                state.report.seconds = Date().timeIntervalSince(start)
                progress?(state.report)
            }
        }
        state.finish()
        state.report.seconds = Date().timeIntervalSince(start)
        return state.report
    }

    /// Runs one model file through every stage, as the fuzzer does (for replaying a finding), with
    /// `frames` random inputs for the reference/simulator comparison.
    public static func replay(model bytes: [UInt8], frames: Int = 32, options: Options = Options()) -> FuzzReport {
        var state = FuzzState(seeds: [], seed: 0, options: options)
        state.runModel(bytes, iteration: 0, folding: FoldingRequest(), frames: frames)
        state.report.executions = 1
        state.finish()
        return state.report
    }
}
