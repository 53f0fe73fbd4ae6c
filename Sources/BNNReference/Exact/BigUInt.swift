/// A minimal arbitrary-precision unsigned integer on 64-bit limbs: just what `ExactNumber`
/// needs (add, subtract, multiply, shift, compare, divide). Not for speed: the reference uses
/// it only where a sum is not a plain integer times one float64.
public struct BigUInt: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// Little-endian limbs without high zero limbs; zero has none.
    private(set) var limbs: [UInt64]

    public init(_ value: UInt64) { limbs = value == 0 ? [] : [value] }

    private init(limbs: [UInt64]) {
        var limbs = limbs
        while limbs.last == 0 { limbs.removeLast() }
        self.limbs = limbs
    }

    public static let zero = BigUInt(0)
    public static let one = BigUInt(1)

    public var isZero: Bool { limbs.isEmpty }

    /// Number of significant bits (0 for zero).
    public var bitWidth: Int { limbs.last.map { limbs.count * 64 - $0.leadingZeroBitCount } ?? 0 }

    public var trailingZeroBitCount: Int {
        guard let i = limbs.firstIndex(where: { $0 != 0 }) else { return 0 }
        return i * 64 + limbs[i].trailingZeroBitCount
    }

    /// The value when it fits in 64 bits.
    public var uint64: UInt64? { limbs.count <= 1 ? (limbs.first ?? 0) : nil }

    /// True when some bit below `count` is set.
    public func hasBits(below count: Int) -> Bool {
        for (i, limb) in limbs.enumerated() {
            if i * 64 >= count { return false }
            let within = count - i * 64
            if (within >= 64 ? limb : limb & ((1 << UInt64(within)) - 1)) != 0 { return true }
        }
        return false
    }

    public static func + (a: BigUInt, b: BigUInt) -> BigUInt {
        var result = [UInt64](repeating: 0, count: max(a.limbs.count, b.limbs.count) + 1)
        var carry: UInt64 = 0
        for i in 0..<(result.count - 1) {
            let (s1, o1) = (i < a.limbs.count ? a.limbs[i] : 0).addingReportingOverflow(i < b.limbs.count ? b.limbs[i] : 0)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            result[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        result[result.count - 1] = carry
        return BigUInt(limbs: result)
    }

    /// `a - b`; callers ensure `a >= b` (it is compared first), else the result is meaningless.
    public static func - (a: BigUInt, b: BigUInt) -> BigUInt {
        var result = a.limbs
        var borrow: UInt64 = 0
        for i in 0..<result.count {
            let (d1, o1) = result[i].subtractingReportingOverflow(i < b.limbs.count ? b.limbs[i] : 0)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            result[i] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
        return BigUInt(limbs: result)
    }

    public static func * (a: BigUInt, b: BigUInt) -> BigUInt {
        guard !a.isZero, !b.isZero else { return .zero }
        var result = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count)
        for (i, x) in a.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, y) in b.limbs.enumerated() {
                let (high, low) = x.multipliedFullWidth(by: y)
                let (s1, o1) = low.addingReportingOverflow(result[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                result[i + j] = s2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)  // high <= 2^64 - 2: cannot wrap
            }
            result[i + b.limbs.count] = carry
        }
        return BigUInt(limbs: result)
    }

    public static func << (a: BigUInt, bits: Int) -> BigUInt {
        guard !a.isZero, bits > 0 else { return a }
        let whole = bits / 64, part = UInt64(bits % 64)
        var result = [UInt64](repeating: 0, count: a.limbs.count + whole + 1)
        for (i, limb) in a.limbs.enumerated() {
            result[i + whole] |= limb << part
            if part > 0 { result[i + whole + 1] |= limb >> (64 - part) }
        }
        return BigUInt(limbs: result)
    }

    public static func >> (a: BigUInt, bits: Int) -> BigUInt {
        guard bits > 0 else { return a }
        let whole = bits / 64, part = UInt64(bits % 64)
        guard whole < a.limbs.count else { return .zero }
        var result = [UInt64](repeating: 0, count: a.limbs.count - whole)
        for i in 0..<result.count {
            result[i] = a.limbs[i + whole] >> part
            if part > 0, i + whole + 1 < a.limbs.count { result[i] |= a.limbs[i + whole + 1] << (64 - part) }
        }
        return BigUInt(limbs: result)
    }

    public static func < (a: BigUInt, b: BigUInt) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i]
        }
        return false
    }

    /// Quotient and remainder by shift-and-subtract, one quotient bit at a time: callers keep
    /// the quotient short (about 60 bits); `divisor` must not be zero.
    public func quotientAndRemainder(dividingBy divisor: BigUInt) -> (quotient: BigUInt, remainder: BigUInt) {
        guard !divisor.isZero, divisor <= self else { return (.zero, self) }
        var remainder = self
        var quotient = BigUInt.zero
        for shift in stride(from: bitWidth - divisor.bitWidth, through: 0, by: -1) {
            let part = divisor << shift
            if part <= remainder {
                remainder = remainder - part
                quotient = quotient + (BigUInt.one << shift)
            }
        }
        return (quotient, remainder)
    }

    /// Hexadecimal, for test messages.
    public var description: String {
        guard let top = limbs.last else { return "0x0" }
        return "0x" + String(top, radix: 16) + limbs.dropLast().reversed().map {
            let digits = String($0, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
