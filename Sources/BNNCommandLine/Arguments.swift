import BNNCompiler
import BNNDesign
import BNNModel

/// A mistake in how the tool was called (exit code 2), as opposed to bad data (exit code 1).
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "bnn-hls: usage error: \(message)\n(run `bnn-hls help` for the commands and options)" }
}

/// The parsed command line: a subcommand, its model file, and its options.
struct Arguments {
    var command: String
    var model: String?
    var options: [String: [String]] = [:]
    var flags: Set<String> = []

    /// Options that take a value, and flags that don't, per command.
    static let valueOptions: [String: Set<String>] = [
        "compile": ["-o", "--output", "--fold", "--inputs", "--vectors", "--seed", "--part", "--clock-ns", "--target-fps", "--budget", "--max-tensor-elements", "--max-weight-bits", "--dump-after"],
        "estimate": ["-o", "--output", "--fold", "--clock-ns", "--target-fps", "--budget", "--max-tensor-elements", "--max-weight-bits", "--dump-after"],
        "simulate": ["--inputs", "--labels", "--output", "--fold", "--threads", "--max-tensor-elements", "--max-weight-bits"],
        "verify": ["--inputs", "--random", "--seed", "--fold", "--threads", "--max-tensor-elements", "--max-weight-bits"],
        "pack-weights": ["-o", "--output", "--fold", "--clock-ns", "--target-fps", "--budget", "--max-tensor-elements", "--max-weight-bits"],
    ]
    static let flagOptions: [String: Set<String>] = [
        "compile": ["--force", "--runtime-weights"], "estimate": ["--force"], "simulate": [], "verify": [], "pack-weights": [],
    ]

    static func parse(_ argv: [String]) throws(UsageError) -> Arguments {
        guard let command = argv.first else { throw UsageError(message: "no command given") }
        guard let values = valueOptions[command], let flags = flagOptions[command] else {
            throw UsageError(message: "unknown command \"\(command)\"; expected compile, estimate, simulate, verify, pack-weights or help")
        }
        var result = Arguments(command: command)
        var i = 1
        while i < argv.count {
            let arg = argv[i]
            if values.contains(arg) {
                guard i + 1 < argv.count else { throw UsageError(message: "\(arg) needs a value") }
                let key = arg == "--output" && ["compile", "estimate", "pack-weights"].contains(command) ? "-o" : arg
                result.options[key, default: []].append(argv[i + 1])
                i += 2
            } else if flags.contains(arg) {
                result.flags.insert(arg)
                i += 1
            } else if arg.hasPrefix("-") {
                throw UsageError(message: "unknown option \(arg) for \(command)")
            } else {
                guard result.model == nil else { throw UsageError(message: "unexpected argument \"\(arg)\" (one model file per call)") }
                result.model = arg
                i += 1
            }
        }
        guard result.model != nil else { throw UsageError(message: "\(command) needs a model file: bnn-hls \(command) model.json") }
        return result
    }

    var modelFile: String { model ?? "" }

    func value(_ name: String) throws(UsageError) -> String? {
        guard let all = options[name] else { return nil }
        guard all.count == 1, let only = all.first else { throw UsageError(message: "\(name) given more than once") }
        return only
    }

    func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = try value(name) else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError(message: "\(name) expects an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return n
    }

    func double(_ name: String, default fallback: Double) throws(UsageError) -> Double {
        guard let text = try value(name) else { return fallback }
        guard let x = Double(text), x.isFinite, x > 0 else { throw UsageError(message: "\(name) expects a positive number, got \"\(text)\"") }
        return x
    }

    func loadLimits() throws(UsageError) -> LoadLimits {
        LoadLimits(maxTensorElements: try integer("--max-tensor-elements", default: LoadLimits().maxTensorElements, range: 1...(1 << 34)))
    }
}
