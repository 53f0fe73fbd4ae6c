import BNNDataflow

/// The board section of report.md: frames/s at the clock, the AXI DMA's bytes per frame in and
/// out (the top's stream words padded to whole bytes, as the AXI-Stream ports carry them), and
/// the bandwidth that takes beside the PS's high-performance slave port at the same clock.
enum ReportBoard {
    /// Bytes of the top's input and output streams per frame.
    static func bytesPerFrame(_ e: DesignEstimate) -> (input: Int, output: Int) {
        let g = e.geometry
        let inBits = e.graph.stages.first?.inputWidth ?? g.input.bits
        let inWords = inBits == 0 ? 0 : g.input.count * g.input.bits / inBits
        let outBits = e.graph.stages.last?.outputWidth ?? 1
        let lastPE = e.foldings.last?.pe ?? 1
        let outWords = g.output == .logits ? (g.classes + lastPE - 1) / max(lastPE, 1) : 1
        return (inWords * ((inBits + 7) / 8), outWords * ((outBits + 7) / 8))
    }

    static func lines(_ e: DesignEstimate) -> [String] {
        let (input, output) = bytesPerFrame(e)
        let fps = e.framesPerSecond
        let mhz = 1000 / e.clockNs
        func mbps(_ bytesPerSecond: Double) -> String { Formatting.fixed(bytesPerSecond / 1e6, 1) + " MB/s" }
        var lines = ["", "## On a board (AXI DMA)", "",
                     "Expected throughput at \(Formatting.number(e.clockNs)) ns: \(Formatting.fixed(fps, 1)) frames/s, if the DMA keeps the",
                     "input stream full (the bottleneck's rate; driver/bnn_driver.py's pynq backend adds a DMA",
                     "transfer per frame on the output, which a Python loop will not sustain at this rate). Per frame",
                     "the DMA moves \(input) bytes in and \(output) bytes out (stream words padded to whole bytes).", "",
                     "| board | PS slave port | port limit per direction | needed in | needed out | share of the limit |",
                     "| --- | --- | ---: | ---: | ---: | ---: |"]
        // Zynq-7000 S_AXI_HP0: 64 bits per PL clock per direction (UG585, AXI_HP interfaces);
        // Zynq UltraScale+ S_AXI_HP0_FPD: 128 bits (UG1085, PL-PS AXI interfaces).
        for (board, port, bytes) in [("PYNQ-Z2 (Zynq-7000)", "S_AXI_HP0, 64-bit", 8), ("ZCU104 (Zynq UltraScale+)", "S_AXI_HP0_FPD, 128-bit", 16)] {
            let limit = Double(bytes) * mhz * 1e6
            let needIn = Double(input) * fps
            let needOut = Double(output) * fps
            lines.append("| \(board) | \(port) | \(mbps(limit)) | \(mbps(needIn)) | \(mbps(needOut)) | \(Formatting.fixed(100 * max(needIn, needOut) / limit, 1))% |")
        }
        lines += ["", "Port limits are the port's data width times the PL clock (the design's clock), read and write",
                  "channels separately (Zynq-7000 TRM UG585, chapter 5: HP ports of 32 or 64 bits; Zynq UltraScale+ TRM",
                  "UG1085: PL-to-PS HP ports of 32, 64 or 128 bits); a share over 100% means",
                  "memory bandwidth, not the network, bounds frames/s. Untested on hardware."]
        return lines
    }
}
