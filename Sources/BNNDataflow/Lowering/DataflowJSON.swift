import BNNModel

extension DataflowGraph {
    /// The graph as `--dump-after dataflow` prints it: every stage with the streams it reads,
    /// its stream widths and words per frame, cycles and output FIFO depth, in call order;
    /// keys in a fixed order, so the same design gives the same bytes.
    public func json() -> String {
        let rows = stages.enumerated().map { i, s in
            let inputs = s.inputs.map { JSONText.quoted($0.description, clip: false) }.joined(separator: ", ")
            return "    {\"id\": \(JSONText.quoted(s.id.description, clip: false)), \"function\": \"\(s.kind.name)\", "
                + "\"label\": \(JSONText.quoted(s.label, clip: false)), \"layer\": \(s.layer), \"inputs\": [\(inputs)], "
                + "\"input_width\": \(s.inputWidth), \"input_words\": \(s.inputWords), \"output_width\": \(s.outputWidth), "
                + "\"output_words\": \(s.outputWords), \"cycles\": \(s.cycles), \"fifo_depth\": \(fifoDepth(ofStage: i).map(String.init) ?? "null")"
                + s.outputs.dropFirst().map { ", \"second_output\": \(JSONText.quoted($0.description, clip: false)), \"second_fifo_depth\": \(fifo.depths[$0] ?? FIFOSizing.minimumDepth)" }.joined()
                + "}"
        }
        return "{\n  \"stages\": [\n" + rows.joined(separator: ",\n") + "\n  ],\n"
            + "  \"fifo_model\": {\"modelled\": \(fifo.isModelled), \"latency\": \(fifo.latency), \"interval\": \(fifo.interval)}\n}\n"
    }
}
