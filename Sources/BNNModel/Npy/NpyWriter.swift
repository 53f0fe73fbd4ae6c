/// Writes .npy format 1.0 (2.0 only if the header outgrows 64 KiB), with the header numpy writes.
public enum NpyWriter {
    public static func write(_ array: NpyArray) -> [UInt8] {
        // Same layout as numpy's: keys sorted, a space after every comma, a trailing ", }".
        let dims = array.shape.map(String.init)
        let shape: String
        switch dims.count {
        case 0: shape = "()"
        case 1: shape = "(\(dims[0]),)"
        default: shape = "(" + dims.joined(separator: ", ") + ")"
        }
        var header = Array("{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        // Version 1.0 stores the header length as a UInt16; only an absurd rank needs 2.0 (UInt32).
        let isVersion1 = header.count + 64 <= Int(UInt16.max)  // 64: room for padding and newline
        let preamble = isVersion1 ? 10 : 12
        // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64, which
        // keeps the data aligned for memory mapping (numpy does the same).
        let padding = (64 - (preamble + header.count + 1) % 64) % 64
        header.append(contentsOf: repeatElement(0x20, count: padding))
        header.append(0x0A)

        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, isVersion1 ? 1 : 2, 0]  // "\x93NUMPY" + version
        out.reserveCapacity(preamble + header.count + array.bytes.count)
        let length = UInt32(truncatingIfNeeded: header.count)
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        if !isVersion1 {
            out.append(UInt8(truncatingIfNeeded: length >> 16))
            out.append(UInt8(truncatingIfNeeded: length >> 24))
        }
        out.append(contentsOf: header)
        out.append(contentsOf: array.bytes)
        return out
    }
}
