/// One process of the top function's dataflow region: the streams it reads, what it reads and
/// writes per frame. Its output stream is named by its `id`.
public struct HardwareStage: Sendable {
    public let id: StageID
    public let kind: StageKind
    /// The streams this one reads, in port order (main, then shortcut for a join); empty for the
    /// stage that reads the top function's `in` port. A stream is named by the stage that writes
    /// it, or `.shortcut(k)` for a duplicate's second output.
    public var inputs: [StageID] = []
    /// The streams it writes: its own (`id`), and for a duplicate also `.shortcut(k)`.
    public var outputs: [StageID]
    /// Cycles per frame of its II=1 loop, worked out once (a repack's replays its schedule).
    public let cycles: Int
    /// The layer whose row of the report this stage counts towards (the binarizer counts
    /// towards the first layer, the argmax towards the last).
    public var layer: Int
    /// How the report names the stage, e.g. `conv3 window`.
    public var label: String
    /// Bits per word and words per frame of the input and output streams.
    public var inputWidth: Int
    public var inputWords: Int
    public var outputWidth: Int
    public var outputWords: Int

    public init(id: StageID, kind: StageKind, layer: Int, label: String, inputWidth: Int, inputWords: Int, outputWidth: Int, outputWords: Int) {
        self.id = id
        self.kind = kind
        self.cycles = CycleModel.cycles(kind)
        self.layer = layer
        self.label = label
        self.inputWidth = inputWidth
        self.inputWords = inputWords
        self.outputWidth = outputWidth
        self.outputWords = outputWords
        self.outputs = [id]
    }
}
