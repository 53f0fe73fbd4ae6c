/// How the network's input elements are encoded and what real value each stands for.
public struct InputSpec: Sendable {
    public var shape: Shape3
    public var encoding: InputEncoding
    /// Real value of an element q is `scale * (q - zeroPoint)` (1 and 0 for bipolar).
    public var scale: Double
    public var zeroPoint: Int

    public init(shape: Shape3, encoding: InputEncoding, scale: Double = 1, zeroPoint: Int = 0) {
        self.shape = shape
        self.encoding = encoding
        self.scale = scale
        self.zeroPoint = zeroPoint
    }
}

public enum InputEncoding: String, Sendable {
    case bipolar
    case uint8
    case int8

    /// The integers an element may take.
    public var valueRange: ClosedRange<Int> {
        switch self {
        case .bipolar: return -1...1
        case .uint8: return 0...255
        case .int8: return -128...127
        }
    }

    /// Bits per element in the hardware input stream.
    public var bits: Int { self == .bipolar ? 1 : 8 }

    public var isSigned: Bool { self == .int8 }

    /// Whether `value` is a legal element (bipolar excludes 0).
    public func accepts(_ value: Int) -> Bool {
        self == .bipolar ? (value == 1 || value == -1) : valueRange.contains(value)
    }
}
