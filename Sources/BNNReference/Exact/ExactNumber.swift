/// An exact rational `±magnitude * 2^exponent / denominator`: every float64, their sums and
/// products, and means (division by a window size) are exact here; `double` rounds once.
///
/// The denominator is kept odd (powers of two go into the exponent), so dyadic values, which
/// is everything but averages, never divide.
public struct ExactNumber: Sendable, CustomStringConvertible {
    public private(set) var negative: Bool
    public private(set) var magnitude: BigUInt
    public private(set) var exponent: Int
    /// Odd, >= 1.
    public private(set) var denominator: BigUInt

    public static let zero = ExactNumber(negative: false, magnitude: .zero, exponent: 0, denominator: .one)

    private init(negative: Bool, magnitude: BigUInt, exponent: Int, denominator: BigUInt) {
        self.negative = negative
        self.magnitude = magnitude
        self.exponent = exponent
        self.denominator = denominator
        normalize()
    }

    /// Exactly `value`; nil for infinities and NaN.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        guard value != 0 else { self = .zero; return }
        // value = significandBitPattern-with-hidden-bit * 2^(exponent - 52) (subnormals: no hidden bit).
        let bits = value.significandBitPattern | (value.isNormal ? 1 << 52 : 0)
        let scale = value.isNormal ? Int(value.exponent) - 52 : -1074
        self.init(negative: value < 0, magnitude: BigUInt(bits), exponent: scale, denominator: .one)
    }

    public init(_ value: Int) {
        self.init(negative: value < 0, magnitude: BigUInt(UInt64(value.magnitude)), exponent: 0, denominator: .one)
    }

    public var isZero: Bool { magnitude.isZero }

    /// The value when it is a float64 exactly (no rounding needed), else nil.
    public var exactDouble: Double? {
        guard denominator == .one, magnitude.bitWidth <= 53 else { return nil }
        let d = double
        return ExactNumber(d).map { $0 == self } == true ? d : nil
    }

    private mutating func normalize() {
        if magnitude.isZero {
            negative = false
            exponent = 0
            denominator = .one
            return
        }
        let zeros = magnitude.trailingZeroBitCount
        if zeros > 0 {
            magnitude = magnitude >> zeros
            exponent += zeros
        }
    }

    public static prefix func - (a: ExactNumber) -> ExactNumber {
        ExactNumber(negative: !a.negative, magnitude: a.magnitude, exponent: a.exponent, denominator: a.denominator)
    }

    public static func + (a: ExactNumber, b: ExactNumber) -> ExactNumber {
        if a.isZero { return b }
        if b.isZero { return a }
        // Common denominator, then common exponent (the smaller), then signed magnitudes.
        var x = a.magnitude, y = b.magnitude
        var denominator = a.denominator
        if a.denominator != b.denominator {
            x = x * b.denominator
            y = y * a.denominator
            denominator = a.denominator * b.denominator
        }
        let exponent = min(a.exponent, b.exponent)
        x = x << (a.exponent - exponent)
        y = y << (b.exponent - exponent)
        if a.negative == b.negative {
            return ExactNumber(negative: a.negative, magnitude: x + y, exponent: exponent, denominator: denominator)
        }
        return x < y
            ? ExactNumber(negative: b.negative, magnitude: y - x, exponent: exponent, denominator: denominator)
            : ExactNumber(negative: a.negative, magnitude: x - y, exponent: exponent, denominator: denominator)
    }

    public static func - (a: ExactNumber, b: ExactNumber) -> ExactNumber { a + (-b) }

    public static func * (a: ExactNumber, b: ExactNumber) -> ExactNumber {
        ExactNumber(negative: a.negative != b.negative, magnitude: a.magnitude * b.magnitude,
                    exponent: a.exponent + b.exponent, denominator: a.denominator * b.denominator)
    }

    public static func * (a: ExactNumber, b: Int) -> ExactNumber { a * ExactNumber(b) }

    /// `a / n` for `n >= 1` (a window size): its factors of two go into the exponent.
    public static func / (a: ExactNumber, n: Int) -> ExactNumber {
        let count = max(n, 1)
        let twos = count.trailingZeroBitCount
        let odd = UInt64(count >> twos)
        return ExactNumber(negative: a.negative, magnitude: a.magnitude, exponent: a.exponent - twos,
                           denominator: a.denominator * BigUInt(odd))
    }

    /// -1, 0 or +1.
    public var signum: Int { isZero ? 0 : (negative ? -1 : 1) }

    public var description: String {
        "\(negative ? "-" : "")\(magnitude) * 2^\(exponent)" + (denominator == .one ? "" : " / \(denominator)")
    }
}

extension ExactNumber: Equatable, Comparable {
    public static func == (a: ExactNumber, b: ExactNumber) -> Bool { (a - b).isZero }
    public static func < (a: ExactNumber, b: ExactNumber) -> Bool { (a - b).negative }
}
