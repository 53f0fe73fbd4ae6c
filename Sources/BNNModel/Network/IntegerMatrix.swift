/// Multi-bit weights (`weight_bits` 2...8, version 2), used as they are: row-major integers in
/// `[-2^(bits-1), 2^(bits-1) - 1]`. The 1-bit path keeps its packed `SignMatrix`.
public struct IntegerMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let bits: Int
    /// Row-major; every value fits in `bits` bits, two's complement.
    public let values: [Int8]

    public init(rows: Int, columns: Int, bits: Int, values: [Int8]) {
        self.rows = rows
        self.columns = columns
        self.bits = bits
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Int { Int(values[row * columns + column]) }

    /// The integers a `bits`-bit weight may take.
    public static func range(bits: Int) -> ClosedRange<Int> { -(1 << (bits - 1))...((1 << (bits - 1)) - 1) }

    /// Column c of the result is column `source(c)` of this matrix.
    public func permutingColumns(_ source: (Int) -> Int) -> IntegerMatrix {
        var permuted = values
        for r in 0..<rows {
            for c in 0..<columns { permuted[r * columns + c] = values[r * columns + source(c)] }
        }
        return IntegerMatrix(rows: rows, columns: columns, bits: bits, values: permuted)
    }
}
