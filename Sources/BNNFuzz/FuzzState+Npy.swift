import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNReference
import BNNSimulator
import Foundation

extension FuzzState {
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
}
