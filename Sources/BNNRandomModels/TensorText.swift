import Foundation

/// Tensors as the model file writes them in base64 (`{"shape", "dtype", "base64"}`), for the
/// generators that write model text.
public enum TensorText {
    /// `{"shape": [...], "dtype": ..., "base64": ...}` over `bytes`.
    public static func base64(shape: [Int], dtype: String, bytes: [UInt8]) -> String {
        let dims = shape.map(String.init).joined(separator: ", ")
        return #"{"shape": [\#(dims)], "dtype": "\#(dtype)", "base64": "\#(Data(bytes).base64EncodedString())"}"#
    }

    /// The little-endian bytes of `values` in `dtype` ("float32", "float64", "int8" clamped and
    /// truncated, anything else bipolar: one bit per value, set for >= 0).
    public static func bytes(_ values: [Double], dtype: String) -> [UInt8] {
        var bytes: [UInt8] = []
        switch dtype {
        case "float32": for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 } }
        case "float64": for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        case "int8": bytes = values.map { UInt8(bitPattern: Int8(clamping: Int(max(min($0, 127), -128)))) }
        default: bytes = bipolar(values.map { $0 >= 0 })
        }
        return bytes
    }

    /// One bit per value, least significant first, set for +1.
    public static func bipolar(_ isPositive: [Bool]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (isPositive.count + 7) / 8)
        for (i, positive) in isPositive.enumerated() where positive { bytes[i / 8] |= 1 << UInt8(i % 8) }
        return bytes
    }
}
