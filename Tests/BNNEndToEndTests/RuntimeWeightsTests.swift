import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNRandomModels
import BNNTestSupport
import Foundation
import XCTest

/// `compile --runtime-weights`: a design compiled from network A, built once with g++, loads the
/// weights of network B (same topology and folding, other trained values: another seed) through
/// its weights port and reproduces B's float64 reference outputs bit for bit, then A's own; a
/// file of another topology, a truncated file and corrupted headers are refused before any word
/// reaches the port. MLPs, CNNs (pool flags, border-class thresholds) and multi-bit networks.
final class RuntimeWeightsTests: XCTestCase {
    static let vectors = 30

    struct Case {
        var name: String
        var a: Network
        var b: Network
        var folding: FoldingRequest
    }

    static func cases() throws -> [Case] {
        var list: [Case] = []
        func random(_ name: String, _ options: RandomNetworks.Options, seed: UInt64, padded: Bool) throws {
            var first = RandomNetworks(seed: seed)
            var second = RandomNetworks(seed: seed + 1)
            let a = first.network(options, name: name)
            let b = second.network(options, name: name)
            let folding = padded ? FoldingRequest(entries: SimulatorEquivalenceTests.padded(try Pipeline(file: "a.json").run(a).integer)) : FoldingRequest()
            list.append(Case(name: name, a: a, b: b, folding: folding))
        }
        let mlps = SimulatorEquivalenceTests.cases()
        // Leading sign on uint8 (input thresholds), CHW flatten, padded folding.
        try random("mlp_sign", mlps[4].1, seed: 900, padded: true)
        // int8 argmax: the runtime design compares float64 logits.
        try random("mlp_argmax", mlps[3].1, seed: 910, padded: false)
        // Pool before the batchnorm (AND channels from negative gammas), -1 padding, int8.
        try random("cnn_pool", SimulatorEquivalenceTests.cnnCases()[3].1, seed: 920, padded: false)
        // +1 padding on uint8: thresholds by border class.
        try random("cnn_border", EightBitPaddingTests.cases()[0].1, seed: 930, padded: true)
        // Multi-bit: a seed also draws the quantizers' levels, so B is the next seed that draws A's topology.
        // (Multi-thresholds with a shifted logit map; a quantizer chain on the input; a CNN with
        // 8-bit weights, border-class multi-thresholds and an average pool.)
        for id in ["mlp_w2a2_multithreshold_shift", "mlp_mixed_quantized_bipolar_input", "cnn_8bit_border_classes_average_pool"] {
            guard let testCase = RandomCodeNetworks.cases().first(where: { $0.id == id }) else { continue }
            var first = RandomCodeNetworks(seed: 940)
            let a = first.network(testCase.options, name: "mb")
            let signature = try Self.signature(a)
            for seed in UInt64(941)..<1400 {
                var other = RandomCodeNetworks(seed: seed)
                let b = other.network(testCase.options, name: "mb")
                if try Self.signature(b) == signature {
                    list.append(Case(name: id, a: a, b: b, folding: FoldingRequest()))
                    break
                }
            }
        }
        return list
    }

    static func signature(_ network: Network, folding: FoldingRequest = FoldingRequest()) throws -> UInt64 {
        RuntimeWeights.image(try Pipeline(file: "n.json", folding: folding).compile(network).runtimeWritable()).signature
    }

    /// The runtime design and files of `network` under `root/dir`; returns the design.
    @discardableResult
    static func emit(_ network: Network, folding: FoldingRequest, to dir: URL) throws -> Design {
        let design = try Pipeline(file: "n.json", folding: folding).compile(network).runtimeWritable()
        let batch = InputBatch.random(count: vectors, for: network, seed: 9)
        let verifier = Verifier(network: network, design: design)
        // The widened types and clamped thresholds keep the simulator equal to the reference.
        XCTAssertEqual(try verifier.run(batch, threads: 1).failedInputs, 0, dir.lastPathComponent)
        let s = network.input.shape
        let files = try ProjectEmitter.emit(design, vectors: try verifier.testVectors(batch),
                                            options: EmitOptions(modelFile: "n.json", inputShape: [s.height, s.width, s.channels], runtimeWeights: true))
        for file in files {
            let url = dir.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents).write(to: url)
        }
        return design
    }

    /// Emits A and B (`root/NAME`, `root/NAME_B`), checks they share a signature but not their
    /// words nor their reference outputs; returns the signature.
    static func emitPair(_ c: Case, in root: URL) throws -> UInt64 {
        let a = try emit(c.a, folding: c.folding, to: root.appendingPathComponent(c.name))
        let b = try emit(c.b, folding: c.folding, to: root.appendingPathComponent(c.name + "_B"))
        let (imageA, imageB) = (RuntimeWeights.image(a), RuntimeWeights.image(b))
        XCTAssertEqual(imageA.signature, imageB.signature, "\(c.name): same topology and folding, same signature")
        XCTAssertNotEqual(imageA.words, imageB.words, "\(c.name): other trained values")
        let expected = { (n: String) in try String(contentsOf: root.appendingPathComponent("\(n)/vectors/expected.txt"), encoding: .utf8) }
        XCTAssertNotEqual(try expected(c.name), try expected(c.name + "_B"), "\(c.name): B must compute something else than A")
        return imageA.signature
    }

    /// A's build (`make`: A's vectors with A's weights) passed; its testbench then reproduces B's
    /// reference with B's weights, and fails B's vectors with A's weights.
    static func checkSwap(_ c: Case, in root: URL, build: (status: Int32, output: String)) throws {
        XCTAssertEqual(build.status, 0, "\(c.name): \(build.output.suffix(3000))")
        XCTAssertTrue(build.output.contains("loaded ") && build.output.contains("\(vectors) passed, 0 failed"), "\(c.name): \(build.output.suffix(2000))")
        let dir = root.appendingPathComponent(c.name).path
        let tb = "./build/\(c.a.cName)_tb"
        // B's weights (its vectors/weights.bin, the default) reproduce B's reference outputs.
        let swapped = try runProcess(tb, ["../\(c.name)_B/vectors"], in: dir)
        XCTAssertEqual(swapped.status, 0, "\(c.name) with B's weights: \(swapped.output.suffix(2000))")
        XCTAssertTrue(swapped.output.contains("\(vectors) passed, 0 failed"), "\(c.name): \(swapped.output.suffix(2000))")
        // A's weights do not: the loaded values are what the design computes with.
        let stale = try runProcess(tb, ["../\(c.name)_B/vectors", "vectors/weights.bin"], in: dir)
        XCTAssertEqual(stale.status, 1, "\(c.name) with A's weights on B's vectors: \(stale.output.suffix(2000))")
    }

    /// A residual graph (a requantized shortcut, a downsampling average-pool shortcut into a
    /// join, a 3x3 global average pool: logit maps dividing by 9): its joins' and
    /// requantization's thresholds and the divisor travel in the weights file. B is the next
    /// seed that draws A's topology; A's project is built once.
    func testResidualGraphLoadsAnotherSeedsWeights() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let root = try TestPaths.temporaryDirectory("runtime-weights-residual")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = RandomCodeNetworks.ResidualOptions(inputShape: Shape3(height: 6, width: 6, channels: 2),
                                                         blocks: [.init(.requantized, bits: 2), .init(.averagePool, bits: 1)])
        options.globalAverage = true
        var first = RandomCodeNetworks(seed: 960)
        let a = first.residualNetwork(options, name: "res")
        let signature = try Self.signature(a)
        var b: Network?
        for seed in UInt64(961)..<1400 {
            var other = RandomCodeNetworks(seed: seed)
            let candidate = other.residualNetwork(options, name: "res")
            if try Self.signature(candidate) == signature {
                b = candidate
                break
            }
        }
        guard let b else { return XCTFail("no seed in 961..<1400 draws A's topology") }
        let c = Case(name: "res_swap", a: a, b: b, folding: FoldingRequest())
        let design = try Pipeline(file: "n.json").compile(a).runtimeWritable()
        let kinds = design.nodes.compactMap(\.thresholdStage)
        XCTAssertTrue(kinds.contains { $0.isJoin } && kinds.contains { !$0.isJoin }, "a join and a requantization")
        XCTAssertEqual(Set(design.output.maps.map(\.divisor)), [9])
        XCTAssertEqual(try Self.emitPair(c, in: root), signature)
        let build = (try? runProcess("make", ["-s", "HLS_INCLUDE=\(include)"], in: root.appendingPathComponent(c.name).path)) ?? (-1, "could not run make")
        try Self.checkSwap(c, in: root, build: build)

        // The host driver on A's csim library: B's file (its divisors among the logit-map words)
        // reproduces B's reference; bad files are refused (Tests/driver/check_runtime_weights.py).
        let numpy = try? runProcess("python3", ["-c", "import numpy"])
        guard let numpy, numpy.status == 0 else { throw XCTSkip("python3 with numpy is not available") }
        let path = { (name: String) in root.appendingPathComponent(name).path }
        let batch = InputBatch.random(count: Self.vectors, for: a, seed: 9)  // the frames emit() checks
        try DriverTests.writeInputs(batch, of: a, to: path("inputs.npy"))
        for (network, name) in [(a, "a"), (b, "b")] {
            try DriverTests.writeSimulated(try Pipeline(file: "n.json").compile(network), batch, to: path("\(name).npy"))
        }
        var otherTopology = RandomCodeNetworks(seed: 960)
        let other = otherTopology.residualNetwork(RandomCodeNetworks.residualCases()[0].options, name: "res")
        try Data(WeightFile.encode(RuntimeWeights.image(try Pipeline(file: "n.json").compile(other).runtimeWritable()))).write(to: URL(fileURLWithPath: path("other.bin")))
        let lib = try runProcess("make", ["-s", "driver-lib", "HLS_INCLUDE=\(include)"], in: path(c.name))
        XCTAssertEqual(lib.status, 0, lib.output.suffix(3000).description)
        let check = try runProcess("python3", [TestPaths.inRepo("Tests/driver/check_runtime_weights.py"), path(c.name), path("inputs.npy"),
                                               path("\(c.name)/vectors/weights.bin"), path("a.npy"), path("\(c.name)_B"),
                                               path("\(c.name)_B/vectors/weights.bin"), path("b.npy"), path("other.bin")])
        XCTAssertEqual(check.status, 0, check.output.suffix(3000).description)
        XCTAssertTrue(check.output.hasPrefix("ok "), check.output)
    }

    func testLoadsAnotherNetworksWeightsAndRefusesBadFiles() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let root = try TestPaths.temporaryDirectory("runtime-weights")
        defer { try? FileManager.default.removeItem(at: root) }
        let cases = try Self.cases()
        XCTAssertEqual(cases.count, 7)
        var signatures: [UInt64] = []
        for c in cases { signatures.append(try Self.emitPair(c, in: root)) }
        XCTAssertEqual(Set(signatures).count, cases.count, "every topology has its own signature")

        // Build each A once (two at a time), run it on A's vectors and weights (make), then on B's.
        let results = ResultList(count: cases.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: cases.count, by: 2) {
                let dir = root.appendingPathComponent(cases[i].name).path
                results.set(i, (try? runProcess("make", ["-s", "HLS_INCLUDE=\(include)"], in: dir)) ?? (-1, "could not run make"))
            }
        }
        for (i, c) in cases.enumerated() { try Self.checkSwap(c, in: root, build: results.get(i)) }

        // Refused files, each with one clear line and before any frame runs.
        let first = root.appendingPathComponent(cases[0].name)
        let good = try Data(contentsOf: first.appendingPathComponent("vectors/weights.bin"))
        var refusals: [(String, Data, String)] = [
            ("other topology", try Data(contentsOf: root.appendingPathComponent("\(cases[1].name)/vectors/weights.bin")), "weights of another topology or folding"),
            ("truncated", good.dropLast(3), "truncated: the header promises"),
            ("truncated header", good.prefix(12), "truncated header (12 bytes"),
            ("trailing bytes", good + Data([0, 0, 0, 0]), "trailing bytes"),
        ]
        var magic = good
        magic[1] = UInt8(ascii: "X")
        refusals.append(("corrupted magic", magic, "corrupted header: not a bnn-hls weights file"))
        var version = good
        version[4] = 7
        refusals.append(("corrupted version", version, "corrupted header or newer format: version 7"))
        var count = good
        count[17] ^= 0x01
        refusals.append(("corrupted word count", count, "corrupted header: "))
        var signature = good
        signature[9] ^= 0x40
        refusals.append(("corrupted signature", signature, "weights of another topology or folding"))
        for (what, bytes, message) in refusals {
            let path = root.appendingPathComponent("bad.bin")
            try bytes.write(to: path)
            let run = try runProcess("./build/\(cases[0].a.cName)_tb", ["vectors", path.path], in: first.path)
            XCTAssertEqual(run.status, 2, "\(what): \(run.output)")
            XCTAssertTrue(run.output.contains("error: \(path.path): \(message)"), "\(what): \(run.output)")
            XCTAssertFalse(run.output.contains("loaded") || run.output.contains("passed"), "\(what): \(run.output)")
            // The Swift reader refuses the same file for the same reason.
            XCTAssertThrowsError(try WeightFile.decode([UInt8](bytes), signature: signatures[0], expectedWords: (good.count - WeightFile.headerBytes) / 4), what) { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(what): \(error)")
            }
        }
    }
}
