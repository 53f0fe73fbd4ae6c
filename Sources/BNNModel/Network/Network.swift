/// A validated binarized network, exactly as the model file describes it (format version 1 or 2).
///
/// Everything here has passed `ModelLoader`'s checks: shapes chain, numbers are finite,
/// batchnorm variances are usable. Arrangement rules (which layers may follow which) are the
/// compiler's business, so the reference network can still evaluate anything loaded.
public struct Network: Sendable {
    public var name: String
    public var input: InputSpec
    public var layers: [Layer]
    public var outputMode: OutputMode
    public var labels: [String]?
    /// The file's `version`: 1, or 2 (which may use the layer types and keys version 2 adds).
    public var version: Int

    public init(name: String, input: InputSpec, layers: [Layer], outputMode: OutputMode, labels: [String]?, version: Int = 1) {
        self.version = version
        self.name = name
        self.input = input
        self.layers = layers
        self.outputMode = outputMode
        self.labels = labels
    }

    /// The C identifier used for the generated top function and file names.
    public var cName: String { name.replacingOccurrences(of: "-", with: "_") }

    /// Number of classes: the channel count of the last layer's output.
    public var classCount: Int { layers.last?.outputShape.count ?? 0 }
}

public enum OutputMode: String, Sendable {
    case logits
    case argmax
}

/// `[H, W, C]`, streamed channels fastest (HWC), as FINN does.
public struct Shape3: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public static func vector(_ n: Int) -> Shape3 { Shape3(height: 1, width: 1, channels: n) }

    public var count: Int { height * width * channels }
    public var description: String { "[\(height), \(width), \(channels)]" }
}
