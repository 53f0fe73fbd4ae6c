/// `y[h][w][o] = alpha[o] * sum_{c,i,j} w[o][c][i][j] * xpad[h*sh+i][w*sw+j][c] + bias[o]`,
/// `w = sign(weight)` (1-bit) or the integer weight, the input padded with the real value `padValue`.
public struct Conv2D: Sendable {
    /// sign(weight), rows = filters, columns in (ky, kx, c) order with c fastest: the order the
    /// sliding-window generator streams (converted from the file's OIHW when loaded).
    public var weights: SignMatrix
    /// `weight_bits` 2...8 (version 2): the weights as they are, in `weights`' layout (which then
    /// only gives the shape); nil for 1-bit weights.
    public var integerWeights: IntegerMatrix?
    public var inputChannels: Int
    public var kernel: Pair
    public var stride: Pair
    public var padding: Padding
    public var padValue: PadValue
    public var bias: [Double]
    public var alpha: [Double]

    public init(weights: SignMatrix, integerWeights: IntegerMatrix? = nil, inputChannels: Int, kernel: Pair, stride: Pair,
                padding: Padding, padValue: PadValue, bias: [Double], alpha: [Double]) {
        self.weights = weights
        self.integerWeights = integerWeights
        self.inputChannels = inputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.padValue = padValue
        self.bias = bias
        self.alpha = alpha
    }

    public var filters: Int { weights.rows }
    /// 1 for sign weights, else the integer weights' width.
    public var weightBits: Int { integerWeights?.bits ?? 1 }

    /// Column of weight (ky, kx, c).
    public func column(ky: Int, kx: Int, c: Int) -> Int { (ky * kernel.width + kx) * inputChannels + c }

    public func outputShape(_ input: Shape3) -> Shape3 {
        Shape3(height: (input.height + padding.top + padding.bottom - kernel.height) / stride.height + 1,
               width: (input.width + padding.left + padding.right - kernel.width) / stride.width + 1,
               channels: filters)
    }
}

/// Max over each window, no padding, floor mode.
public struct MaxPool2D: Sendable {
    public var pool: Pair
    public var stride: Pair

    public init(pool: Pair, stride: Pair) {
        self.pool = pool
        self.stride = stride
    }

    public func outputShape(_ input: Shape3) -> Shape3 {
        Shape3(height: (input.height - pool.height) / stride.height + 1,
               width: (input.width - pool.width) / stride.width + 1, channels: input.channels)
    }
}

/// `[h, w]`.
public struct Pair: Sendable, Equatable, Hashable {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }
}

/// Rows and columns added around the input.
public struct Padding: Sendable, Equatable, Hashable {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    public static let none = Padding(top: 0, bottom: 0, left: 0, right: 0)
    public var isNone: Bool { self == .none }
}
