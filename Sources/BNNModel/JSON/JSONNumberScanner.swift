/// Strict RFC 8259 number grammar over raw bytes, plus a fast exact conversion for the common
/// short literals (weights are millions of them) and `Double(String)` for everything else.

struct ScannedNumber {
    var start: Int
    var end: Int
    var isInteger: Bool
    /// Decimal digits as an integer, valid only when `fastPathOK`.
    var mantissa: UInt64
    /// Power of ten to apply to `mantissa` (fraction digits counted negative).
    var exponent10: Int
    var negative: Bool
    /// At most 19 digits and a small exponent: `mantissa` holds them all exactly.
    var fastPathOK: Bool
}

struct NumberScanFailure: Error {
    var offset: Int
    var message: String
}

let nonFiniteMessage = "NaN and Infinity are not allowed: JSON numbers must be finite"

/// Scans the literal starting at `from` (a '-' or a digit). Stops at the first byte that can't
/// continue the number; the caller decides whether that byte is acceptable.
func scanJSONNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Result<ScannedNumber, NumberScanFailure> {
    let count = bytes.count
    var pos = start
    var negative = false
    if pos < count, bytes[pos] == Ascii.minus {
        negative = true
        pos += 1
    }
    guard pos < count else { return .failure(NumberScanFailure(offset: pos, message: "expected a digit after '-'")) }
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent10 = 0
    let first = bytes[pos]
    if first == Ascii.zero {
        pos += 1
        if pos < count, Ascii.isDigit(bytes[pos]) {
            return .failure(NumberScanFailure(offset: start, message: "leading zeros are not allowed in numbers (write 12, not 012)"))
        }
    } else if Ascii.isDigit(first) {
        while pos < count, Ascii.isDigit(bytes[pos]) {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- Ascii.zero) }
            digits += 1
            pos += 1
        }
        // Digits past the 19th don't fit in `mantissa`; they only scale it (slow path anyway).
        if digits > 19 { exponent10 += digits - 19 }
    } else if first == Ascii.upperI || first == Ascii.upperN || first == Ascii.lowerI || first == Ascii.lowerN {
        return .failure(NumberScanFailure(offset: start, message: nonFiniteMessage))
    } else {
        return .failure(NumberScanFailure(offset: pos, message: "expected a digit after '-'"))
    }
    var isInteger = true
    if pos < count, bytes[pos] == Ascii.dot {
        isInteger = false
        pos += 1
        guard pos < count, Ascii.isDigit(bytes[pos]) else {
            return .failure(NumberScanFailure(offset: pos, message: "expected a digit after the decimal point"))
        }
        while pos < count, Ascii.isDigit(bytes[pos]) {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- Ascii.zero)
                exponent10 -= 1
            }
            digits += 1
            pos += 1
        }
    }
    if pos < count, bytes[pos] == Ascii.lowerE || bytes[pos] == Ascii.upperE {
        isInteger = false
        pos += 1
        var exponentNegative = false
        if pos < count, bytes[pos] == Ascii.plus || bytes[pos] == Ascii.minus {
            exponentNegative = bytes[pos] == Ascii.minus
            pos += 1
        }
        guard pos < count, Ascii.isDigit(bytes[pos]) else {
            return .failure(NumberScanFailure(offset: pos, message: "expected a digit in the exponent"))
        }
        var exponent = 0
        while pos < count, Ascii.isDigit(bytes[pos]) {
            // Capped: anything this large over- or underflows float64 regardless.
            if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[pos] &- Ascii.zero) }
            pos += 1
        }
        exponent10 += exponentNegative ? -exponent : exponent
    }
    let fast = digits <= 19 && mantissa <= (1 << 53) && exponent10 >= -22 && exponent10 <= 22
    return .success(ScannedNumber(
        start: start, end: pos, isInteger: isInteger, mantissa: mantissa, exponent10: exponent10,
        negative: negative, fastPathOK: fast))
}

private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Builds the number; nil only if the value overflows float64.
func makeJSONNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ scanned: ScannedNumber) -> JSONNumber? {
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[scanned.start..<scanned.end]), as: UTF8.self)
    var value: Double
    if scanned.fastPathOK {
        // Clinger's fast path: both operands are exact doubles, so one IEEE operation rounds correctly.
        let m = Double(scanned.mantissa)
        value = scanned.exponent10 >= 0
            ? m * exactPowersOfTen[scanned.exponent10]
            : m / exactPowersOfTen[-scanned.exponent10]
        if scanned.negative { value = -value }
    } else {
        guard let parsed = Double(text) else { return nil }
        value = parsed
    }
    guard value.isFinite else { return nil }
    return JSONNumber(text: text, double: value, isInteger: scanned.isInteger)
}

/// Byte constants, so the scanners read as grammar rather than numbers.
enum Ascii {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let apostrophe: UInt8 = 0x27
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let upperE: UInt8 = 0x45
    static let upperI: UInt8 = 0x49
    static let upperN: UInt8 = 0x4E
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let lowerE: UInt8 = 0x65
    static let lowerI: UInt8 = 0x69
    static let lowerN: UInt8 = 0x6E
    static let leftBrace: UInt8 = 0x7B
    static let rightBrace: UInt8 = 0x7D

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    /// `'x'` for printable ASCII, `byte 0xNN` otherwise; used in "found ..." messages.
    static func describe(_ b: UInt8) -> String {
        if b > 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte " + hex(b)
    }

    static func hex(_ b: UInt8) -> String {
        let digits = String(b, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
