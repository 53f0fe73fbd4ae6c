/// The draws every random generator here makes (models for tests, the bench and the fuzzer),
/// written once so the same seed gives the same model everywhere.
public protocol SeededDraws {
    mutating func next() -> UInt64
}

extension SeededDraws {
    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func bool() -> Bool { next() & 1 == 1 }

    /// In 0..<n; a choice of one (or none) draws nothing.
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
