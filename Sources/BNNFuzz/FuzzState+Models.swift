import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator
import Foundation

extension FuzzState {
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
}
