/// A matrix of signs (+1 / -1), row-major. Only sign(weight) matters to a BNN, so the latent
/// float weights are reduced to this when loaded (sign(0) = +1).
public struct SignMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `true` = +1, row-major.
    public private(set) var isPositive: [Bool]

    public init(rows: Int, columns: Int, isPositive: [Bool]) {
        self.rows = rows
        self.columns = columns
        self.isPositive = isPositive
    }

    public subscript(row: Int, column: Int) -> Bool {
        get { isPositive[row * columns + column] }
        set { isPositive[row * columns + column] = newValue }
    }

    /// +1 or -1.
    public func value(row: Int, column: Int) -> Int { self[row, column] ? 1 : -1 }

    /// The same matrix with row `row` negated.
    public mutating func negateRow(_ row: Int) {
        for c in 0..<columns { isPositive[row * columns + c].toggle() }
    }

    /// Columns reordered: column `c` of the result is column `source(c)` of this matrix.
    public func permutingColumns(_ source: (Int) -> Int) -> SignMatrix {
        var result = self
        for r in 0..<rows {
            for c in 0..<columns { result[r, c] = self[r, source(c)] }
        }
        return result
    }
}
