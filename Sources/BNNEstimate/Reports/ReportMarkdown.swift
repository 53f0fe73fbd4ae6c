import BNNDesign
import BNNModel

/// report.md: the estimate as a person reads it.
public enum ReportMarkdown {
    public static func render(_ e: DesignEstimate, optimization: OptimizationSummary? = nil) -> String {
        let p = e.bottleneckCycles
        func percent(_ cycles: Int) -> String { Formatting.fixed(p == 0 ? 0 : 100 * Double(cycles) / Double(p), 1) + "%" }
        func depth(_ d: Int?) -> String { d.map(String.init) ?? "out" }
        let names = e.bottleneckLayers.map { e.geometry.layers[$0].key }.joined(separator: ", ")
        var lines = [
            "# \(e.geometry.name): performance and resource estimate", "",
            "Estimated by bnn-hls from the compiled design, without synthesis (formulas and their sources:",
            "bnn-hls docs/estimates.md). Clock \(Formatting.number(e.clockNs)) ns.", "",
            "- Throughput: \(Formatting.fixed(e.framesPerSecond, 1)) frames/s; the bottleneck takes \(p) cycles/frame (\(SafeText.markdown(names))).",
            "- Latency: \(e.latencyCycles) cycles (\(Formatting.fixed(e.latencyMicroseconds, 2)) us) from the first input word to the first frame's last output word.",
            "- Pipeline efficiency: \(Formatting.fixed(e.efficiency, 3)) = ideal \(Formatting.fixed(e.idealCycles, 1)) cycles (\(e.macs) MACs / \(e.lanes) MACs per cycle) / \(p).",
            "- Resources: \(e.totals.luts) LUTs, \(e.totals.bram18) BRAM18, \(e.totals.uram) URAM, \(e.totals.dsps) DSP (stages and FIFOs).",
        ]
        if let o = optimization { lines += o.lines.map { "- " + $0 } }
        lines += ["", "## Layers", "",
                  "| layer | shape | PE | SIMD | cycles/frame | share of bottleneck | LUT | BRAM18 | FIFO in | FIFO out |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for l in e.layers {
            let mark = l.cycles == p ? " **(bottleneck)**" : ""
            lines.append("| \(SafeText.markdown(l.geometry.key))\(mark) | \(SafeText.markdown(l.shape)) | \(l.folding.pe) | \(l.folding.simd) | \(l.cycles) | \(percent(l.cycles)) | \(l.resources.luts) | \(l.resources.bram18) | \(l.inputFIFODepth.map(String.init) ?? "in") | \(depth(l.outputFIFODepth)) |")
        }
        lines.append("| **total** | | | | | | \(e.totals.luts) | \(e.totals.bram18) | | |")
        lines += ["", "## Stages and FIFOs", "",
                  "Every stage is an II=1 loop. FIFO depths come from a cycle model of the pipeline: depths with",
                  "which the bottleneck never waits once the pipeline is full (bnn-hls docs/estimates.md).", "",
                  "| stage | function | cycles/frame | LUT | BRAM18 | memories (banks x depth x bits) | output word | FIFO depth | FIFO LUT/BRAM18 |",
                  "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
        for s in e.stages {
            let memories = s.cost.memories.map { "\($0.role) \($0.banks)x\($0.depth)x\($0.width) \($0.mapping.rawValue)" }.joined(separator: "; ")
            let copies = s.fifos.filter(\.isShortcut).map { "; \($0.stream) \($0.depth)" }.joined()
            lines.append("| \(SafeText.markdown(s.stage.label)) | \(s.stage.kind.name) | \(s.cycles) | \(s.cost.total.luts) | \(s.cost.total.bram18) | \(SafeText.markdown(memories)) | \(s.stage.outputWidth) bits | \(depth(s.fifoDepth))\(copies) | \(s.fifoCost.luts)/\(s.fifoCost.bram18) |")
        }
        lines += shortcutLines(e)
        lines += ["", e.fifo.isModelled ? "FIFO model: one frame every \(e.fifo.interval) cycles once full."
                  : "FIFO model not run (the design is too large to replay cycle by cycle, or its stages do not chain): depths are the minimum, latency unknown."]
        lines += ReportBoard.lines(e) + [""]
        return lines.joined(separator: "\n")
    }

    /// The residual shortcuts' FIFOs, if the design has any: what each holds and what it costs.
    static func shortcutLines(_ e: DesignEstimate) -> [String] {
        guard !e.shortcutFIFOs.isEmpty else { return [] }
        var lines = ["", "## Shortcut FIFOs", "",
                     "A duplicated stream's second copy waits here while the long branch (window line buffer, MVAU)",
                     "has not consumed the same pixels yet; its depth is the cycle model's. Vitis maps a FIFO of at most",
                     "\(ResourceModel.srlMaxBits) bits to shift registers (SRL), a larger one to BRAM18 (bnn-hls docs/estimates.md).", "",
                     "| stream | from | to | word | depth | bits | maps to | LUT | BRAM18 |",
                     "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
        for f in e.shortcutFIFOs {
            let from = e.stages[f.producer].stage.label, to = e.stages[f.consumer].stage.label
            let maps = f.mapping == .lutram ? "SRL" : "BRAM18"
            lines.append("| \(f.stream) | \(SafeText.markdown(from)) | \(SafeText.markdown(to)) | \(f.width) bits | \(f.depth) | \(Divisors.product(f.depth, f.width)) | \(maps) | \(f.cost.luts) | \(f.cost.bram18) |")
        }
        return lines
    }
}
