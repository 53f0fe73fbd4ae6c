import BNNEmit
import BNNModel
import BNNReference
import Foundation

/// Entry point of the `bnn-hls` executable: argv in, exit code out. Every failure is a one-line
/// message on stderr: 1 for bad input or a failed check, 2 for a usage error.
public enum CommandLineTool {
    public static let usage = """
        bnn-hls: compile a binarized neural network (model.json) into a FINN-style Vitis HLS design

        usage:
        \(Help.synopses.map { $0.text(prefix: "  ") }.joined(separator: "\n"))
          bnn-hls help [COMMAND]       (or bnn-hls COMMAND --help)

        options:
        \(Help.optionLines(Help.allOptions))
        """

    public static func main(_ argv: [String]) -> Int32 {
        run(argv, print: { Swift.print($0) }, printError: { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        })
    }

    /// The testable core: the same as `main`, with output captured by the caller.
    public static func run(_ argv: [String], print: (String) -> Void, printError: (String) -> Void) -> Int32 {
        if argv.isEmpty || ["help", "-h", "--help"].contains(argv[0]) {
            guard argv.count > 1 else {
                print(usage)
                return argv.isEmpty ? 2 : 0
            }
            guard let text = Help.command(argv[1]) else {
                printError(UsageError(message: "no command \"\(argv[1])\"; expected compile, estimate, simulate, verify or pack-weights").description)
                return 2
            }
            print(text)
            return 0
        }
        // `bnn-hls COMMAND --help` answers whatever else is on the line.
        if argv.count > 1, argv.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }), let text = Help.command(argv[0]) {
            print(text)
            return 0
        }
        do {
            let args = try Arguments.parse(argv)
            switch args.command {
            case "compile": try CompileCommand.run(args, print: print)
            case "estimate": try EstimateCommand.run(args, print: print)
            case "simulate": try SimulateCommand.run(args, print: print)
            case "pack-weights": try PackWeightsCommand.run(args, print: print)
            default: return try VerifyCommand.run(args, print: print) ? 0 : 1
            }
            return 0
        } catch let error as UsageError {
            printError(error.description)
            return 2
        } catch let error as Diagnostic {
            printError(error.description)
            return 1
        } catch {
            printError("bnn-hls: error: \(error)")
            return 1
        }
    }
}
