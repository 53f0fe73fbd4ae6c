import Foundation

/// Reads .npy files, format versions 1.0, 2.0 and 3.0, little-endian C-order arrays only.
public enum NpyReader {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Parses a whole file. `maxElements` bounds the array size, checked before any allocation.
    public static func read(_ bytes: [UInt8], maxElements: Int = 1 << 31) throws(NpyError) -> NpyArray {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw NpyError("not a .npy file (bad magic)")
        }
        guard bytes.count >= 10 else {
            throw NpyError("truncated: file ends inside the .npy preamble (\(bytes.count) bytes)")
        }
        let major = bytes[6], minor = bytes[7]
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else {
                throw NpyError("truncated: file ends inside the .npy preamble (\(bytes.count) bytes)")
            }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw NpyError("unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= bytes.count else {
            throw NpyError("header length \(headerLength) goes past the end of the file (file has \(bytes.count) bytes)")
        }

        let header = try NpyHeader.parse(Array(bytes[headerStart..<dataStart]))
        let dtype = try dtype(from: header.descr)
        if header.fortranOrder {
            throw NpyError("Fortran-order arrays are not supported; save with np.ascontiguousarray")
        }

        // Element and byte counts with overflow checks, all before allocating anything.
        var count = 1
        for dim in header.shape {
            guard dim >= 0 else { throw NpyError("negative dimension \(dim) in shape \(header.shapeText)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw NpyError("shape \(header.shapeText) has too many elements") }
            count = product
        }
        guard count <= maxElements else {
            throw NpyError("array has \(count) elements (shape \(header.shapeText)), over the limit of \(maxElements)")
        }
        let (dataLength, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw NpyError("shape \(header.shapeText) has too many elements") }
        let available = bytes.count - dataStart
        guard available >= dataLength else {
            throw NpyError("truncated: header says \(dataLength) bytes of data, file has \(available)")
        }
        guard available == dataLength else {
            throw NpyError("\(available - dataLength) extra bytes after the array data (header says \(dataLength) bytes)")
        }
        return NpyArray(shape: header.shape, dtype: dtype, bytes: Array(bytes[dataStart...]))
    }

    /// Maps a numpy `descr` to our dtypes. '<', '|' and '=' are all little-endian here
    /// (numpy writes '=' for native order, and the hosts we run on are little-endian).
    static func dtype(from descr: String) throws(NpyError) -> NpyDType {
        var code = Substring(descr)
        var bigEndian = false
        if let first = code.first, "<>|=!".contains(first) {
            bigEndian = first == ">" || first == "!"
            code = code.dropFirst()
        }
        let dtype: NpyDType
        switch code {
        case "b1", "?": dtype = .bool
        case "i1": dtype = .int8
        case "u1": dtype = .uint8
        case "i2": dtype = .int16
        case "u2": dtype = .uint16
        case "i4": dtype = .int32
        case "u4": dtype = .uint32
        case "i8": dtype = .int64
        case "u8": dtype = .uint64
        case "f4": dtype = .float32
        case "f8": dtype = .float64
        default:
            throw NpyError("unsupported dtype '\(JSONText.clipped(descr))' (supported: bool, int8, uint8, int16, uint16, int32, uint32, "
                + "int64, uint64, float32, float64)")
        }
        // Byte order is meaningless for one-byte types.
        if bigEndian && dtype.itemSize > 1 {
            throw NpyError("big-endian dtype '\(JSONText.clipped(descr))' is not supported; convert with arr.astype('<\(code)')")
        }
        return dtype
    }
}

/// The header dict, e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`,
/// parsed as the small subset of Python literal syntax numpy writes.
struct NpyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]
    /// The shape as written, for messages.
    var shapeText: String

    private enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int], text: String)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var pos = 0

        mutating func skipSpace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D {
                pos += 1
            }
        }

        /// Skips whitespace and consumes `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == byte else { return false }
            pos += 1
            return true
        }

        var next: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    }

    static func parse(_ bytes: [UInt8]) throws(NpyError) -> NpyHeader {
        let shown = String(decoding: bytes.prefix(200), as: UTF8.self)
            .trimmingCharacters(in: [" ", "\n", "\r", "\t", "\0"])
        func fail(_ what: String) -> NpyError {
            NpyError("invalid .npy header (not a Python dict literal: \(what)): \(shown)")
        }

        var scanner = Scanner(bytes: bytes)
        guard scanner.take(0x7B) else { throw fail("expected '{'") }
        var fields: [String: Value] = [:]
        var order: [String] = []
        while true {
            if scanner.take(0x7D) { break }
            scanner.skipSpace()
            guard let key = try readString(&scanner, fail) else { throw fail("expected a quoted key or '}'") }
            guard scanner.take(0x3A) else { throw fail("expected ':' after '\(JSONText.clipped(key))'") }
            let value = try readValue(&scanner, key: key, fail)
            guard fields[key] == nil else { throw NpyError("invalid .npy header: duplicate key '\(JSONText.clipped(key))'") }
            fields[key] = value
            order.append(key)
            if scanner.take(0x2C) { continue }
            guard scanner.take(0x7D) else { throw fail("expected ',' or '}' after the value of '\(JSONText.clipped(key))'") }
            break
        }
        scanner.skipSpace()
        // numpy pads with spaces; a few writers pad with NULs.
        while scanner.next == 0 { scanner.pos += 1 }
        guard scanner.next == nil else { throw fail("unexpected text after '}'") }

        for key in order where !["descr", "fortran_order", "shape"].contains(key) {
            throw NpyError("invalid .npy header: unexpected key '\(JSONText.clipped(key))' (expected exactly 'descr', 'fortran_order', 'shape')")
        }
        for key in ["descr", "fortran_order", "shape"] where fields[key] == nil {
            throw NpyError("invalid .npy header: missing key '\(JSONText.clipped(key))'")
        }
        guard case .string(let descr) = fields["descr"] else {
            throw NpyError("invalid .npy header: 'descr' must be a string like '<f8'")
        }
        guard case .bool(let fortranOrder) = fields["fortran_order"] else {
            throw NpyError("invalid .npy header: 'fortran_order' must be True or False")
        }
        guard case .tuple(let shape, let shapeText) = fields["shape"] else {
            throw NpyError("invalid .npy header: 'shape' must be a tuple of integers like (3, 4)")
        }
        return NpyHeader(descr: descr, fortranOrder: fortranOrder, shape: shape, shapeText: shapeText)
    }

    /// A '...' or "..." string at the scanner (after whitespace), or nil if none starts there.
    private static func readString(_ scanner: inout Scanner, _ fail: (String) -> NpyError) throws(NpyError) -> String? {
        guard let quote = scanner.next, quote == 0x27 || quote == 0x22 else { return nil }
        scanner.pos += 1
        let start = scanner.pos
        while let byte = scanner.next, byte != quote {
            // numpy never escapes anything in these strings; refusing escapes keeps this simple and exact.
            if byte == 0x5C { throw fail("escapes in strings are not supported") }
            scanner.pos += 1
        }
        guard scanner.next == quote else { throw fail("unterminated string") }
        let text = String(decoding: scanner.bytes[start..<scanner.pos], as: UTF8.self)
        scanner.pos += 1
        return text
    }

    private static func readValue(_ scanner: inout Scanner, key: String, _ fail: (String) -> NpyError) throws(NpyError) -> Value {
        scanner.skipSpace()
        if let text = try readString(&scanner, fail) { return .string(text) }
        guard let first = scanner.next else { throw fail("missing value for '\(JSONText.clipped(key))'") }
        if first == 0x5B && key == "descr" {
            throw NpyError("structured dtypes (a list as 'descr') are not supported")
        }
        if first == 0x28 {
            let start = scanner.pos
            scanner.pos += 1
            var dims: [Int] = []
            while true {
                if scanner.take(0x29) { break }
                dims.append(try readInt(&scanner, fail))
                if scanner.take(0x2C) { continue }
                guard scanner.take(0x29) else { throw fail("expected ',' or ')' in the shape tuple") }
                break
            }
            let text = String(decoding: scanner.bytes[start..<scanner.pos], as: UTF8.self)
            return .tuple(dims, text: text)
        }
        var end = scanner.pos
        while end < scanner.bytes.count, (scanner.bytes[end] | 0x20) >= 0x61, (scanner.bytes[end] | 0x20) <= 0x7A { end += 1 }
        let word = String(decoding: scanner.bytes[scanner.pos..<end], as: UTF8.self)
        switch word {
        case "True": scanner.pos = end; return .bool(true)
        case "False": scanner.pos = end; return .bool(false)
        default: throw fail("unexpected value for '\(JSONText.clipped(key))'")
        }
    }

    /// A decimal integer, optionally negative, with Python 2's optional 'L' suffix.
    private static func readInt(_ scanner: inout Scanner, _ fail: (String) -> NpyError) throws(NpyError) -> Int {
        scanner.skipSpace()
        let start = scanner.pos
        let negative = scanner.next == 0x2D
        if negative { scanner.pos += 1 }
        var value = 0
        var digits = 0
        var overflow = false
        while let byte = scanner.next, byte >= 0x30, byte <= 0x39 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
            overflow = overflow || o1 || o2
            value = sum
            digits += 1
            scanner.pos += 1
        }
        guard digits > 0 else { throw fail("expected an integer in the shape tuple") }
        if overflow {
            let text = String(decoding: scanner.bytes[start..<scanner.pos], as: UTF8.self)
            throw NpyError("dimension \(text) in shape is too large")
        }
        if scanner.next == 0x4C { scanner.pos += 1 }  // 'L'
        return negative ? -value : value
    }
}
