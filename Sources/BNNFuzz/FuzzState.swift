import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNRandomModels
import BNNReference
import BNNSimulator
import Foundation

/// One fuzzing pass under way: its seeds, generators and report so far.
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
}
