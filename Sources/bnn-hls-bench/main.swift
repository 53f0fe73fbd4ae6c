// bnn-hls-bench: compile time and simulator throughput on an LFC-shaped MLP
// (784-1024-1024-1024-10, bipolar input, random weights), with a C XNOR-popcount loop
// (-O3 -march=native) measured in the same run as the yardstick; then CNV: W1A1, and the
// compiled CNV-W1A2 / CNV-W2A2 models on the whole simulator.
//
//   swift run -c release bnn-hls-bench [--images N] [--no-testbench] [--write-models DIR]
import BNNCommandLine
import BNNCompiler
import BNNDataflow
import BNNDesign
import BNNEmit
import BNNEstimate
import BNNModel
import BNNRandomModels
import BNNSimulator
import CXnorBench
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Process CPU seconds: on a shared machine, what a single-threaded run costs regardless of
/// how long it waited for a core.
func cpuSeconds(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    let start = now()
    let wall = try seconds(body)
    return (wall, now() - start)
}

/// Best of `runs` wall and CPU timings (each its own minimum).
func bestBoth(_ runs: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    var result = (wall: Double.infinity, cpu: Double.infinity)
    for _ in 0..<runs {
        let t = try cpuSeconds(body)
        result = (min(result.wall, t.wall), min(result.cpu, t.cpu))
    }
    return result
}

/// Best of `runs` timings, so one disturbed run doesn't decide the figure.
func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<runs { result = min(result, try seconds(body)) }
    return result
}

let arguments = CommandLine.arguments
let images = arguments.firstIndex(of: "--images").flatMap { Int(arguments[$0 + 1]) } ?? 20_000
/// `--no-testbench` skips building the generated CNV testbench with g++ (minutes).
let buildTestbench = !arguments.contains("--no-testbench")
/// `--write-models DIR` only writes the benchmark's LFC and CNV model files (for `verify --random` at scale).
if let i = arguments.firstIndex(of: "--write-models"), i + 1 < arguments.count {
    let dir = URL(fileURLWithPath: arguments[i + 1])
    try Data(BenchmarkModels.lfcJSON(sizes: [784, 1024, 1024, 1024, 10], seed: 7)).write(to: dir.appendingPathComponent("lfc.json"))
    try Data(BenchmarkModels.cnvJSON(seed: 11)).write(to: dir.appendingPathComponent("cnv.json"))
    print("wrote lfc.json and cnv.json to \(dir.path)")
    exit(0)
}
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
    integer = try FoldThresholds.run(fused, file: "lfc.json")
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
let swift1 = report("simulator, 1 thread ", best(3) { _ = simulator.run(batch.values, count: images, threads: 1) })
let swift2 = report("simulator, 2 threads", best(3) { _ = simulator.run(batch.values, count: images, threads: 2) })

// The C loops get pre-packed input (the simulator's figure includes packing its input).
struct CLayer {
    var rows: Int, columns: Int, limbs: Int
    var weights: [UInt64]       // row-major
    var weights8: [UInt64]      // rows interleaved by 8
    var limits: [Int64]         // per row, padded to a multiple of 8 with -1
    var isLast: Bool
}
let cLayers = integer.layers.map { layer -> CLayer in
    let limbs = (layer.inputs + 63) / 64
    let padded = (layer.outputs + 7) / 8 * 8
    var words = [UInt64](repeating: 0, count: layer.outputs * limbs)
    var words8 = [UInt64](repeating: 0, count: padded * limbs)
    for r in 0..<layer.outputs {
        for c in 0..<layer.inputs where layer.weights[r, c] {
            words[r * limbs + c / 64] |= 1 << UInt64(c % 64)
            words8[((r / 8) * limbs + c / 64) * 8 + r % 8] |= 1 << UInt64(c % 64)
        }
    }
    var limits = [Int64](repeating: -1, count: padded)
    for (r, t) in (layer.thresholds ?? []).enumerated() { limits[r] = Int64(layer.inputs - t) }
    return CLayer(rows: layer.outputs, columns: layer.inputs, limbs: limbs, weights: words, weights8: words8,
                  limits: limits, isLast: layer.thresholds == nil)
}
let packed0 = { () -> [UInt64] in var packed = [UInt64](repeating: 0, count: images * cLayers[0].limbs)
for i in 0..<images {
    for e in 0..<batch.elements where batch.values[i * batch.elements + e] == 1 { packed[i * cLayers[0].limbs + e / 64] |= 1 << UInt64(e % 64) }
}
return packed }()
func runC(interleaved: Bool, counts: inout [Int32]) {
    var x = packed0
    for layer in cLayers {
        let (rows, limbs) = (Int32(layer.rows), Int32(layer.limbs))
        if layer.isLast {
            if interleaved {
                cxnor_count_layer8(layer.weights8, rows, limbs, Int32(layer.columns), x, Int32(images), &counts)
            } else {
                cxnor_count_layer(layer.weights, rows, limbs, Int32(layer.columns), x, Int32(images), &counts)
            }
        } else {
            let outLimbs = (layer.rows + 63) / 64
            var y = [UInt64](repeating: 0, count: images * outLimbs)
            if interleaved {
                cxnor_threshold_layer8(layer.weights8, rows, limbs, layer.limits, x, Int32(images), &y, Int32(outLimbs))
            } else {
                cxnor_threshold_layer(layer.weights, rows, limbs, layer.limits, x, Int32(images), &y, Int32(outLimbs))
            }
            x = y
        }
    }
}
var counts = [Int32](repeating: 0, count: images * 10)
var counts8 = [Int32](repeating: 0, count: images * 10)
let cRows = report("C loop, one row at a time, 1 thread         ", best(3) { runC(interleaved: false, counts: &counts) })
let c8 = report("C loop, 8 rows per 512-bit vector, 1 thread", best(3) { runC(interleaved: true, counts: &counts8) })
let cBest = max(cRows, c8)
let check = simulator.run(Array(batch.values.prefix(batch.elements * 64)), count: 64)
let agree = (0..<64).allSatisfy { i in
    (0..<10).allSatisfy { check.accumulators(i)[$0] == Int(counts[i * 10 + $0]) && counts[i * 10 + $0] == counts8[i * 10 + $0] }
}
print(String(format: "ratio simulator / best C loop, 1 thread each: %.2f (target >= 0.5, i.e. within 2x); simulator 2-thread speedup %.2fx",
             swift1 / cBest, swift2 / swift1))
print("C loops and simulator agree on the class accumulators of 64 images: \(agree ? "yes" : "NO")")

// MARK: CNV
print("")
let cnvJSON = BenchmarkModels.cnvJSON(seed: 11)
print("CNV topology (3x32x32 uint8, 6 conv + 3 dense), random weights, BNN-PYNQ's folding; model file \(cnvJSON.count / 1024) KiB")
let cnvFolding = FoldingRequest(entries: [
    ("conv0", .init(pe: 16, simd: 3)), ("conv3", .init(pe: 32, simd: 32)), ("conv7", .init(pe: 16, simd: 32)),
    ("conv10", .init(pe: 16, simd: 32)), ("conv14", .init(pe: 4, simd: 32)), ("conv17", .init(pe: 1, simd: 32)),
    ("fc20", .init(pe: 1, simd: 4)), ("fc23", .init(pe: 1, simd: 8)), ("fc26", .init(pe: 4, simd: 1)),
])
var cnvNetwork: Network?
let cnvParse = try best(3) { cnvNetwork = try ModelLoader().load(bytes: cnvJSON, file: "cnv.json") }
guard let cnvNetwork else { print("CNV did not load"); exit(1) }
var cnvInteger: IntegerNetwork?
let cnvFold = try best(3) { cnvInteger = try FoldThresholds.run(PermuteFlatten.run(try FuseLayers.run(cnvNetwork, file: "cnv.json")), file: "cnv.json") }
guard let cnvInteger else { print("CNV did not fold"); exit(1) }
var cnvDesign: Design?
let cnvPack = try best(3) { cnvDesign = PackWeights.run(cnvInteger, foldings: try ChooseFolding.run(cnvInteger, request: cnvFolding)) }
guard let cnvDesign else { print("CNV did not pack"); exit(1) }
let cnvVectors = try Verifier(network: cnvNetwork, design: cnvDesign).testVectors(InputBatch.random(count: 2, for: cnvNetwork, seed: 1))
var cnvFiles: [GeneratedFile] = []
let cnvEmit = try best(3) { cnvFiles = try ProjectEmitter.emit(cnvDesign, vectors: cnvVectors, options: EmitOptions(modelFile: "cnv.json")) }
print(String(format: "compile: parse %.1f ms, fold thresholds %.1f ms, choose folding + pack %.1f ms, emit %.1f ms; total %.1f ms (reference vectors for the testbench not included)",
             cnvParse * 1e3, cnvFold * 1e3, cnvPack * 1e3, cnvEmit * 1e3, (cnvParse + cnvFold + cnvPack + cnvEmit) * 1e3))
let cnvMACs = cnvDesign.layers.reduce(0) { $0 + $1.inputs * $1.outputs * $1.pixels }
let cnvImages = max(images / 20, 200)
let cnvBatch = InputBatch.random(count: cnvImages, for: cnvNetwork, seed: 5)
let cnvSimulator = Simulator(design: cnvDesign)
var w1a1PerSecond: [Int: Double] = [:]
var w1a1PerCPUSecond = Double.nan
for threads in [1, 2] {
    let (t, cpu) = bestBoth(2) { _ = cnvSimulator.run(cnvBatch.values, count: cnvImages, threads: threads) }
    let perSecond = Double(cnvImages) / t
    w1a1PerSecond[threads] = perSecond
    if threads == 1 { w1a1PerCPUSecond = Double(cnvImages) / cpu }
    let gops = perSecond * Double(cnvMACs) * 2 / 1e9
    print(String(format: "simulator, %d thread%@: %.0f images/s, %.0f binary GOPS (%d MACs/image); ratio to the best C loop's GOPS above: %.2f",
                 threads, threads == 1 ? " " : "s", perSecond, gops, cnvMACs, threads == 1 ? gops / (cBest * Double(macs) * 2 / 1e9) : gops / (2 * cBest * Double(macs) * 2 / 1e9)))
}

// CNV-W1A2 and CNV-W2A2: the same topology and folding compiled from version-2 models, run
// by the whole simulator as for W1A1 (bit-plane kernels, multi-thresholds, pools over codes).
print("")
for (name, weightBits) in [("CNV-W1A2", 1), ("CNV-W2A2", 2)] {
    let json = BenchmarkModels.cnvJSON(seed: 11, weightBits: weightBits, activationBits: 2)
    let network = try ModelLoader().load(bytes: json, file: "\(name).json")
    var design: Design?
    let compile = try seconds { design = try Pipeline(file: "\(name).json", folding: cnvFolding).compile(network) }
    guard let design else { print("\(name) did not compile"); exit(1) }
    let batch = InputBatch.random(count: cnvImages, for: network, seed: 5)
    let simulator = Simulator(design: design)
    print(String(format: "%@ (%d-bit weights, first layer on the 8-bit input, 2-bit activations), compiled in %.0f ms, whole simulator:",
                 name, weightBits, compile * 1e3))
    for threads in [1, 2] {
        let (t, cpu) = bestBoth(2) { _ = simulator.run(batch.values, count: cnvImages, threads: threads) }
        let perSecond = Double(cnvImages) / t
        print(String(format: "  %d thread%@: %.0f images/s (ratio to W1A1, same threads: %.2f)%@",
                     threads, threads == 1 ? " " : "s", perSecond, perSecond / (w1a1PerSecond[threads] ?? .nan),
                     threads == 1 ? String(format: "; %.0f images per CPU-second, W1A1 %.0f: ratio %.2f%@", Double(cnvImages) / cpu,
                                           w1a1PerCPUSecond, Double(cnvImages) / cpu / w1a1PerCPUSecond, weightBits == 1 ? " (target >= 0.4)" : "") : ""))
    }
    // A figure is only worth printing if the simulator is right: a few images against the float64 reference.
    let check = try Verifier(network: network, design: design).run(InputBatch.random(count: 16, for: network, seed: 9))
    print("  simulator == float64 reference (every stage's codes, logits) on \(check.checked) images: \(check.mismatches.isEmpty ? "yes" : "NO: \(check.mismatches[0])")")
}

// The generated CNV testbench under g++ -O2, if the HLS headers can be had.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-bench-cnv-\(ProcessInfo.processInfo.processIdentifier)")
try? FileManager.default.removeItem(at: scratch)
for file in cnvFiles {
    let url = scratch.appendingPathComponent(file.path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(file.contents).write(to: url)
}
func shell(_ command: String) -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = scratch
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
let build = buildTestbench ? seconds { _ = shell("make -s build/cnv_tb > build.log 2>&1") } : 0
let (status, _) = shell("test -x build/cnv_tb")
if !buildTestbench {
    print("generated CNV testbench: skipped (--no-testbench)")
} else if status == 0 {
    var output = ""
    let run = seconds { output = shell("./build/cnv_tb vectors").1 }
    let verdict = output.split(separator: "\n").last.map(String.init) ?? ""
    print(String(format: "generated CNV testbench (g++ -O2): build %.1f s, %.2f s per image (%@)", build, run / Double(cnvVectors.inputs.count), verdict))
} else {
    print("generated CNV testbench: not built (no g++ or HLS headers?); see \(scratch.path)/build.log")
}
try? FileManager.default.removeItem(at: scratch)

// MARK: estimate and folding optimizer on CNV
print("")
print("Estimate and folding optimizer on CNV (10 ns clock; figures from bnn-hls's cost and FIFO models, see docs/estimates.md)")
var cnvEstimate: DesignEstimate?
let estimateTime = best(5) { cnvEstimate = DesignEstimate(design: cnvDesign, clockNs: 10) }
guard let cnvEstimate else { print("CNV estimate failed"); exit(1) }
func describe(_ e: DesignEstimate) -> String {
    String(format: "bottleneck %d cycles/frame (%.1f frames/s), efficiency %.3f, %d MACs/cycle, %d LUTs, %d BRAM18, latency %d cycles",
           e.bottleneckCycles, e.framesPerSecond, e.efficiency, e.lanes, e.totals.luts, e.totals.bram18, e.latencyCycles)
}
print(String(format: "estimate (cycles, resources, FIFO depths by the cycle model): %.1f ms", estimateTime * 1e3))
print("  BNN-PYNQ's folding (last layer padded from 10 to 12 rows for PE 4): " + describe(cnvEstimate))
let cnvGeometry = NetworkGeometry(design: cnvDesign)
let pynqBudget = ResourceBudget(bram18: cnvEstimate.totals.bram18, lanes: 2272)
var sameLanes: OptimizationResult?
let optimizeTime = try best(3) { sameLanes = try FoldingOptimizer(geometry: cnvGeometry, clockNs: 10).run(goal: .maximumThroughput, budget: pynqBudget) }
if let sameLanes {
    print(String(format: "optimizer, most frames/s within 2272 MACs/cycle (FINN's sum of PE*SIMD for BNN-PYNQ) and %d BRAM18: %.1f ms", cnvEstimate.totals.bram18, optimizeTime * 1e3))
    print(String(format: "  chosen: %@; %.2fx BNN-PYNQ's frames/s", describe(sameLanes.estimate), sameLanes.estimate.framesPerSecond / cnvEstimate.framesPerSecond))
    print("  folding: " + sameLanes.foldings.map { "(\($0.pe),\($0.simd))" }.joined(separator: " ")
          + (sameLanes.nextFasterCycles.map { "; the next faster bottleneck any folding offers, \($0) cycles, does not fit" } ?? ""))
}
let sameSize = try FoldingOptimizer(geometry: cnvGeometry, clockNs: 10).run(goal: .maximumThroughput, budget: ResourceBudget(luts: cnvEstimate.totals.luts, bram18: cnvEstimate.totals.bram18))
print(String(format: "  within BNN-PYNQ's estimated %d LUTs and %d BRAM18 instead: %@; %.2fx", cnvEstimate.totals.luts, cnvEstimate.totals.bram18, describe(sameSize.estimate), sameSize.estimate.framesPerSecond / cnvEstimate.framesPerSecond))
var divisorsOnly = FoldingOptimizer(geometry: cnvGeometry, clockNs: 10, objective: .lanes)
divisorsOnly.allowsPadding = false
let faster = try divisorsOnly.run(goal: .framesPerSecond(1.2 * cnvEstimate.framesPerSecond))
print(String(format: "  without padding (divisors of MH and MW only), 1.2x BNN-PYNQ's frames/s needs at least %d MACs/cycle (%@)", faster.estimate.lanes, describe(faster.estimate)))
if let device = try? FoldingOptimizer(geometry: cnvGeometry, clockNs: 10).run(goal: .maximumThroughput, budget: ResourceBudget.parse("xc7z020")) {
    print("  within a whole xc7z020 (PYNQ-Z1/Z2): " + describe(device.estimate))
}
let cnvFile = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-bench-cnv-\(ProcessInfo.processInfo.processIdentifier).json")
try Data(cnvJSON).write(to: cnvFile)
var commandStatus: Int32 = 0
let commandTime = best(3) { commandStatus = CommandLineTool.run(["estimate", cnvFile.path, "--budget", "macs=2272,bram=\(cnvEstimate.totals.bram18)"], print: { _ in }, printError: { print($0) }) }
try? FileManager.default.removeItem(at: cnvFile)
print(String(format: "whole `bnn-hls estimate cnv.json --budget macs=2272,bram=%d` (parse, compile, optimize, repack, estimate): %.1f ms, exit %d",
             cnvEstimate.totals.bram18, commandTime * 1e3, commandStatus))

// MARK: CNV-W2A2: estimate and folding optimizer against BNN-PYNQ's published folding
print("")
let w2a2Names = ["conv0", "conv3", "conv7", "conv10", "conv14", "conv17", "fc20", "fc23", "fc26"]
// bnn/src/network/cnvW2A2/hw/config.h of Xilinx/BNN-PYNQ: (PE, SIMD) per layer, 586 MACs/cycle.
let w2a2Pynq = [(8, 3), (16, 16), (8, 16), (8, 16), (4, 8), (1, 8), (1, 2), (2, 2), (4, 1)].map { Folding(pe: $0.0, simd: $0.1) }
let w2a2JSON = BenchmarkModels.cnvJSON(seed: 11, weightBits: 2, activationBits: 2)
print("CNV-W2A2 (version 2: 2-bit ternary weights, 2-bit codes, 3 thresholds per neuron, 8-bit input), random weights, BNN-PYNQ's CNV-W2A2 folding")
do {
    let network = try ModelLoader().load(bytes: w2a2JSON, file: "cnv_w2a2.json")
    let stages = try Pipeline(file: "cnv_w2a2.json", folding: FoldingRequest(entries: Array(zip(w2a2Names, w2a2Pynq)))).run(network)
    let pynq = DesignEstimate(design: stages.design, clockNs: 10)
    let bottleneck = pynq.bottleneckLayers.map { pynq.geometry.layers[$0].key }.joined(separator: ", ")
    print("  BNN-PYNQ's folding (published bottleneck 115200 cycles at layer 3): " + describe(pynq) + " at \(bottleneck)")
    let geometry = NetworkGeometry(design: stages.design)
    let optimizer = FoldingOptimizer(geometry: geometry, clockNs: 10)
    var w2a2Best: OptimizationResult?
    let time = try best(3) { w2a2Best = try optimizer.run(goal: .maximumThroughput, budget: ResourceBudget(bram18: pynq.totals.bram18, lanes: pynq.lanes)) }
    if let best = w2a2Best {
        print(String(format: "  optimizer within %d MACs/cycle and %d BRAM18 (%.1f ms): %@; %.2fx BNN-PYNQ's frames/s", pynq.lanes, pynq.totals.bram18, time * 1e3,
                     describe(best.estimate), best.estimate.framesPerSecond / pynq.framesPerSecond))
        print("  folding: " + best.foldings.map { "(\($0.pe),\($0.simd))" }.joined(separator: " "))
    }
    print(String(format: "  1.2x at %d MACs/cycle is out of reach for any folding: %d MACs per frame / %d lanes = %.0f cycles > %.0f",
                 pynq.lanes, pynq.macs, pynq.lanes, pynq.idealCycles, Double(pynq.bottleneckCycles) / 1.2))
    var fewest = optimizer
    fewest.objective = .lanes
    let enough = try fewest.run(goal: .framesPerSecond(1.2 * pynq.framesPerSecond), budget: ResourceBudget(bram18: pynq.totals.bram18))
    print(String(format: "  1.2x within %d BRAM18 takes at least %d MACs/cycle: %@; %.2fx", pynq.totals.bram18, enough.estimate.lanes, describe(enough.estimate),
                 enough.estimate.framesPerSecond / pynq.framesPerSecond))
} catch {
    print("  not compiled: \(error)")
}
