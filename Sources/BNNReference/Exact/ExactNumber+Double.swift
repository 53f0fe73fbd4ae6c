extension ExactNumber {
    /// The float64 nearest this value, ties to even (IEEE round-to-nearest), with subnormals
    /// and overflow to infinity; exact zero is +0.
    public var double: Double {
        guard !isZero else { return 0 }
        // Reduce to an integer q of 58 to 60 bits (or fewer, exactly) with value
        // (q + sticky fraction) * 2^e; the sticky bit records a nonzero remainder below q.
        var q: UInt64
        var e: Int
        var sticky = false
        if denominator == .one {
            let extra = max(0, magnitude.bitWidth - 60)
            sticky = magnitude.hasBits(below: extra)
            q = (magnitude >> extra).uint64 ?? 0
            e = exponent + extra
        } else {
            // Shift so the quotient has 58 or 59 bits, whatever the sizes of both.
            let shift = 58 - (magnitude.bitWidth - denominator.bitWidth)
            let numerator = shift > 0 ? magnitude << shift : magnitude
            let divisor = shift < 0 ? denominator << -shift : denominator
            let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: divisor)
            sticky = !remainder.isZero
            q = quotient.uint64 ?? 0
            e = exponent - shift
        }
        return Self.round(q, exponent: e, sticky: sticky, negative: negative)
    }

    /// `±(q + s) * 2^e` (`0 <= s < 1`, nonzero iff `sticky`) to the nearest float64, ties to even.
    static func round(_ q: UInt64, exponent e: Int, sticky: Bool, negative: Bool) -> Double {
        let width = 64 - q.leadingZeroBitCount
        // Bits to drop: down to 53 significant bits, and no lower than 2^-1074 (subnormals).
        let drop = max(width - 53, -1074 - e, 0)
        var kept = q
        if drop > width {
            kept = 0  // below half the smallest subnormal
        } else if drop > 0 {
            kept = q >> UInt64(drop)
            let rest = q & ((1 << UInt64(drop)) - 1)
            let half: UInt64 = 1 << UInt64(drop - 1)
            if rest > half || (rest == half && (sticky || kept & 1 == 1)) { kept += 1 }
        }
        let scale = e + drop
        guard kept != 0 else { return negative ? -0.0 : 0.0 }
        let top = scale + (64 - kept.leadingZeroBitCount) - 1
        guard top <= 1023 else { return negative ? -.infinity : .infinity }
        return Double(sign: negative ? .minus : .plus, exponent: scale, significand: Double(kept))
    }
}
