import BNNDesign

/// The board flow's files: `ip.tcl` (Vitis HLS export of the board top), `src/NAME_board.cpp`
/// (the design behind AXI4-Lite control and TLAST for an AXI DMA) and `board.tcl` (the Vivado
/// block design for PYNQ-Z2 or ZCU104). Untested on hardware; `BoardFlowTests` runs the Tcl
/// against recording stubs of the Xilinx commands.
enum BoardEmitter {
    /// Widest AXI DMA stream (1024 bits); the DMA takes powers of two of bytes up to it.
    static let maxDMABytes = 128

    static func files(_ design: Design, top: TopEmitter, options: EmitOptions, runtime: Bool,
                      render: (String, [String: String]) throws -> String) throws -> [GeneratedFile] {
        let name = design.name
        let inBytes = DriverEmitter.bytes(top.inputWordBits)
        let outBytes = DriverEmitter.bytes(top.outputWordBits)
        let flow = ["name": name, "part": options.part, "clock_ns": CppLiterals.double(options.clockNs)]
        return [
            GeneratedFile(path: "ip.tcl", text: try render("ip.tcl.tmpl", flow)),
            GeneratedFile(path: "board.tcl", text: try render("board.tcl.tmpl", [
                "name": name, "clock_ns": flow["clock_ns"] ?? "", "clock_mhz": megahertz(options.clockNs), "runtime_weights": runtime ? "1" : "0",
                "input_word_bytes": "\(inBytes)", "output_word_bytes": "\(outBytes)",
                "dma_input_bytes": "\(dmaBytes(inBytes))", "dma_output_bytes": "\(dmaBytes(outBytes))",
            ])),
            GeneratedFile(path: "src/\(name)_board.cpp", text: try render("board_top.cpp.tmpl", [
                "name": name, "output_word_bytes": "\(outBytes)", "output_words": "\(top.outputWords)",
                // Runtime weights: load = 1 passes the weights stream to the design and no frame out.
                "load_parameter": runtime ? ", ap_uint<1> load" : "",
                "load_skip": runtime ? "    if (load) return;\n" : "",
                "board_parameters": runtime ? ", hls::stream<ap_uint<32> > &weights, ap_uint<1> load" : "",
                "board_pragmas": runtime ? "#pragma HLS INTERFACE axis port=weights\n#pragma HLS INTERFACE s_axilite port=load\n" : "",
                "call_arguments": runtime ? ", weights, load" : "", "load_argument": runtime ? ", load" : "",
            ])),
        ]
    }

    /// The DMA stream width for a port of `bytes` bytes per word: the next power of two, at most 128.
    static func dmaBytes(_ bytes: Int) -> Int {
        var width = 1
        while width < bytes && width < maxDMABytes { width *= 2 }
        return width
    }

    /// The PL clock for Vivado's FREQMHZ properties: whole MHz without decimals, else three.
    static func megahertz(_ clockNs: Double) -> String {
        let mhz = 1000 / clockNs
        if mhz == mhz.rounded() { return "\(Int(mhz))" }
        var text = String(mhz.rounded(toPlaces: 3))
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
