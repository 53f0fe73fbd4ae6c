/// report.json: every figure of the estimate, keys in a fixed order, numbers with fixed
/// decimals, no timestamps or paths, so the same design gives the same bytes.
public enum ReportJSON {
    public static func render(_ e: DesignEstimate, optimization: OptimizationSummary? = nil) -> String {
        let p = e.bottleneckCycles
        func share(_ cycles: Int) -> String { Formatting.fixed(p == 0 ? 0 : Double(cycles) / Double(p), 4) }
        func resources(_ r: Resources) -> String { "\"lut\": \(r.luts), \"bram18\": \(r.bram18), \"uram\": \(r.uram), \"dsp\": \(r.dsps)" }
        func depth(_ d: Int?) -> String { d.map(String.init) ?? "null" }
        var out = "{\n"
        out += "  \"format\": \"bnn-hls-report\",\n  \"version\": 1,\n"
        out += "  \"design\": \(Formatting.json(e.geometry.name)),\n"
        out += "  \"clock_ns\": \(Formatting.number(e.clockNs)),\n"
        out += "  \"throughput\": {\n"
        out += "    \"bottleneck_cycles\": \(p),\n"
        out += "    \"bottleneck_layers\": [\(e.bottleneckLayers.map { Formatting.json(e.geometry.layers[$0].key) }.joined(separator: ", "))],\n"
        out += "    \"frames_per_second\": \(Formatting.fixed(e.framesPerSecond, 3)),\n"
        out += "    \"macs_per_frame\": \(e.macs),\n"
        out += "    \"macs_per_cycle\": \(e.lanes),\n"
        out += "    \"ideal_cycles\": \(Formatting.fixed(e.idealCycles, 1)),\n"
        out += "    \"efficiency\": \(Formatting.fixed(e.efficiency, 4)),\n"
        out += "    \"latency_cycles\": \(e.latencyCycles),\n"
        out += "    \"latency_us\": \(Formatting.fixed(e.latencyMicroseconds, 3)),\n"
        out += "    \"model_interval_cycles\": \(e.fifo.interval)\n"
        out += "  },\n"
        out += "  \"totals\": {\(resources(e.totals))},\n"
        if let o = optimization {
            out += "  \"optimizer\": {\"goal\": \(Formatting.json(o.goal)), \"budget\": \(o.budget.map(Formatting.json) ?? "null"), "
                + "\"next_faster_cycles\": \(o.nextFasterCycles.map(String.init) ?? "null"), \"approximate\": \(o.approximate)},\n"
        } else {
            out += "  \"optimizer\": null,\n"
        }
        let layers = e.layers.map { l -> String in
            let g = l.geometry
            var row = "    {\"index\": \(l.index), \"name\": \(Formatting.json(g.key)), \"shape\": \(Formatting.json(l.shape)), "
            row += "\"mw\": \(g.inputs), \"mh\": \(g.outputs), \"padded_mw\": \(l.paddedInputs), \"padded_mh\": \(l.paddedOutputs), "
            row += "\"pixels\": \(g.pixels), \"pe\": \(l.folding.pe), \"simd\": \(l.folding.simd), "
            row += "\"cycles\": \(l.cycles), \"bottleneck_share\": \(share(l.cycles)), \(resources(l.resources)), "
            row += "\"input_fifo_depth\": \(depth(l.inputFIFODepth)), \"output_fifo_depth\": \(depth(l.outputFIFODepth)), "
            row += "\"finn_mvau\": {\"lut\": \(FINNReferenceModel.mvauLUTs(g, pe: l.folding.pe, simd: l.folding.simd)), "
            row += "\"bram18\": \(FINNReferenceModel.mvauBRAM18(g, pe: l.folding.pe, simd: l.folding.simd))}}"
            return row
        }
        out += "  \"layers\": [\n" + layers.joined(separator: ",\n") + "\n  ],\n"
        let stages = e.stages.map { s -> String in
            let memories = s.cost.memories.map {
                "{\"role\": \(Formatting.json($0.role)), \"banks\": \($0.banks), \"depth\": \($0.depth), \"width\": \($0.width), \"mapping\": \"\($0.mapping.rawValue)\"}"
            }
            var row = "    {\"id\": \(Formatting.json(s.stage.id.description)), \"kind\": \(Formatting.json(s.stage.kind.name)), "
            row += "\"label\": \(Formatting.json(s.stage.label)), \"cycles\": \(s.cycles), \"bottleneck_share\": \(share(s.cycles)), "
            row += "\(resources(s.cost.total)), \"memories\": [\(memories.joined(separator: ", "))], "
            row += "\"output_width\": \(s.stage.outputWidth), \"output_words\": \(s.stage.outputWords), \"fifo_depth\": \(depth(s.fifoDepth)), "
            row += "\"fifo\": {\(resources(s.fifoCost))}}"
            return row
        }
        out += "  \"stages\": [\n" + stages.joined(separator: ",\n") + "\n  ],\n"
        let fifos = e.fifos.map { f -> String in
            "    {\"stream\": \(Formatting.json(f.stream.description)), \"from\": \(Formatting.json(e.stages[f.producer].stage.id.description)), "
                + "\"to\": \(Formatting.json(e.stages[f.consumer].stage.id.description)), \"shortcut\": \(f.isShortcut), \"width\": \(f.width), "
                + "\"depth\": \(f.depth), \"mapping\": \"\(f.mapping == .lutram ? "srl" : "bram")\", \(resources(f.cost))}"
        }
        out += "  \"fifos\": [\n" + fifos.joined(separator: ",\n") + "\n  ]\n"
        return out + "}\n"
    }
}
