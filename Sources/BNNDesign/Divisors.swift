/// Integer helpers the formulas share (folding, stream formats, cycle counts).
public enum Divisors {
    public static func of(_ n: Int) -> [Int] {
        guard n >= 1 else { return [1] }
        var small: [Int] = []
        var large: [Int] = []
        var d = 1
        while d * d <= n {
            if n % d == 0 {
                small.append(d)
                if d != n / d { large.append(n / d) }
            }
            d += 1
        }
        return small + large.reversed()
    }

    public static func ceilDiv(_ a: Int, _ b: Int) -> Int { b <= 0 ? a : (a + b - 1) / b }

    /// ceil(log2(n)) for n >= 1.
    public static func ceilLog2(_ n: Int) -> Int {
        var bits = 0
        while (1 << bits) < n { bits += 1 }
        return bits
    }

    public static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// a * b, or Int.max / 4 if that overflows (figures for absurdly large layers stay finite
    /// and sums of them cannot overflow).
    public static func product(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow || p > Int.max / 4 ? Int.max / 4 : p
    }

    /// a + b, capped like `product`.
    public static func sum(_ a: Int, _ b: Int) -> Int { min(Int.max / 4, min(a, Int.max / 4) + min(b, Int.max / 4)) }
}
