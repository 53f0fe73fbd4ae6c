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
          bnn-hls compile  MODEL [-o DIR] [--fold F] [--inputs X.npy | --vectors N --seed S]
                                 [--part PART] [--clock-ns NS] [--target-fps FPS | --budget B] [--force]
          bnn-hls estimate MODEL [--fold F] [--clock-ns NS] [--target-fps FPS | --budget B] [-o DIR]
          bnn-hls simulate MODEL --inputs X.npy [--labels Y.npy] [--output OUT.npy] [--fold F]
          bnn-hls verify   MODEL [--inputs X.npy] [--random N] [--seed S] [--fold F]
          bnn-hls help

        options:
          -o DIR             output directory (default hw); replaced atomically, only if it is
                             bnn-hls output or empty (else --force)
          --fold F           PE and SIMD per dense layer: LAYER=PExSIMD[,...] (e.g. fc1=16x32), or a
                             JSON file like the folding.json every compile writes
          --inputs X.npy     inputs [N, H, W, C] or [N, H*W*C], uint8/int8 as the model's encoding
          --vectors N        random test vectors for the generated testbench (default 16)
          --random N         verify on N seeded random inputs (default 100 without --inputs)
          --part, --clock-ns Vitis part (default \(EmitOptions.defaultPart)) and clock (default 10 ns)
          --target-fps FPS   choose PE/SIMD automatically: the fewest LUTs reaching FPS frames/s
          --budget B         choose PE/SIMD automatically: the most frames/s within B, a device
                             (xc7z020, pynq-z2, ultra96, zcu104, ...) and/or lut=N,bram=N,macs=N
                             (bram in RAMB18s, macs = sum of PE*SIMD); layers named in --fold stay
          --threads N        simulator threads (default: all cores)
          --max-tensor-elements N   refuse tensors larger than this (default 134217728)
          --max-weight-bits N       refuse designs whose weight ROMs hold more bits (default 134217728)
        """

    public static func main(_ argv: [String]) -> Int32 {
        run(argv, print: { Swift.print($0) }, printError: { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        })
    }

    /// The testable core: the same as `main`, with output captured by the caller.
    public static func run(_ argv: [String], print: (String) -> Void, printError: (String) -> Void) -> Int32 {
        if argv.isEmpty || ["help", "-h", "--help"].contains(argv[0]) {
            print(usage)
            return argv.isEmpty ? 2 : 0
        }
        do {
            let args = try Arguments.parse(argv)
            switch args.command {
            case "compile": try CompileCommand.run(args, print: print)
            case "estimate": try EstimateCommand.run(args, print: print)
            case "simulate": try SimulateCommand.run(args, print: print)
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
