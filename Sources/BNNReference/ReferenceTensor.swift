import BNNModel

/// A tensor between layers in the reference: exact (integer codes on an exact affine scale) or
/// float64.
enum ReferenceTensor {
    /// Exact values `offset + step * code`: the input (`scale * (q - zero_point)`) and the
    /// outputs of sign, quantize, multithreshold, and of pooling or flattening those.
    case coded(CodedTensor)
    /// Float64 values.
    case real([Double])

    /// The float64 values: each exact value rounded once.
    var realValues: [Double] {
        switch self {
        case .coded(let coded): return coded.realValues
        case .real(let values): return values
        }
    }

    /// The codes of an exact tensor, or the values of a float64 one (the other is empty).
    var parts: (codes: [Int], values: [Double]) {
        switch self {
        case .coded(let coded): return (coded.codes, [])
        case .real(let values): return ([], values)
        }
    }

    func permuted(_ order: FlattenOrder, shape: Shape3) -> ReferenceTensor {
        switch self {
        case .coded(var coded):
            coded.codes = Self.permute(coded.codes, order, shape)
            return .coded(coded)
        case .real(let values):
            return .real(Self.permute(values, order, shape))
        }
    }

    private static func permute<T>(_ values: [T], _ order: FlattenOrder, _ shape: Shape3) -> [T] {
        var result = values
        for p in 0..<values.count { result[order.index(ofStreamPosition: p, shape: shape)] = values[p] }
        return result
    }
}

/// Exact values `offset + step * codes[i]`, `step > 0` (so the order of codes is the order of values).
struct CodedTensor {
    var codes: [Int]
    let step: ExactNumber
    let offset: ExactNumber
    /// `step` when it is a float64 exactly: then `step * code` rounds once in float64.
    let stepDouble: Double?

    init(codes: [Int], step: ExactNumber, offset: ExactNumber = .zero) {
        self.codes = codes
        self.step = step
        self.offset = offset
        stepDouble = step.exactDouble
    }

    /// Codes on a float64 step and offset (finite: the loader admits no other).
    init(codes: [Int], step: Double, offset: Double = 0) {
        self.codes = codes
        self.step = ExactNumber(step) ?? .zero
        self.offset = ExactNumber(offset) ?? .zero
        stepDouble = step
    }

    /// True when `value = stepDouble * code` rounds once in float64, for every code here.
    var isScaledDouble: Bool { offset.isZero && stepDouble != nil && maxMagnitude < 1 << 53 }

    var maxMagnitude: Int { codes.reduce(0) { max($0, $1.magnitude > UInt(Int.max) ? Int.max : Int($1.magnitude)) } }

    /// The exact value of `code`.
    func exact(_ code: Int) -> ExactNumber { offset + step * code }

    var realValues: [Double] {
        if isScaledDouble, let step = stepDouble { return codes.map { step * Double($0) } }
        var memo: [Int: Double] = [:]
        return codes.map { code in
            if let known = memo[code] { return known }
            let value = exact(code).double
            memo[code] = value
            return value
        }
    }
}
