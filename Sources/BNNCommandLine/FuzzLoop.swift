import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator
import Foundation

/// What a fuzzing pass did and found.
public struct FuzzReport: Sendable, CustomStringConvertible {
    /// One finding: the stage, what went wrong, and the input that did it.
    public struct Finding: Sendable, CustomStringConvertible {
        public var iteration: Int
        public var stage: String
        public var detail: String
        public var input: [UInt8]
        public var description: String { "#\(iteration) \(stage): \(detail)" }
    }

    public var executions = 0
    /// Model files tried, and how far they got.
    public var modelRuns = 0
    public var loaded = 0
    public var loadRejected = 0
    public var compiled = 0
    public var compileRejected = 0
    /// Compiled designs checked against the reference on a random input and emitted.
    public var verified = 0
    public var emitted = 0
    public var laterRejected = 0
    /// .npy files tried (inputs and labels for a model that loads).
    public var npyRuns = 0
    public var npyParsed = 0
    public var npyRejected = 0
    public var npyInputsAccepted = 0
    /// Rejections whose message is not one line naming the file with "error:" (each one a bug).
    public var badMessages: [Finding] = []
    /// Designs the reference and the simulator disagree on, or that the reference cannot evaluate
    /// although the compiler accepted them (each one a bug).
    public var mismatches: [Finding] = []
    /// Executions that took longer than `Options.slowSeconds`.
    public var slow: [Finding] = []
    /// Findings past the first 3000, counted but not kept.
    public var droppedFindings = 0
    /// How often each kind of rejection happened (message with numbers and quoted text elided).
    public var rejectionKinds: [String: Int] = [:]
    public var seconds = 0.0

    /// Accepted inputs, at any stage: models that loaded, and .npy files that parsed.
    public var accepted: Int { loaded + npyParsed }
    /// Rejected inputs, at any stage.
    public var rejected: Int { loadRejected + compileRejected + laterRejected + npyRejected }

    /// No bad message, no mismatch.
    public var isClean: Bool { badMessages.isEmpty && mismatches.isEmpty }

    public var description: String {
        var lines = [
            "\(executions) executions in \(String(format: "%.1f", seconds)) s" + (seconds > 0.1 ? " (\(String(format: "%.0f", Double(executions) / seconds)) / s)" : ""),
            "  models: \(modelRuns) tried, \(loadRejected) rejected by the loader, \(loaded) loaded; \(compileRejected) rejected by the compiler, \(compiled) compiled; \(verified) verified against the reference, \(emitted) emitted, \(laterRejected) rejected later",
            "  .npy: \(npyRuns) tried, \(npyParsed) parsed, \(npyInputsAccepted) accepted as inputs, \(npyRejected) rejections",
            "  bad messages: \(badMessages.count), mismatches: \(mismatches.count), slow: \(slow.count)\(droppedFindings > 0 ? " (and \(droppedFindings) more)" : "")",
        ]
        for list in [badMessages, mismatches, slow] {
            for finding in list.prefix(20) { lines.append("  " + finding.description) }
            if list.count > 20 { lines.append("  ... \(list.count - 20) more") }
        }
        return lines.joined(separator: "\n")
    }

    /// The most frequent rejection kinds, most frequent first.
    public func topRejections(_ count: Int) -> [(kind: String, count: Int)] {
        rejectionKinds.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count).map { ($0.key, $0.value) }
    }
}

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

// MARK: - The loop

struct FuzzState {
    var report = FuzzReport()
    var rng: SplitMix64
    let options: FuzzLoop.Options
    let loader: ModelLoader
    var seeds: [[UInt8]]
    /// Models that loaded, with valid .npy inputs for them: the seeds of .npy fuzzing.
    var npySeeds: [(network: Network, inputs: [UInt8], labels: [UInt8])] = []
    var generator: ModelGenerator
    let scratchFile: String

    static let modelFile = "fuzz.json"

    init(seeds: [[UInt8]], seed: UInt64, options: FuzzLoop.Options) {
        self.options = options
        self.seeds = seeds
        rng = SplitMix64(seed: seed)
        generator = ModelGenerator(seed: seed ^ 0x5EED)
        loader = ModelLoader(limits: LoadLimits(maxTensorElements: options.maxTensorElements))
        scratchFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("bnn-hls-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(seed).npy").path
        for bytes in seeds {
            guard let network = try? loader.load(bytes: bytes, file: Self.modelFile) else { continue }
            addNpySeed(network)
        }
    }

    mutating func finish() {
        try? FileManager.default.removeItem(atPath: scratchFile)
    }

    mutating func addNpySeed(_ network: Network) {
        guard npySeeds.count < 64 else { return }
        let shape = network.input.shape
        let frames = 1 + Int(rng.next() % 3)
        let batch = InputBatch.random(count: frames, for: network, seed: rng.next())
        let dims = rng.next() & 1 == 0 ? [frames, shape.count] : [frames, shape.height, shape.width, shape.channels]
        let array = network.input.encoding == .uint8
            ? NpyArray(shape: dims, uint8s: batch.values.map { UInt8(truncatingIfNeeded: $0) })
            : NpyArray(shape: dims, int8s: batch.values.map { Int8(truncatingIfNeeded: $0) })
        let classes = max(network.classCount, 1)
        let labels = NpyArray(shape: [frames], int64s: (0..<frames).map { _ in Int64(rng.next() % UInt64(classes)) })
        npySeeds.append((network, NpyWriter.write(array), NpyWriter.write(labels)))
    }

    mutating func step(_ iteration: Int) {
        report.executions += 1
        let roll = rng.next() % 100
        if roll < 22 || seeds.isEmpty {
            // A fresh random model: mostly valid, so the compiler and the simulator get exercised.
            var bytes = generator.model()
            if roll % 3 == 0 { bytes = mutated(bytes) }
            if seeds.count < 256 { seeds.append(bytes) } else { seeds[Int(rng.next() % UInt64(seeds.count))] = bytes }
            // Several inputs: a mismatch may live in one corner of the accumulator range.
            runModel(bytes, iteration: iteration, folding: rng.next() % 3 == 0 ? randomFolding() : FoldingRequest(), frames: 8)
        } else if roll < 82 || npySeeds.isEmpty {
            let base = seeds[Int(rng.next() % UInt64(seeds.count))]
            runModel(mutated(base), iteration: iteration, folding: rng.next() % 8 == 0 ? randomFolding() : FoldingRequest())
        } else {
            let seed = npySeeds[Int(rng.next() % UInt64(npySeeds.count))]
            var mutator = Mutator(rng: rng)
            let shape = seed.network.input.shape
            let bytes = mutator.mutateNpy(rng.next() % 3 == 0 ? seed.labels : seed.inputs, frame: [shape.height, shape.width, shape.channels])
            rng = mutator.rng
            runNpy(bytes, network: seed.network, iteration: iteration)
        }
    }

    mutating func mutated(_ bytes: [UInt8]) -> [UInt8] {
        var mutator = Mutator(rng: rng)
        let result = mutator.mutateModel(bytes, others: seeds)
        rng = mutator.rng
        return result
    }

    /// PE x SIMD for random layers: sometimes legal, often not.
    mutating func randomFolding() -> FoldingRequest {
        var request = FoldingRequest()
        let count = Int(rng.next() % 3)
        let choices = [1, 1, 2, 2, 3, 4, 8, 16, 0, -1, 64]
        for _ in 0..<count {
            let layer = Int(rng.next() % 8)
            let key = rng.next() & 1 == 0 ? "layers[\(layer)]" : String(layer)
            request.entries.append((key, Folding(pe: choices[Int(rng.next() % UInt64(choices.count))],
                                                 simd: choices[Int(rng.next() % UInt64(choices.count))])))
        }
        return request
    }

    // MARK: Model files

    mutating func runModel(_ bytes: [UInt8], iteration: Int, folding: FoldingRequest, frames: Int = 1) {
        report.modelRuns += 1
        saveLastInput(bytes)
        let started = Date()
        defer { noteIfSlow(started, iteration: iteration, stage: "model", input: bytes) }
        let file = Self.modelFile
        let network: Network
        do {
            network = try loader.load(bytes: bytes, file: file)
        } catch {
            report.loadRejected += 1
            check(error.description, stage: "load", files: [file], iteration: iteration, input: bytes)
            return
        }
        report.loaded += 1
        if rng.next() % 8 == 0 { addNpySeed(network) }
        let design: Design
        do {
            design = try Pipeline(file: file, folding: folding, maxWeightBits: options.maxWeightBits).compile(network)
        } catch {
            report.compileRejected += 1
            check(error.description, stage: "compile", files: [file, folding.source], iteration: iteration, input: bytes)
            // Version 2 runs only in the reference for now: it must not trap there either
            // (a fixed seed, so the fuzzer's own sequence does not change).
            if network.version >= 2 {
                let batch = InputBatch.random(count: 1, for: network, seed: UInt64(iteration))
                _ = try? ReferenceNetwork(network).evaluate(batch.frame(0))
            }
            return
        }
        report.compiled += 1
        verifyAndEmit(network, design, iteration: iteration, input: bytes, frames: InputBatch.random(count: frames, for: network, seed: rng.next()))
    }

    /// Reference vs simulator on `batch`, then the project files, as `compile` makes them.
    mutating func verifyAndEmit(_ network: Network, _ design: Design, iteration: Int, input: [UInt8], frames batch: InputBatch) {
        let verifier = Verifier(network: network, design: design)
        do {
            let result = try verifier.run(batch, threads: 1, keep: 3)
            report.verified += 1
            if result.failedInputs > 0 {
                record(.mismatch, iteration, "verify", result.mismatches.map(\.description).joined(separator: "; "), input)
            }
        } catch {
            record(.mismatch, iteration, "reference", "the compiler accepted a network the reference refuses: \(error)", input)
            return
        }
        do {
            let vectors = try verifier.testVectors(batch)
            _ = try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: Self.modelFile))
            report.emitted += 1
        } catch {
            report.laterRejected += 1
            // As `bnn-hls` prints errors that are not diagnostics.
            check(commandLineMessage(error), stage: "emit", files: ["bnn-hls"], iteration: iteration, input: input)
        }
    }

    // MARK: .npy files

    mutating func runNpy(_ bytes: [UInt8], network: Network, iteration: Int) {
        report.npyRuns += 1
        saveLastInput(bytes)
        let started = Date()
        defer { noteIfSlow(started, iteration: iteration, stage: "npy", input: bytes) }
        do {
            _ = try NpyReader.read(bytes)
            report.npyParsed += 1
        } catch {
            report.npyRejected += 1
            check(Diagnostic(file: "x.npy", message: error.message).description, stage: "npy", files: ["x.npy"],
                  iteration: iteration, input: bytes)
        }
        // The real checks read a file: give them one.
        guard (try? Data(bytes).write(to: URL(fileURLWithPath: scratchFile))) != nil else { return }
        do {
            let batch = try InputBatch.load(path: scratchFile, for: network)
            report.npyInputsAccepted += 1
            if batch.count > 0, let design = try? Pipeline(file: Self.modelFile, maxWeightBits: options.maxWeightBits).compile(network) {
                let frames = min(batch.count, 4)
                let first = InputBatch(count: frames, elements: batch.elements, values: Array(batch.values.prefix(frames * batch.elements)))
                verifyAndEmit(network, design, iteration: iteration, input: bytes, frames: first)
            }
        } catch {
            report.npyRejected += 1
            check(error.description, stage: "inputs", files: [scratchFile], iteration: iteration, input: bytes)
        }
        do {
            _ = try InputBatch.loadLabels(path: scratchFile, count: Int(rng.next() % 4), classes: max(network.classCount, 1))
        } catch {
            check(error.description, stage: "labels", files: [scratchFile], iteration: iteration, input: bytes)
        }
    }

    // MARK: Checks

    /// A rejection as the user sees it: one line, starting with the file it is about, with "error:".
    mutating func check(_ message: String, stage: String, files: [String], iteration: Int, input: [UInt8]) {
        var problems: [String] = []
        if message.contains(where: \.isNewline) { problems.append("spans several lines") }
        if !message.contains("error:") { problems.append("has no \"error:\"") }
        if !files.contains(where: { message.hasPrefix($0 + ":") }) { problems.append("does not start with the file (\(files.joined(separator: " or ")))") }
        if !problems.isEmpty {
            record(.badMessage, iteration, stage, "message \(problems.joined(separator: ", ")): \(message.debugDescription)", input)
        }
        report.rejectionKinds["\(stage): \(Self.kind(of: message))", default: 0] += 1
    }

    /// The message with its file, numbers and quoted text elided, to count rejections by kind.
    static func kind(of message: String) -> String {
        let body = message.range(of: "error: ").map { String(message[$0.upperBound...]) } ?? message
        var out = ""
        var inQuote = false
        var lastWasDigit = false
        for ch in body.prefix(90) {
            if ch == "\"" { inQuote.toggle(); if inQuote { out += "\"…\"" }; continue }
            if inQuote { continue }
            if ch.isNumber { if !lastWasDigit { out += "#" }; lastWasDigit = true; continue }
            lastWasDigit = false
            out.append(ch)
        }
        return out
    }

    enum FindingKind { case badMessage, mismatch, slow }

    mutating func record(_ kind: FindingKind, _ iteration: Int, _ stage: String, _ detail: String, _ input: [UInt8]) {
        func finding(keeping count: Int) -> FuzzReport.Finding {
            FuzzReport.Finding(iteration: iteration, stage: stage, detail: String(detail.prefix(600)),
                               input: count < options.keepFindings ? input : [])
        }
        guard report.badMessages.count + report.mismatches.count + report.slow.count < 3000 else {
            report.droppedFindings += 1
            return
        }
        switch kind {
        case .badMessage: report.badMessages.append(finding(keeping: report.badMessages.count))
        case .mismatch: report.mismatches.append(finding(keeping: report.mismatches.count))
        case .slow: report.slow.append(finding(keeping: report.slow.count))
        }
    }

    mutating func noteIfSlow(_ started: Date, iteration: Int, stage: String, input: [UInt8]) {
        let seconds = Date().timeIntervalSince(started)
        if seconds > options.slowSeconds, report.slow.count < 100 {
            record(.slow, iteration, stage, "took \(String(format: "%.1f", seconds)) s", input)
        }
    }

    func saveLastInput(_ bytes: [UInt8]) {
        guard let path = options.lastInputPath else { return }
        // Not atomic: a plain overwrite is much cheaper, and the process only dies on a trap.
        try? Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// How `bnn-hls` prints an error that is not a `Diagnostic` or a usage error.
func commandLineMessage(_ error: Error) -> String {
    if let diagnostic = error as? Diagnostic { return diagnostic.description }
    return "bnn-hls: error: \(error)"
}

// MARK: - Mutations

/// A JSON document as text pieces, so mutations can write anything (1e400, duplicate keys).
indirect enum FuzzJSON {
    case raw(String)
    case string(String)
    case array([FuzzJSON])
    case object([(String, FuzzJSON)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .raw("null")
        case .bool(let b): self = .raw(b ? "true" : "false")
        case .number(let n): self = .raw(n.text)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(FuzzJSON.init))
        case .object(let object): self = .object(object.entries.map { ($0.key, FuzzJSON($0.value)) })
        }
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .raw(let text): out += Array(text.utf8)
        case .string(let text): FuzzJSON.writeString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out += Array(", ".utf8) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out += Array(", ".utf8) }
                FuzzJSON.writeString(member.0, to: &out)
                out += Array(": ".utf8)
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                out += Array(("\\u00" + (hex.count < 2 ? "0" : "") + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    var children: Int {
        switch self {
        case .array(let items): return items.count
        case .object(let members): return members.count
        default: return 0
        }
    }

    /// Every subtree, breadth first, up to `limit`: material to splice in elsewhere.
    func subtrees(limit: Int) -> [FuzzJSON] {
        var result: [FuzzJSON] = [self]
        var index = 0
        while index < result.count, result.count < limit {
            switch result[index] {
            case .array(let items): result += items.prefix(limit - result.count)
            case .object(let members): result += members.prefix(limit - result.count).map(\.1)
            default: break
            }
            index += 1
        }
        return result
    }

    /// If this is a nested array of numbers: its shape and values.
    var numericTensor: (shape: [Int], values: [Double])? {
        var shape: [Int] = []
        var probe = self
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { return nil }
            probe = first
        }
        guard !shape.isEmpty else { return nil }
        var values: [Double] = []
        func collect(_ node: FuzzJSON, _ depth: Int) -> Bool {
            if depth == shape.count {
                guard case .raw(let text) = node, let value = Double(text) else { return false }
                values.append(value)
                return true
            }
            guard case .array(let items) = node, items.count == shape[depth] else { return false }
            return items.allSatisfy { collect($0, depth + 1) }
        }
        return collect(self, 0) ? (shape, values) : nil
    }
}

struct Mutator {
    var rng: SplitMix64

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let extremeNumbers = [
        "0", "-0", "-0.0", "1", "-1", "2", "3", "3.0", "7", "16", "64", "65536", "65537", "16777216", "16777217",
        "134217728", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "1000000000000", "1e308", "-1e308", "1.7976931348623157e308", "1e400", "-1e400",
        "4e-324", "5e-324", "1e-320", "2.2250738585072014e-308", "1e-300", "0.5", "1e-05", "1E5", "0.1",
        "123456789012345678901234567890", "0.30000000000000004", "NaN", "Infinity", "-Infinity", "1.5", "255", "256", "-128", "-129",
    ]

    static let tokens = [
        "dense", "conv2d", "maxpool2d", "batchnorm", "sign", "flatten", "bipolar", "uint8", "int8", "float32", "float64",
        "CHW", "HWC", "logits", "argmax", "bnn-hls-model", "NaN", "Infinity", "", "fc1", "layers[0]", "a\nb", "\u{2028}",
        "class", "x-y", "é", "AAAA", "////", "=",
    ]

    static let keys = [
        "type", "name", "units", "weight", "bias", "alpha", "filters", "kernel", "stride", "padding", "pad_value", "pool",
        "gamma", "beta", "mean", "var", "eps", "offset", "order", "shape", "dtype", "base64", "encoding", "scale",
        "zero_point", "format", "version", "input", "layers", "output", "labels", "mode", "gama", "", "a\"b", "x\ny", "\u{2028}",
    ]

    static let layerTemplates: [String] = [
        #"{"type": "sign"}"#, #"{"type": "sign", "offset": 0.5}"#, #"{"type": "flatten", "order": "CHW"}"#,
        #"{"type": "flatten", "order": "HWC"}"#, #"{"type": "maxpool2d", "pool": 2}"#, #"{"type": "maxpool2d", "pool": [1, 2], "stride": 1}"#,
        #"{"type": "batchnorm", "gamma": 1, "beta": 0, "mean": 0, "var": 1}"#,
        #"{"type": "batchnorm", "gamma": -1, "beta": 0.5, "mean": 2, "var": 0, "eps": 0.001}"#,
        #"{"type": "dense", "units": 2, "weight": 1}"#, #"{"type": "conv2d", "filters": 1, "kernel": 1, "weight": [[[[1]]]]}"#,
    ]

    // MARK: Model text

    mutating func mutateModel(_ input: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var data = input
        let rounds = 1 + below(3)
        for _ in 0..<rounds {
            switch below(20) {
            case 0..<9: data = treeMutation(data) ?? byteMutation(data, others: others)
            case 9..<12: data = numberMutation(data)
            case 12..<14: data = base64Mutation(data)
            default: data = byteMutation(data, others: others)
            }
        }
        if data.count > 1 << 21 { data = Array(data.prefix(1 << 21)) }
        return data
    }

    static let interestingBytes: [UInt8] = Array("\"{}[],:-.0123456789eE+\\ /\n'tfn".utf8) + [0x00, 0x7F, 0x80, 0xC0, 0xEF, 0xFE, 0xFF, 0xED]
    static let insertions: [String] = [
        "\"", ",", "[", "]", "{", "}", ":", "-", "1e400", "NaN", "\\u0000", "\\ud800", "\"\\", ",,", "[[[[", "]]]]",
        "//", "/*", "\u{FEFF}", "null", "true", "0.", ".5", "+1", "01", "1e", "\"x\": 1,", "\\", "\t", "\r\n",
    ]

    mutating func byteMutation(_ input: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var data = input
        if data.isEmpty { return Array(pick(Self.insertions).utf8) }
        let at = below(data.count)
        switch below(9) {
        case 0: data[at] ^= 1 << UInt8(below(8))
        case 1: data[at] = pick(Self.interestingBytes)
        case 2: data.insert(contentsOf: Array(pick(Self.insertions).utf8), at: below(data.count + 1))
        case 3: data.removeSubrange(at..<min(data.count, at + 1 + below(16)))
        case 4: data.removeSubrange(at..<min(data.count, at + 1 + below(max(data.count / 4, 1))))
        case 5:
            // Duplicate a range in place.
            let end = min(data.count, at + 1 + below(64))
            data.insert(contentsOf: Array(data[at..<end]), at: end)
        case 6:
            // Splice: our head, another seed's tail.
            let other = others.isEmpty ? data : pick(others)
            guard !other.isEmpty else { break }
            data = Array(data[..<at]) + Array(other[below(other.count)...])
        case 7: data = Array(data.prefix(at))
        default:
            for _ in 0..<(1 + below(8)) where !data.isEmpty { data[below(data.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        return data
    }

    /// Replaces one number token in the text with an extreme or a nearby value.
    mutating func numberMutation(_ input: [UInt8]) -> [UInt8] {
        var spans: [Range<Int>] = []
        var i = 0
        while i < input.count {
            let byte = input[i]
            let starts = (byte >= 0x30 && byte <= 0x39) || (byte == UInt8(ascii: "-") && i + 1 < input.count && input[i + 1] >= 0x30 && input[i + 1] <= 0x39)
            let prev = i > 0 ? input[i - 1] : 0x20
            let afterWord = (prev >= 0x41 && prev <= 0x5A) || (prev >= 0x61 && prev <= 0x7A) || (prev >= 0x30 && prev <= 0x39) || prev == UInt8(ascii: "_") || prev == UInt8(ascii: ".")
            if starts && !afterWord {
                var j = i + 1
                while j < input.count, "0123456789.eE+-".utf8.contains(input[j]) { j += 1 }
                spans.append(i..<j)
                i = j
            } else {
                i += 1
            }
            if spans.count > 4096 { break }
        }
        guard !spans.isEmpty else { return input }
        let span = pick(spans)
        let old = String(decoding: input[span], as: UTF8.self)
        let replacement: String
        switch below(4) {
        case 0, 1: replacement = pick(Self.extremeNumbers)
        case 2: replacement = Int(old).map { String($0 &+ pick([-1, 1, -2, 2, 1 << 20])) } ?? "\(-(Double(old) ?? 1))"
        default: replacement = String(below(10) - 1)
        }
        var data = input
        data.replaceSubrange(span, with: Array(replacement.utf8))
        return data
    }

    /// Changes the text of a `"base64": "..."` string.
    mutating func base64Mutation(_ input: [UInt8]) -> [UInt8] {
        let marker = Array("\"base64\": \"".utf8)
        var starts: [Int] = []
        var i = 0
        while i + marker.count <= input.count, starts.count < 256 {
            if input[i] == marker[0], Array(input[i..<(i + marker.count)]) == marker { starts.append(i + marker.count) }
            i += 1
        }
        guard !starts.isEmpty else { return numberMutation(input) }
        let start = pick(starts)
        var end = start
        while end < input.count, input[end] != UInt8(ascii: "\"") { end += 1 }
        var text = Array(input[start..<end])
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        switch below(7) {
        case 0: text = Array(text.dropLast(1 + below(4)))
        case 1: text += Array(repeating: pick(alphabet), count: 1 + below(4))
        case 2: if !text.isEmpty { text[below(text.count)] = pick(alphabet) }
        case 3: if !text.isEmpty { text[below(text.count)] = pick(Array("=-_ !.\n".utf8)) }
        case 4: text = text.filter { $0 != UInt8(ascii: "=") }
        case 5: text += Array("=".utf8)
        default: text = Array(repeating: UInt8(ascii: "/"), count: text.count)  // all bits set: padding bits too
        }
        var data = input
        data.replaceSubrange(start..<end, with: text)
        return data
    }

    // MARK: Structure

    mutating func treeMutation(_ input: [UInt8]) -> [UInt8]? {
        guard let value = try? JSONParser.parse(input) else { return nil }
        var tree = FuzzJSON(value)
        let pool = tree.subtrees(limit: 400)
        mutateSomewhere(&tree, pool: pool, depth: 0)
        return tree.bytes
    }

    mutating func mutateSomewhere(_ node: inout FuzzJSON, pool: [FuzzJSON], depth: Int) {
        // The root always stays an object (a replaced root says nothing new); shallow levels are
        // passed through more often, since most of a model lives deeper.
        let stopHere = node.children == 0 || depth > 40 || (depth > 0 && below(depth < 2 ? 6 : 4) == 0)
        if !stopHere {
            switch node {
            case .array(var items):
                let i = below(items.count)
                node = .raw("null")  // drop the reference so `items` is mutated in place
                mutateSomewhere(&items[i], pool: pool, depth: depth + 1)
                node = .array(items)
            case .object(var members):
                // At the top, mostly the layers: that is where most of the checks are.
                let layers = depth == 0 ? members.firstIndex { $0.0 == "layers" } : nil
                let i = layers.flatMap { below(10) < 7 ? $0 : nil } ?? below(members.count)
                node = .raw("null")
                mutateSomewhere(&members[i].1, pool: pool, depth: depth + 1)
                node = .object(members)
            default: break
            }
            return
        }
        mutateHere(&node, pool: pool)
    }

    mutating func randomScalar() -> FuzzJSON {
        switch below(6) {
        case 0: return .raw(pick(Self.extremeNumbers.filter { !["NaN", "Infinity", "-Infinity"].contains($0) }))
        case 1: return .string(pick(Self.tokens))
        case 2: return .raw(pick(["null", "true", "false"]))
        case 3: return .array([])
        case 4: return .object([])
        default: return .raw(String(below(9)))
        }
    }

    mutating func mutateHere(_ node: inout FuzzJSON, pool: [FuzzJSON]) {
        if below(8) == 0 { node = randomScalar(); return }
        if below(10) == 0, !pool.isEmpty { node = pick(pool); return }
        switch node {
        case .raw(let text):
            if Double(text) != nil {
                node = .raw(below(3) == 0 ? String(below(10) - 1) : pick(Self.extremeNumbers))
            } else {
                node = randomScalar()
            }
        case .string(let text):
            switch below(4) {
            case 0: node = .string(text + pick(["x", "\n", "\"", "\u{0}", "é"]))
            case 1: node = .string(String(text.dropLast()))
            default: node = .string(pick(Self.tokens))
            }
        case .array(var items):
            if let tensor = node.numericTensor, below(4) == 0 {
                node = base64Tensor(shape: tensor.shape, values: tensor.values)
                return
            }
            switch below(8) {
            case 0: if !items.isEmpty { items.remove(at: below(items.count)) }
            case 1: if !items.isEmpty { let i = below(items.count); items.insert(items[i], at: i) }
            case 2: if items.count > 1 { items.swapAt(below(items.count), below(items.count)) }
            case 3: items = Array(items.prefix(below(items.count + 1)))
            case 4: items.insert(pool.isEmpty ? randomScalar() : pick(pool), at: below(items.count + 1))
            case 5:
                // A layer from the templates, anywhere in the list.
                if let value = try? JSONParser.parse(Array(pick(Self.layerTemplates).utf8)) {
                    items.insert(FuzzJSON(value), at: below(items.count + 1))
                }
            case 6: node = .array([.array(items)]); return
            default: if let first = items.first { node = first; return }
            }
            node = .array(items)
        case .object(var members):
            switch below(7) {
            case 0: if !members.isEmpty { members.remove(at: below(members.count)) }
            case 1: if !members.isEmpty { members.append(members[below(members.count)]) }  // duplicate key
            case 2:
                if !members.isEmpty {
                    let i = below(members.count)
                    var key = members[i].0
                    switch below(3) {
                    case 0: if !key.isEmpty { key.remove(at: key.index(key.startIndex, offsetBy: below(key.count))) }
                    case 1: key = key.uppercased()
                    default: key = pick(Self.keys)
                    }
                    members[i].0 = key
                }
            case 3: members.append((pick(Self.keys), pool.isEmpty ? randomScalar() : pick(pool)))
            case 4:
                if let i = members.indices.randomElement(using: &rng), case .object(let inner) = members[i].1, inner.contains(where: { $0.0 == "base64" }) {
                    members[i].1 = mutateBase64Object(inner)
                } else if !members.isEmpty {
                    members.shuffle(using: &rng)
                }
            case 5:
                // A tensor object with its shape changed.
                if let i = members.firstIndex(where: { $0.0 == "shape" }), case .array(var dims) = members[i].1, !dims.isEmpty {
                    let d = below(dims.count)
                    if case .raw(let text) = dims[d], let n = Int(text) { dims[d] = .raw(String(n + pick([-1, 1, 2, 1000000]))) }
                    if below(3) == 0 { dims.append(.raw("1")) }
                    members[i].1 = .array(dims)
                } else if !members.isEmpty {
                    members[below(members.count)].1 = randomScalar()
                }
            default:
                if !members.isEmpty { members[below(members.count)].1 = pool.isEmpty ? randomScalar() : pick(pool) }
            }
            node = .object(members)
        }
    }

    mutating func mutateBase64Object(_ members: [(String, FuzzJSON)]) -> FuzzJSON {
        var members = members
        for i in members.indices {
            switch members[i].0 {
            case "dtype" where below(2) == 0: members[i].1 = .string(pick(["float32", "float64", "int8", "bipolar", "float16", "uint8"]))
            case "base64" where below(2) == 0:
                if case .string(let text) = members[i].1 { members[i].1 = .string(String(text.dropLast(below(6)))) }
            default: break
            }
        }
        return .object(members)
    }

    /// The same values as a `{shape, dtype, base64}` tensor, in a random dtype (sometimes lossy,
    /// sometimes with a wrong length).
    mutating func base64Tensor(shape: [Int], values: [Double]) -> FuzzJSON {
        let dtype = pick(["float32", "float64", "int8", "bipolar"])
        var bytes: [UInt8] = []
        switch dtype {
        case "float32": for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 } }
        case "float64": for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        case "int8": bytes = values.map { UInt8(bitPattern: Int8(clamping: Int(max(min($0, 127), -128)))) }
        default:
            bytes = [UInt8](repeating: 0, count: (values.count + 7) / 8)
            for (i, v) in values.enumerated() where v >= 0 { bytes[i / 8] |= 1 << UInt8(i % 8) }
        }
        if below(8) == 0 { bytes.append(0) }
        return .object([("shape", .array(shape.map { .raw(String($0)) })), ("dtype", .string(dtype)),
                        ("base64", .string(Data(bytes).base64EncodedString()))])
    }

    // MARK: .npy

    static let descrs = ["|u1", "|i1", "<i2", ">i2", "<u2", "<i4", "<i8", "<u8", "<f4", "<f8", "|b1", "<U4", "|O", "<c16", "x", "", "'", "|V8", ">u1", "=i1", "<f2"]

    /// `frame`: the model's input shape [H, W, C], so rewritten headers often still fit it.
    mutating func mutateNpy(_ input: [UInt8], frame: [Int]) -> [UInt8] {
        var data = input
        for _ in 0..<(below(3) == 0 ? 2 : 1) {
            switch below(10) {
            case 0..<4: data = rewriteHeader(data, frame: frame)
            case 4:
                // The header length field or the version.
                if data.count > 9 { data[6 + below(4)] = pick([0, 1, 2, 3, 4, 0xFF, data[8] &+ 1, data[8] &- 1]) }
            case 5: data = Array(data.prefix(below(data.count + 1)))
            case 6: data += Array(repeating: UInt8(truncatingIfNeeded: rng.next()), count: 1 + below(9))
            default:
                // Bytes anywhere, mostly in the header and the first data bytes.
                guard !data.isEmpty else { break }
                let at = below(min(data.count, 200))
                switch below(3) {
                case 0: data[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: data[at] = pick(Array("(),:'{} 0123456789-LTrueFalse\n".utf8) + [0, 0xFF])
                default: if data.count > 128 { data[128 + below(data.count - 128)] = pick([0, 1, 0xFF, 2, 0x80]) }
                }
            }
        }
        return data
    }

    /// The header rebuilt with another dtype, order or shape, over the same data.
    mutating func rewriteHeader(_ input: [UInt8], frame: [Int]) -> [UInt8] {
        guard input.count >= 10, input[6] == 1 else { return input }
        let length = Int(input[8]) | Int(input[9]) << 8
        guard 10 + length <= input.count else { return input }
        var data = Array(input[(10 + length)...])
        let descr = below(3) == 0 ? pick(Self.descrs) : (below(2) == 0 ? "|u1" : "|i1")
        let itemSize = Int(String(descr.last ?? "1")) ?? 1
        let perFrame = max(frame.reduce(1, *), 1)
        // Mostly whole frames of the model's shape, so the input checks get past the header.
        let frames = max(data.count / (perFrame * itemSize), below(3))
        if below(2) == 0 { data = Array(data.prefix(frames * perFrame * itemSize)) }
        let n = Int(max(1, below(6)))
        let dims = frame.map(String.init).joined(separator: ", ")
        let shapes = ["()", "(\(n),)", "(\(frames), \(perFrame))", "(\(frames), \(dims))", "(\(frames), \(dims))", "(\(frames), \(perFrame))",
                      "(0, \(perFrame))", "(\(frames), \(perFrame + 1))", "(-1, \(perFrame))", "(4611686018427387904, 4)",
                      "(99999999999999999999,)", "(\(data.count),)", "(\(frames),)", "(1, 2, 3, 4, 5)", "(\(frames)L, \(perFrame))", "(,)"]
        let order = below(6) == 0 ? "True" : "False"
        var header = "{'descr': '\(descr)', 'fortran_order': \(order), 'shape': \(pick(shapes)), }"
        switch below(8) {
        case 0: header = header.replacingOccurrences(of: "'fortran_order': \(order), ", with: "")
        case 1: header = String(header.dropLast()) + "'extra': (), }"
        case 2: header = header.replacingOccurrences(of: "'", with: "\"")
        default: break
        }
        var bytes = Array(header.utf8)
        let pad = (64 - (10 + bytes.count + 1) % 64) % 64
        bytes += Array(repeating: 0x20, count: pad) + [0x0A]
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)]
        out += bytes + data
        return out
    }
}

// MARK: - Random models

/// Random models in the file format: every arrangement the compiler supports, odd sizes and
/// geometry, every tensor encoding, and values that stress float64 (zero, tiny, huge, negative).
struct ModelGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// A float64 that is usually ordinary and sometimes an edge case.
    mutating func real(positive: Bool = false) -> Double {
        var value: Double
        if chance(6) {
            let edges: [Double] = [0, -0.0, 1e-300, 5e-324, 2.2250738585072014e-308, 1e300, 1e308, .greatestFiniteMagnitude,
                                   1e15, 9007199254740993, 0.1, 1.0 / 3, 1e-8, 123456.789, 1e154, 1e-154, 2.5, 0.5]
            value = edges[below(edges.count)]
            if !positive, chance(50) { value = -value }
        } else {
            value = (Double(below(40_001)) - 20_000) / 10_000 * 2
            if positive { value = abs(value) }
        }
        return value
    }

    /// Swift's shortest round-trip form (`1.0`, `-0.0`, `1e-05`, `1e+300`) is valid JSON.
    func literal(_ value: Double) -> String { "\(value)" }

    /// A tensor of `shape`: a nested array (or a lone number for a vector), or base64 in any dtype.
    mutating func tensor(_ shape: [Int], _ value: (inout ModelGenerator) -> Double) -> String {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ in value(&self) }
        if shape.count == 1, chance(10) { return literal(values.first ?? 0) }
        if chance(35) {
            let dtype = ["float32", "float64", "int8", "bipolar"][below(4)]
            var bytes: [UInt8] = []
            switch dtype {
            case "float32":
                if values.contains(where: { !Float($0).isFinite }) { return nested(shape, values) }
                for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 } }
            case "float64": for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
            case "int8": bytes = values.map { UInt8(bitPattern: Int8(clamping: Int(max(min($0.rounded(), 127), -128)))) }
            default:
                bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
                for (i, v) in values.enumerated() where v >= 0 { bytes[i / 8] |= 1 << UInt8(i % 8) }
            }
            let dims = shape.map(String.init).joined(separator: ", ")
            return #"{"shape": [\#(dims)], "dtype": "\#(dtype)", "base64": "\#(Data(bytes).base64EncodedString())"}"#
        }
        return nested(shape, values)
    }

    func nested(_ shape: [Int], _ values: [Double]) -> String {
        guard let first = shape.first else { return literal(values.first ?? 0) }
        let inner = shape.dropFirst().reduce(1, *)
        return "[" + (0..<first).map { i in nested(Array(shape.dropFirst()), Array(values[(i * inner)..<((i + 1) * inner)])) }.joined(separator: ", ") + "]"
    }

    mutating func weight(_ shape: [Int]) -> String {
        tensor(shape) { g in g.chance(10) ? 0 : (g.chance(50) ? 1 : -1) * (g.chance(80) ? 1 : g.real(positive: true)) }
    }

    mutating func perChannel(_ c: Int, positive: Bool = false) -> String {
        tensor([c]) { $0.real(positive: positive) }
    }

    mutating func batchnorm(_ c: Int, name: String?) -> String {
        var eps = chance(70) ? "" : #", "eps": \#(literal(chance(30) ? 0 : real(positive: true)))"#
        var variance = perChannel(c, positive: true)
        if eps.hasSuffix(" 0") || eps.hasSuffix(" 0.0") || eps.contains("-0.0") {
            eps = #", "eps": 0.001"#
        }
        if chance(5) { variance = "0" }
        let label = name.map { #", "name": "\#($0)""# } ?? ""
        return #"{"type": "batchnorm"\#(label), "gamma": \#(perChannel(c)), "beta": \#(perChannel(c)), "mean": \#(perChannel(c)), "var": \#(variance)\#(eps)}"#
    }

    mutating func sign(_ c: Int) -> String {
        chance(50) ? #"{"type": "sign"}"# : #"{"type": "sign", "offset": \#(perChannel(c))}"#
    }

    mutating func model() -> [UInt8] {
        let encoding = ["bipolar", "uint8", "int8"][below(3)]
        let spatial = chance(50)
        var (h, w, c) = spatial ? (int(1...7), int(1...7), int(1...3)) : (1, 1, int(1...40))
        var input = spatial || chance(20) ? #""shape": [\#(h), \#(w), \#(c)]"# : #""shape": [\#(c)]"#
        input += #", "encoding": "\#(encoding)""#
        if encoding != "bipolar" {
            if chance(70) { input += #", "scale": \#(literal(chance(80) ? [1, 0.5, 1.0 / 255, 0.0625, 3, 1e-3][below(6)] : max(real(positive: true), 1e-300)))"# }
            if chance(60) { input += #", "zero_point": \#(encoding == "uint8" ? int(0...255) : int(-128...127))"# }
        }
        var layers: [String] = []
        var named = 0
        func name() -> String? {
            named += 1
            return chance(50) ? "l\(named)" : nil
        }
        if chance(20) {
            layers.append(encoding == "bipolar" || chance(30) ? sign(c)
                          : #"{"type": "sign", "offset": \#(tensor([c]) { Double($0.int(-130...260)) })}"#)
        }
        for _ in 0..<int(0...3) {
            if h * w > 1, chance(65) {
                // conv2d group
                let padding: [Int] = chance(50) ? [0, 0, 0, 0] : (chance(60) ? Array(repeating: int(1...2), count: 4) : (0..<4).map { _ in int(0...2) })
                let ph = h + padding[0] + padding[1], pw = w + padding[2] + padding[3]
                let kh = int(1...min(3, ph)), kw = chance(70) ? min(kh, pw) : int(1...min(3, pw))
                let sh = int(1...2), sw = chance(70) ? sh : int(1...2)
                let filters = int(1...6)
                var conv = #"{"type": "conv2d""#
                if let n = name() { conv += #", "name": "\#(n)""# }
                conv += #", "filters": \#(filters), "kernel": \#(kh == kw && chance(50) ? "\(kh)" : "[\(kh), \(kw)]")"#
                if sh != 1 || sw != 1 || chance(20) { conv += #", "stride": [\#(sh), \#(sw)]"# }
                if padding != [0, 0, 0, 0] || chance(20) {
                    conv += padding.allSatisfy({ $0 == padding[0] }) ? #", "padding": \#(padding[0])"# : #", "padding": [\#(padding.map(String.init).joined(separator: ", "))]"#
                }
                if chance(60) { conv += #", "pad_value": \#(int(-1...1))"# }
                conv += #", "weight": \#(weight([filters, c, kh, kw]))"#
                if chance(50) { conv += #", "bias": \#(perChannel(filters))"# }
                if chance(40) { conv += #", "alpha": \#(perChannel(filters))"# }
                layers.append(conv + "}")
                h = (ph - kh) / sh + 1
                w = (pw - kw) / sw + 1
                c = filters
                let poolAt = chance(50) ? int(0...2) : -1
                func pool() {
                    let py = int(1...min(2, h)), px = int(1...min(2, w))
                    let stride = chance(30) ? int(1...2) : nil
                    layers.append(#"{"type": "maxpool2d", "pool": [\#(py), \#(px)]\#(stride.map { #", "stride": \#($0)"# } ?? "")}"#)
                    let sy = stride ?? py, sx = stride ?? px
                    h = (h - py) / sy + 1
                    w = (w - px) / sx + 1
                }
                if poolAt == 0 { pool() }
                if chance(80) {
                    layers.append(batchnorm(c, name: name()))
                    if poolAt == 1 { pool() }
                } else if poolAt == 1 {
                    pool()
                }
                layers.append(sign(c))
                if poolAt == 2 { pool() }
            } else {
                if h * w > 1 || chance(20) { if chance(60) { layers.append(#"{"type": "flatten", "order": "\#(chance(50) ? "CHW" : "HWC")"}"#) } }
                let units = int(1...12)
                var dense = #"{"type": "dense""#
                if let n = name() { dense += #", "name": "\#(n)""# }
                dense += #", "units": \#(units), "weight": \#(weight([units, h * w * c]))"#
                if chance(50) { dense += #", "bias": \#(perChannel(units))"# }
                if chance(40) { dense += #", "alpha": \#(perChannel(units))"# }
                layers.append(dense + "}")
                (h, w, c) = (1, 1, units)
                if chance(80) { layers.append(batchnorm(c, name: name())) }
                layers.append(sign(c))
            }
        }
        if h * w > 1 || chance(30) { layers.append(#"{"type": "flatten", "order": "\#(chance(50) ? "CHW" : "HWC")"}"#) }
        let classes = int(1...5)
        var last = #"{"type": "dense""#
        if let n = name() { last += #", "name": "\#(n)""# }
        last += #", "units": \#(classes), "weight": \#(weight([classes, h * w * c]))"#
        if chance(50) { last += #", "bias": \#(perChannel(classes))"# }
        if chance(40) { last += #", "alpha": \#(perChannel(classes))"# }
        layers.append(last + "}")
        if chance(60) { layers.append(batchnorm(classes, name: name())) }
        var text = #"{"format": "bnn-hls-model", "version": 1, "name": "gen\#(below(1000))", "input": {\#(input)}, "layers": [\#(layers.joined(separator: ", "))]"#
        if chance(50) { text += #", "output": {"mode": "\#(chance(50) ? "argmax" : "logits")"}"# }
        if chance(20) { text += #", "labels": [\#((0..<classes).map { "\"c\($0)\"" }.joined(separator: ", "))]"# }
        return Array((text + "}").utf8)
    }
}
