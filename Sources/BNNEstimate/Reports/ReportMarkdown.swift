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
            lines.append("| \(SafeText.markdown(s.stage.label)) | \(s.stage.kind.name) | \(s.cycles) | \(s.cost.total.luts) | \(s.cost.total.bram18) | \(SafeText.markdown(memories)) | \(s.stage.outputWidth) bits | \(depth(s.fifoDepth)) | \(s.fifoCost.luts)/\(s.fifoCost.bram18) |")
        }
        lines += ["", e.fifo.isModelled ? "FIFO model: one frame every \(e.fifo.interval) cycles once full."
                  : "FIFO model not run (the design is too large to replay cycle by cycle, or its stages do not chain): depths are the minimum, latency unknown.", ""]
        let shortcuts = e.graph.shortcutFIFOs
        if !shortcuts.isEmpty {
            // A residual graph: the duplicates' second outputs wait for the long branch.
            lines += ["Shortcut FIFOs (a duplicate's second output, read by a join once the long branch delivers; "
                      + "the row of the duplicate above counts their cost): "
                      + shortcuts.map { "`\($0.stream)` depth \($0.depth)" }.joined(separator: ", ") + ".", ""]
        }
        return lines.joined(separator: "\n")
    }
}
