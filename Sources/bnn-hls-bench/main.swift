// bnn-hls-bench: compile time and simulator throughput on an LFC-shaped MLP
// (784-1024-1024-1024-10, bipolar input, random weights), with a C XNOR-popcount loop
// (-O3 -march=native) measured in the same run as the yardstick.
//
//   swift run -c release bnn-hls-bench [--images N]
import BNNCommandLine
import BNNCompiler
import BNNDesign
import BNNEmit
import BNNModel
import BNNSimulator
import CXnorBench
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Best of `runs` timings, so one disturbed run doesn't decide the figure.
func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<runs { result = min(result, try seconds(body)) }
    return result
}

let arguments = CommandLine.arguments
let images = arguments.firstIndex(of: "--images").flatMap { Int(arguments[$0 + 1]) } ?? 20_000
let sizes = [784, 1024, 1024, 1024, 10]
let json = BenchmarkModels.lfcJSON(sizes: sizes, seed: 7)
print("bnn-hls-bench: LFC-shaped MLP \(sizes.map(String.init).joined(separator: "-")), bipolar input, random weights")
print("model file: \(json.count / 1024) KiB of JSON")

// MARK: compile time, by stage
var network: Network?
let parse = try best(5) { network = try ModelLoader().load(bytes: json, file: "lfc.json") }
guard let network else { print("benchmark model did not load"); exit(1) }
var integer: IntegerNetwork?
let fold = try best(5) {
    let fused = PermuteFlatten.run(try FuseLayers.run(network, file: "lfc.json"))
    integer = FoldThresholds.run(fused)
}
guard let integer else { print("benchmark model did not fold"); exit(1) }
var design: Design?
let pack = try best(5) {
    let foldings = try ChooseFolding.run(integer, request: FoldingRequest())
    design = PackWeights.run(integer, foldings: foldings)
}
guard let design else { print("benchmark model did not pack"); exit(1) }
let vectors = try Verifier(network: network, design: design).testVectors(InputBatch.random(count: 4, for: network, seed: 1))
var fileCount = 0
let emit = try best(5) { fileCount = try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: "lfc.json")).count }
print(String(format: "compile: parse %.1f ms, fold thresholds %.1f ms, choose folding + pack %.1f ms, emit %.1f ms (%d files); total %.1f ms",
             parse * 1e3, fold * 1e3, pack * 1e3, emit * 1e3, fileCount, (parse + fold + pack + emit) * 1e3))

// MARK: simulator throughput
let macs = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
let batch = InputBatch.random(count: images, for: network, seed: 3)
let simulator = Simulator(design: design)
func report(_ name: String, _ time: Double) -> Double {
    let perSecond = Double(images) / time
    print(String(format: "%@: %.0f images/s, %.0f binary GOPS (2 ops per MAC, %d MACs/image)",
                 name, perSecond, perSecond * Double(macs) * 2 / 1e9, macs))
    return perSecond
}
let swift1 = report("simulator, 1 thread ", try best(3) { _ = simulator.run(batch.values, count: images, threads: 1) })
let swift2 = report("simulator, 2 threads", try best(3) { _ = simulator.run(batch.values, count: images, threads: 2) })

// The C loop gets pre-packed input (the simulator's figure includes packing its input).
let rows = integer.layers.map { layer -> (weights: [UInt64], limbs: Int, limits: [Int64]) in
    let limbs = (layer.inputs + 63) / 64
    var words = [UInt64](repeating: 0, count: layer.outputs * limbs)
    for r in 0..<layer.outputs {
        for c in 0..<layer.inputs where layer.weights[r, c] { words[r * limbs + c / 64] |= 1 << UInt64(c % 64) }
    }
    let limits = (layer.thresholds ?? []).map { Int64(layer.inputs - $0) }
    return (words, limbs, limits)
}
var packed = [UInt64](repeating: 0, count: images * rows[0].limbs)
for i in 0..<images {
    for e in 0..<batch.elements where batch.values[i * batch.elements + e] == 1 { packed[i * rows[0].limbs + e / 64] |= 1 << UInt64(e % 64) }
}
var counts = [Int32](repeating: 0, count: images * 10)
let cTime = best(3) {
    var x = packed
    for (l, layer) in integer.layers.enumerated() {
        let r = rows[l]
        if layer.thresholds == nil {
            cxnor_count_layer(r.weights, Int32(layer.outputs), Int32(r.limbs), Int32(layer.inputs), x, Int32(images), &counts)
        } else {
            let outLimbs = (layer.outputs + 63) / 64
            var y = [UInt64](repeating: 0, count: images * outLimbs)
            cxnor_threshold_layer(r.weights, Int32(layer.outputs), Int32(r.limbs), r.limits, x, Int32(images), &y, Int32(outLimbs))
            x = y
        }
    }
}
let c1 = report("C XNOR-popcount loop (-O3 -march=native), 1 thread", cTime)
let check = simulator.run(Array(batch.values.prefix(batch.elements * 64)), count: 64)
let agree = (0..<64).allSatisfy { i in (0..<10).allSatisfy { check.accumulators(i)[$0] == Int(counts[i * 10 + $0]) } }
print(String(format: "ratio simulator/C, 1 thread each: %.2f (>= 0.5 is within the 2x target); 2-thread speedup %.2fx; C and simulator agree on 64 images: %@",
             swift1 / c1, swift2 / swift1, agree ? "yes" : "NO"))
