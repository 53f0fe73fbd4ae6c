/// One entry of the model's `layers` list, with the shapes it was checked against.
public struct Layer: Sendable {
    /// Position in `layers`.
    public var index: Int
    public var name: String?
    public var kind: LayerKind
    public var inputShape: Shape3
    public var outputShape: Shape3
    /// Version 2 `input`: the index of the earlier layer whose output this layer reads instead
    /// of the previous layer's; nil when it reads the previous layer (the model input for layers[0]).
    public var inputLayer: Int?

    public init(index: Int, name: String?, kind: LayerKind, inputShape: Shape3, outputShape: Shape3, inputLayer: Int? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.inputLayer = inputLayer
    }

    /// The index of the layer whose output this layer reads; nil for the model input.
    public var sourceIndex: Int? { inputLayer ?? (index > 0 ? index - 1 : nil) }

    /// How messages name the layer: `layers[3] (bn1)`, or `layers[3] (batchnorm)` without a name.
    public var label: String { Layer.label(index: index, name: name, type: kind.typeName) }

    public static func label(index: Int, name: String?, type: String) -> String {
        "layers[\(index)] (\(name ?? type))"
    }
}

public enum LayerKind: Sendable {
    case dense(Dense)
    case conv2d(Conv2D)
    case maxpool2d(MaxPool2D)
    case batchnorm(BatchNorm)
    case sign(Sign)
    case flatten(Flatten)
    // Version 2.
    case quantize(Quantize)
    case multithreshold(MultiThreshold)
    case shift(Shift)
    case prelu(PReLU)
    case clamp(Clamp)
    case avgpool2d(AvgPool2D)
    case add(Add)

    public var typeName: String {
        switch self {
        case .dense: return "dense"
        case .conv2d: return "conv2d"
        case .maxpool2d: return "maxpool2d"
        case .batchnorm: return "batchnorm"
        case .sign: return "sign"
        case .flatten: return "flatten"
        case .quantize: return "quantize"
        case .multithreshold: return "multithreshold"
        case .shift: return "shift"
        case .prelu: return "prelu"
        case .clamp: return "clamp"
        case .avgpool2d: return "avgpool2d"
        case .add: return "add"
        }
    }
}

/// `y[j] = alpha[j] * sum_i w[j][i] * x[i] + bias[j]`, `w = sign(weight)` (1-bit) or the integer weight.
public struct Dense: Sendable {
    /// sign(weight), `[units][inputs]`, out x in as PyTorch's `Linear`. With `integerWeights`
    /// it only gives the shape (it holds `weight >= 0`): the integers are the weights.
    public var weights: SignMatrix
    /// `weight_bits` 2...8 (version 2): the weights as they are, same layout; nil for 1-bit weights.
    public var integerWeights: IntegerMatrix?
    public var bias: [Double]
    public var alpha: [Double]

    public init(weights: SignMatrix, integerWeights: IntegerMatrix? = nil, bias: [Double], alpha: [Double]) {
        self.weights = weights
        self.integerWeights = integerWeights
        self.bias = bias
        self.alpha = alpha
    }

    /// 1 for sign weights, else the integer weights' width.
    public var weightBits: Int { integerWeights?.bits ?? 1 }

    public var units: Int { weights.rows }
    public var inputs: Int { weights.columns }
}

/// `y[c] = gamma[c] * (x[c] - mean[c]) / sqrt(var[c] + eps) + beta[c]`.
public struct BatchNorm: Sendable {
    public var gamma: [Double]
    public var beta: [Double]
    public var mean: [Double]
    public var variance: [Double]
    public var eps: Double

    public init(gamma: [Double], beta: [Double], mean: [Double], variance: [Double], eps: Double) {
        self.gamma = gamma
        self.beta = beta
        self.mean = mean
        self.variance = variance
        self.eps = eps
    }
}

/// `y[c] = sign(x[c] - offset[c])`, with sign(0) = +1.
public struct Sign: Sendable {
    public var offset: [Double]

    public init(offset: [Double]) { self.offset = offset }
}

/// Turns `[H, W, C]` into a vector numbered in `order`.
public struct Flatten: Sendable {
    public var order: FlattenOrder

    public init(order: FlattenOrder) { self.order = order }
}

public enum FlattenOrder: String, Sendable {
    /// PyTorch's `Flatten` on NCHW.
    case chw = "CHW"
    /// Keras's `Flatten` on NHWC; the same as the stream order.
    case hwc = "HWC"

    /// Position in this order's numbering of the element at stream (HWC) position `hwcIndex`.
    public func index(ofStreamPosition hwcIndex: Int, shape: Shape3) -> Int {
        switch self {
        case .hwc:
            return hwcIndex
        case .chw:
            let c = hwcIndex % shape.channels
            let pixel = hwcIndex / shape.channels
            return c * shape.height * shape.width + pixel
        }
    }
}
