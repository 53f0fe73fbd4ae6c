import BNNEmit

/// The help texts: one synopsis per command and one line per option, so `bnn-hls help` and
/// `bnn-hls COMMAND --help` are built from the same words and cannot drift apart.
enum Help {
    struct Synopsis {
        var command: String
        /// Lines after the first, aligned under the first option whatever prefix the line gets.
        var lines: [String]

        func text(prefix: String) -> String {
            let indent = String(repeating: " ", count: prefix.count + "bnn-hls compile  ".count)
            return prefix + lines.enumerated().map { $0 == 0 ? $1 : indent + $1 }.joined(separator: "\n")
        }
    }

    static let synopses: [Synopsis] = [
        Synopsis(command: "compile", lines: [
            "bnn-hls compile  MODEL [-o DIR] [--fold F] [--inputs X.npy | --vectors N --seed S]",
            "[--part PART] [--clock-ns NS] [--target-fps FPS | --budget B] [--force] [--dump-after STAGE]",
            "[--runtime-weights]",
        ]),
        Synopsis(command: "estimate", lines: ["bnn-hls estimate MODEL [--fold F] [--clock-ns NS] [--target-fps FPS | --budget B] [-o DIR] [--dump-after STAGE]"]),
        Synopsis(command: "simulate", lines: ["bnn-hls simulate MODEL --inputs X.npy [--labels Y.npy] [--output OUT.npy] [--fold F]"]),
        Synopsis(command: "verify", lines: ["bnn-hls verify   MODEL [--inputs X.npy] [--random N] [--seed S] [--fold F]"]),
        Synopsis(command: "pack-weights", lines: ["bnn-hls pack-weights MODEL [-o WEIGHTS.bin] [--fold F] [--target-fps FPS | --budget B]"]),
    ]

    static let summaries: [String: String] = [
        "compile": "writes a Vitis HLS project (C++ top, layer library, testbench, vectors from the float64 reference, Tcl/cfg, Makefile, reports)",
        "estimate": "prints cycles, LUT/BRAM and FIFO depths per stage without synthesis; -o DIR writes the reports and folding.json",
        "simulate": "runs the compiled design bit-accurately on inputs; prints predictions (accuracy with --labels)",
        "pack-weights": "writes the weights file a --runtime-weights design of the same topology and folding loads (header + words)",
        "verify": "compares the float64 reference with the simulated design on every neuron; exits 1 on any mismatch",
    ]

    /// Option -> one or more lines of description, in the order `help` lists them.
    static let allOptions: [(String, String)] = [
        ("-o DIR", "output directory (default hw); replaced atomically, only if it is\nbnn-hls output or empty (else --force); pack-weights: the file (default weights.bin)"),
        ("--fold F", "PE and SIMD per dense or conv2d layer: LAYER=PExSIMD[,...] (e.g. fc1=16x32),\nor a JSON file like the folding.json every compile writes"),
        ("--inputs X.npy", "inputs [N, H, W, C] or [N, H*W*C], uint8/int8 as the model's encoding"),
        ("--labels Y.npy", "labels [N] for the accuracy"),
        ("--output OUT.npy", "write the logits (float64 [N, classes]) or, in argmax mode, the classes"),
        ("--vectors N", "random test vectors for the generated testbench (default 16)"),
        ("--seed S", "seed of the random vectors or inputs"),
        ("--random N", "verify on N seeded random inputs (default 100 without --inputs)"),
        ("--part PART", "Vitis part (default \(EmitOptions.defaultPart))"),
        ("--clock-ns NS", "clock period (default 10 ns)"),
        ("--target-fps FPS", "choose PE/SIMD automatically: the fewest LUTs reaching FPS frames/s"),
        ("--budget B", "choose PE/SIMD automatically: the most frames/s within B, a device\n(xc7z020, pynq-z2, ultra96, zcu104, ...) and/or lut=N,bram=N,macs=N\n(bram in RAMB18s, macs = sum of PE*SIMD); layers named in --fold stay"),
        ("--runtime-weights", "weights and thresholds in RAMs loaded through the top's `weights` stream\n(bnn-hls pack-weights writes the file) instead of ROMs"),
        ("--force", "replace an output directory that is not bnn-hls output"),
        ("--dump-after STAGE", "print what a compiler stage produced as JSON and stop (nothing written):\nfolding (PE/SIMD per layer) or dataflow (hardware stages, the streams\nthey read, widths, cycles, FIFO depths)"),
        ("--threads N", "simulator threads (default: all cores)"),
        ("--max-tensor-elements N", "refuse tensors larger than this (default 134217728)"),
        ("--max-weight-bits N", "refuse designs whose weight ROMs hold more bits (default 134217728)"),
    ]

    static func optionLines(_ options: [(String, String)]) -> String {
        options.map { name, text in
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let pad = { (s: String) in "  " + s.padding(toLength: max(s.count, 24), withPad: " ", startingAt: 0) + " " }
            return lines.enumerated().map { i, line in (i == 0 ? pad(name) : pad("")) + line }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The help of one command: its synopsis, what it does, and the options it accepts.
    static func command(_ name: String) -> String? {
        guard let synopsis = synopses.first(where: { $0.command == name }),
              let values = Arguments.valueOptions[name], let flags = Arguments.flagOptions[name] else { return nil }
        // compile and estimate take --output as another spelling of -o.
        let accepted = values.union(flags).subtracting(name == "compile" || name == "estimate" ? ["--output"] : [])
        let options = allOptions.filter { accepted.contains(String($0.0.split(separator: " ")[0])) }
        return """
            \(synopsis.text(prefix: "usage: "))

            \(summaries[name] ?? "")

            options:
            \(optionLines(options))
              -h, --help               this text
            """
    }
}
