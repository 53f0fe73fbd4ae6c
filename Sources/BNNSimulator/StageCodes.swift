/// One stage's output codes for a batch, HWC per image: one byte each where every code fits
/// 8 bits (1...8-bit activations, max pools), one Int each otherwise (a sum pool's wider codes,
/// raw input values). Bytes keep a convolution's activations small enough to stay in cache.
public struct StageCodes: RandomAccessCollection, Sendable {
    public private(set) var bytes: [UInt8]
    /// Set instead of `bytes` when some code lies outside 0...255.
    public private(set) var wide: [Int]?

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(_ values: [Int]) {
        if values.allSatisfy({ UInt(bitPattern: $0) <= 255 }) {
            bytes = values.map { UInt8(truncatingIfNeeded: $0) }
        } else {
            bytes = []
            wide = values
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { wide?.count ?? bytes.count }
    public subscript(i: Int) -> Int {
        if let wide { return wide[i] }
        return Int(bytes[i])
    }

    /// Each code's low 8 bits (what a kernel reading codes of at most 8 bits uses).
    var lowBytes: [UInt8] { wide.map { $0.map { UInt8(truncatingIfNeeded: $0) } } ?? bytes }

    /// Whole arrays appended (a lazily joined sequence costs a step per element).
    static func joined(_ parts: [StageCodes]) -> StageCodes {
        if parts.allSatisfy({ $0.wide == nil }) { return StageCodes(bytes: appended(parts.map(\.bytes))) }
        var all = StageCodes(bytes: [])
        all.wide = appended(parts.map { $0.wide ?? $0.bytes.map { Int($0) } })
        return all
    }

    private static func appended<T>(_ arrays: [[T]]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(arrays.reduce(0) { $0 + $1.count })
        for array in arrays { result.append(contentsOf: array) }
        return result
    }
}
