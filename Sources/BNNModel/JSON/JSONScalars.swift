/// Strings and numbers, read straight from the bytes.
extension JSONByteParser {
    // MARK: Strings

    /// Reads a string starting at its opening quote. Errors in a key are reported at the object's
    /// path, errors in a value at the value's path.
    mutating func parseString(isKey: Bool) throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: plain ASCII without escapes, the vast majority of strings in a model file.
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard position < end else {
                throw error("unexpected end of file inside a string (missing closing '\"')", at: end,
                            path: stringPath(isKey))
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // Every byte in `scratch` was checked, so decoding repairs nothing.
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(isKey: isKey)
            case 0..<0x20:
                throw error("raw control character \(JSONText.hex(byte)) in string; write it as \(escapeFor(byte))",
                            at: position, path: stringPath(isKey))
            case 0x80...:
                guard let length = utf8SequenceLength(at: position) else {
                    throw error("invalid UTF-8 byte sequence in string, starting with byte \(JSONText.hex(byte))",
                                at: position, path: stringPath(isKey))
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<position + length]))
                position += length
            default:
                scratch.append(byte)
                position += 1
            }
        }
    }

    func stringPath(_ isKey: Bool) -> String { isKey ? containerPath() : currentPath() }

    func escapeFor(_ byte: UInt8) -> String {
        switch byte {
        case 0x0A: return "\\n"
        case 0x09: return "\\t"
        case 0x0D: return "\\r"
        default:
            let digits = String(byte, radix: 16, uppercase: true)
            return "\\u00" + (digits.count < 2 ? "0" : "") + digits
        }
    }

    /// Reads one escape at the backslash under `position`, appending its UTF-8 to `scratch`.
    mutating func parseEscape(isKey: Bool) throws(JSONSyntaxError) {
        let backslash = position
        guard position + 1 < end else {
            throw error("unexpected end of file inside a string (missing closing '\"')", at: end, path: stringPath(isKey))
        }
        let letter = bytes[position + 1]
        position += 2
        let simple: UInt8
        switch letter {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let unit = try hexQuad(escapeAt: backslash, isKey: isKey)
            var scalarValue = unit
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw error("lone high surrogate \\u\(hex4(unit)) in string (must be followed by a \\uDC00-\\uDFFF escape)",
                                at: backslash, path: stringPath(isKey))
                }
                let second = position
                position += 2
                let low = try hexQuad(escapeAt: second, isKey: isKey)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("lone high surrogate \\u\(hex4(unit)) in string (followed by \\u\(hex4(low)), not a low surrogate)",
                                at: backslash, path: stringPath(isKey))
                }
                scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw error("lone low surrogate \\u\(hex4(unit)) in string", at: backslash, path: stringPath(isKey))
            }
            // Surrogates were excluded above, so the scalar always exists.
            if let scalar = Unicode.Scalar(scalarValue) {
                scratch.append(contentsOf: String(Character(scalar)).utf8)
            }
            return
        default:
            let shown = letter >= 0x21 && letter < 0x7F ? "\\\(Character(Unicode.Scalar(letter)))" : "\\ followed by byte \(JSONText.hex(letter))"
            throw error("invalid escape '\(shown)' in string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                        at: backslash, path: stringPath(isKey))
        }
        scratch.append(simple)
    }

    /// Reads the four hex digits after `\u` (position is just past the `u`).
    mutating func hexQuad(escapeAt backslash: Int, isKey: Bool) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < end else {
                throw error("unexpected end of file inside a string (missing closing '\"')", at: end, path: stringPath(isKey))
            }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw error("invalid \\u escape in string: expected 4 hex digits", at: backslash, path: stringPath(isKey))
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Length of the well-formed UTF-8 sequence at `index` (RFC 3629: no overlongs, no surrogates,
    /// nothing past U+10FFFF), or nil.
    func utf8SequenceLength(at index: Int) -> Int? {
        func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index + offset < end && bytes[index + offset] >= low && bytes[index + offset] <= high
        }
        switch bytes[index] {
        case 0xC2...0xDF: return continuation(1) ? 2 : nil
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : nil
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : nil
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: return nil
        }
    }

    // MARK: Numbers

    /// Reads a number with the strict JSON grammar, converting it without going through
    /// Foundation when the literal is short enough to convert exactly.
    mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = position
        var index = position
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative {
            index += 1
            guard index < end else { throw error("unexpected end of file in a number", at: end, path: currentPath()) }
            if !isDigit(bytes[index]) {
                if isWordByte(bytes[index]) {
                    var stop = index
                    while stop < end, isWordByte(bytes[stop]) { stop += 1 }
                    let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<stop]), as: UTF8.self)
                    if ["Infinity", "inf", "Inf", "infinity", "NaN", "nan"].contains(word) {
                        throw error(nonFiniteMessage("-" + word), at: start, path: currentPath())
                    }
                }
                position = index
                throw error(unexpectedMessage("expected a digit after '-'"), at: index, path: currentPath())
            }
        }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var decimalExponent = 0
        var isInteger = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(bytes[index]) {
                throw error("leading zeros are not allowed in numbers", at: index, path: currentPath())
            }
        } else {
            while index < end, isDigit(bytes[index]) {
                accumulate(bytes[index], into: &mantissa, digits: &significantDigits)
                index += 1
            }
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try requireDigit(at: index, "expected a digit after the decimal point")
            while index < end, isDigit(bytes[index]) {
                accumulate(bytes[index], into: &mantissa, digits: &significantDigits)
                decimalExponent -= 1
                index += 1
            }
        }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            try requireDigit(at: index, "expected a digit in the exponent")
            var exponent = 0
            while index < end, isDigit(bytes[index]) {
                // Saturate: anything this large over- or underflows anyway, and the slow path decides.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        position = index
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)

        var value: Double
        if mantissa == 0 {
            value = 0
        } else if significantDigits <= 19, mantissa <= 1 << 53, decimalExponent >= -22, decimalExponent <= 22 {
            // Both operands are exact doubles, so one multiply or divide is correctly rounded (Clinger).
            let power = JSONByteParser.powersOfTen[abs(decimalExponent)]
            value = decimalExponent < 0 ? Double(mantissa) / power : Double(mantissa) * power
        } else {
            // Double(String) rounds correctly; it only fails on text our grammar already refused.
            guard let converted = Double(text) else {
                throw error("number \(JSONText.clipped(text)) cannot be converted", at: start, path: currentPath())
            }
            value = abs(converted)
        }
        if !value.isFinite {
            throw error("number \(JSONText.clipped(text)) is out of float64 range", at: start, path: currentPath())
        }
        if negative { value = -value }
        return JSONNumber(text: text, double: value, isInteger: isInteger)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Adds a digit to the mantissa; past 19 significant digits it only counts them, which sends
    /// the number to the exact slow path.
    @inline(__always)
    func accumulate(_ byte: UInt8, into mantissa: inout UInt64, digits: inout Int) {
        let digit = UInt64(byte - UInt8(ascii: "0"))
        if mantissa == 0 && digit == 0 { return }
        digits += 1
        if digits <= 19 { mantissa = mantissa &* 10 &+ digit }
    }

    func requireDigit(at index: Int, _ message: String) throws(JSONSyntaxError) {
        guard index < end else { throw error("unexpected end of file in a number", at: end, path: currentPath()) }
        guard isDigit(bytes[index]) else {
            throw error("\(message), found \(describe(bytes[index]))", at: index, path: currentPath())
        }
    }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
