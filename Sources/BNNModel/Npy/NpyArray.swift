/// Element types we read and write. Raw values are numpy's `descr` strings as numpy writes them.
public enum NpyDType: String, Sendable, Equatable, CaseIterable {
    case bool = "|b1"
    case int8 = "|i1"
    case uint8 = "|u1"
    case int16 = "<i2"
    case uint16 = "<u2"
    case int32 = "<i4"
    case uint32 = "<u4"
    case int64 = "<i8"
    case uint64 = "<u8"
    case float32 = "<f4"
    case float64 = "<f8"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// An n-dimensional array as stored in a .npy file: shape, element type and raw bytes.
public struct NpyArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: NpyDType
    /// Raw little-endian data in C order; `count * dtype.itemSize` bytes.
    public var bytes: [UInt8]

    /// Wraps raw data. The caller keeps `bytes.count == count * dtype.itemSize`
    /// (`NpyReader` guarantees it for arrays it returns).
    public init(shape: [Int], dtype: NpyDType, bytes: [UInt8]) {
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// An int64 array; `int64s.count` should equal the product of `shape`.
    public init(shape: [Int], int64s: [Int64]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(int64s.count * 8)
        for value in int64s { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(shape: shape, dtype: .int64, bytes: bytes)
    }

    /// A float64 array; `doubles.count` should equal the product of `shape`.
    public init(shape: [Int], doubles: [Double]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(doubles.count * 8)
        for value in doubles { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(shape: shape, dtype: .float64, bytes: bytes)
    }

    /// A uint8 array; `uint8s.count` should equal the product of `shape`.
    public init(shape: [Int], uint8s: [UInt8]) {
        self.init(shape: shape, dtype: .uint8, bytes: uint8s)
    }

    /// An int8 array; `int8s.count` should equal the product of `shape`.
    public init(shape: [Int], int8s: [Int8]) {
        self.init(shape: shape, dtype: .int8, bytes: int8s.map { UInt8(bitPattern: $0) })
    }

    /// Number of elements: the product of `shape` (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    /// Elements as integers, for integer and bool dtypes (bools as 0/1); nil for floats, and for uint64
    /// data holding a value above `Int64.max`.
    public func integers() -> [Int64]? {
        let n = max(0, min(count, bytes.count / dtype.itemSize))
        return bytes.withUnsafeBytes { raw -> [Int64]? in
            switch dtype {
            case .bool: return (0..<n).map { raw[$0] == 0 ? 0 : 1 }
            case .int8: return (0..<n).map { Int64(Int8(bitPattern: raw[$0])) }
            case .uint8: return (0..<n).map { Int64(raw[$0]) }
            case .int16: return (0..<n).map { Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) }
            case .uint16: return (0..<n).map { Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            case .int32: return (0..<n).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            case .uint32: return (0..<n).map { Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            case .int64: return (0..<n).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            case .uint64:
                var result: [Int64] = []
                result.reserveCapacity(n)
                for i in 0..<n {
                    let value = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                    guard let exact = Int64(exactly: value) else { return nil }
                    result.append(exact)
                }
                return result
            case .float32, .float64: return nil
            }
        }
    }

    /// Elements converted to Double (int64/uint64 beyond 2^53 round to nearest).
    public func doubles() -> [Double] {
        if dtype.isFloatingPoint {
            let n = max(0, min(count, bytes.count / dtype.itemSize))
            return bytes.withUnsafeBytes { raw in
                dtype == .float32
                    ? (0..<n).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) }
                    : (0..<n).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
            }
        }
        if dtype == .uint64 {
            let n = max(0, min(count, bytes.count / 8))
            return bytes.withUnsafeBytes { raw in
                (0..<n).map { Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
            }
        }
        // Every other dtype fits in Int64, so integers() can't return nil here.
        return (integers() ?? []).map(Double.init)
    }
}

/// A malformed or unsupported .npy file.
public struct NpyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// Header text quoted in `message` may hold anything; it is escaped to keep the message one line.
    public init(_ message: String) { self.message = singleLine(message) }
    public var description: String { message }
}
