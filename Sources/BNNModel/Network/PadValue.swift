/// The real value a convolution's padded positions hold.
public enum PadValue: Sendable, Equatable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// 0, +1 or -1 everywhere.
    case constant(Int)
    /// Version 2: +1 where `i + j` is even and -1 where odd, `(i, j)` in the unpadded input's
    /// coordinates (rows above the image have `i < 0`), the same in every channel.
    case oddEven

    public init(integerLiteral value: Int) { self = .constant(value) }

    /// The value at padded position row `i`, column `j` (unpadded coordinates).
    @inline(__always)
    public func value(row i: Int, column j: Int) -> Int {
        switch self {
        case .constant(let v): return v
        case .oddEven: return (i + j) & 1 == 0 ? 1 : -1
        }
    }

    /// As the file spells it: `1`, `-1`, `0` or `"odd_even"`.
    public var description: String {
        switch self {
        case .constant(let v): return String(v)
        case .oddEven: return "\"odd_even\""
        }
    }
}
