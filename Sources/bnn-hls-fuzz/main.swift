import BNNFuzz
import Foundation

// bnn-hls-fuzz: long seeded fuzzing passes over the loader, compiler, reference, simulator,
// emitter and .npy reader (see FuzzLoop). Build in release:
//
//     swift run -c release bnn-hls-fuzz --iterations 100000 --seed 1
//
// Before every execution the input is written to DIR/last-input (default .build/fuzz), so after
// a crash that file holds the input that did it; replay it with --replay FILE. Findings (bad
// messages, reference/simulator mismatches, slow inputs) are written to DIR as well.
// Exit status: 0 clean, 1 findings, 2 usage error.

let usage = """
    usage: bnn-hls-fuzz [--iterations N] [--seed S] [--seeds FILE.json ...] [--dir DIR] [--replay FILE]
      --iterations N   executions (default 100000)
      --seed S         seed of the mutation sequence (default 1)
      --seeds FILE     model files to mutate (repeatable; default: the corpus's valid models,
                       Examples/*/model*.json and ../shared/spec/examples/*.json)
      --dir DIR        where last-input and findings go (default .build/fuzz)
      --replay FILE    run one model file through every stage and report
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bnn-hls-fuzz: \(message)\n\(usage)\n".utf8))
    exit(2)
}

/// Unbuffered, so progress shows up in a log file while a long pass runs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var iterations = 100_000
var seed: UInt64 = 1
var seedFiles: [String] = []
var directory = ".build/fuzz"
var replay: String?
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let option = arguments.removeFirst()
    if ["-h", "--help"].contains(option) {
        say(usage)
        exit(0)
    }
    guard let value = arguments.first else { fail("\(option) needs a value") }
    arguments.removeFirst()
    switch option {
    case "--iterations": iterations = Int(value) ?? { fail("--iterations expects an integer, got \"\(value)\"") }()
    case "--seed": seed = UInt64(value) ?? { fail("--seed expects a non-negative integer, got \"\(value)\"") }()
    case "--seeds": seedFiles.append(value)
    case "--dir": directory = value
    case "--replay": replay = value
    default: fail("unknown option \(option)")
    }
}

// The repository this file is in, to find the default seeds from any working directory.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

var options = FuzzLoop.Options()
options.lastInputPath = directory + "/last-input"
options.progressEvery = max(1000, min(10_000, iterations / 20))

if let replay {
    guard let data = FileManager.default.contents(atPath: replay) else { fail("cannot read \(replay)") }
    let report = FuzzLoop.replay(model: [UInt8](data), options: options)
    say(report.description)
    for (kind, count) in report.topRejections(5) { say("  \(count) x \(kind)") }
    exit(report.isClean ? 0 : 1)
}

if seedFiles.isEmpty { seedFiles = FuzzLoop.defaultSeedFiles(repository: repository) }
let seeds = seedFiles.map { path -> [UInt8] in
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read seed \(path)") }
    return [UInt8](data)
}
say("bnn-hls-fuzz: \(iterations) executions, seed \(seed), \(seeds.count) seed files; last input in \(options.lastInputPath ?? "")")
let report = FuzzLoop.run(seeds: seeds, iterations: iterations, seed: seed, options: options) { progress in
    say("  \(progress.executions) executions, \(String(format: "%.0f", progress.seconds)) s: \(progress.loaded) loaded, \(progress.compiled) compiled, \(progress.npyParsed) .npy parsed, \(progress.badMessages.count) bad messages, \(progress.mismatches.count) mismatches")
}
say(report.description)
say("most frequent rejections:")
for (kind, count) in report.topRejections(25) { say("  \(count) x \(kind)") }
say("\(report.rejectionKinds.count) kinds of rejection")

// Keep every finding's input for replay.
for (n, finding) in (report.badMessages + report.mismatches + report.slow).enumerated() where !finding.input.isEmpty {
    let path = "\(directory)/finding-\(seed)-\(n)-\(finding.stage)"
    FileManager.default.createFile(atPath: path, contents: Data(finding.input))
    say("wrote \(path): \(finding)")
}
exit(report.isClean ? 0 : 1)
