/// A decoded tensor from the model file: its shape and its values as float64, row-major.
struct Tensor {
    var shape: [Int]
    var values: [Double]

    /// `weight[2][5]`-style suffix for the element at flat index `flat`.
    func indexSuffix(_ flat: Int) -> String {
        var rest = flat
        var parts: [Int] = []
        for dim in shape.reversed() {
            parts.append(dim == 0 ? 0 : rest % dim)
            rest = dim == 0 ? 0 : rest / dim
        }
        return parts.reversed().map { "[\($0)]" }.joined()
    }
}

/// Limits that protect the loader from files declaring absurd sizes; checked before allocating.
public struct LoadLimits: Sendable {
    /// Largest number of elements any one tensor may hold.
    public var maxTensorElements: Int

    public init(maxTensorElements: Int = 1 << 27) {
        self.maxTensorElements = maxTensorElements
    }
}
