/// Strict JSON (RFC 8259) for model files: UTF-8 without BOM, a top-level object, no duplicate
/// keys, finite numbers only, bounded nesting.
public enum JSONParser {
    /// Largest nesting accepted whatever `maxDepth` says. The parser itself never recurses, but
    /// Swift frees a nested `JSONValue` recursively, so a much deeper one could overflow the
    /// stack when it is destroyed.
    public static let depthCap = 1000

    /// Parses a whole file. Nesting deeper than `maxDepth` containers (the top-level object is
    /// level 1; capped at `depthCap`) is an error.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONByteParser(buffer, maxDepth: min(maxDepth, depthCap))
            do throws(JSONSyntaxError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// One open array or object while parsing. Children live on the parser's shared value and key
/// stacks from `valueStart` / `keyStart` on, so no nested array is copied while it grows.
struct JSONFrame {
    let isObject: Bool
    let valueStart: Int
    let keyStart: Int
    /// Key -> position, built once an object is big enough that a linear duplicate scan hurts.
    var keyIndex: [String: Int]?
}

/// The parser proper, over the raw bytes. Errors carry a byte offset and a path, both turned into
/// line/column and text only when an error is actually thrown.
struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    var position = 0
    var frames: [JSONFrame] = []
    var values: [JSONValue] = []
    var keys: [String] = []
    /// Scratch space for strings that need unescaping or UTF-8 checking.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    // MARK: Document

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        try checkEncoding()
        skipWhitespace()
        guard position < end else {
            throw error("file contains only whitespace, expected a JSON object", at: 0, path: "")
        }
        guard bytes[position] == UInt8(ascii: "{") else {
            throw error("top level must be a JSON object", at: position, path: "")
        }
        var value: JSONValue
        parsing: while true {
            // A value is expected at `position` (after optional whitespace).
            skipWhitespace()
            guard position < end else { throw endOfFile() }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = byte == UInt8(ascii: "{")
                try open(isObject: isObject)
                skipWhitespace()
                if position < end, bytes[position] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    value = isObject ? closeObject() : closeArray()
                } else {
                    if isObject { try parseKeyAndColon() }
                    continue parsing
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString(isKey: false))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            default:
                value = try parseOtherValue()
            }

            // A value is complete: attach it to its container and read what follows it.
            while true {
                guard let top = frames.indices.last else {
                    skipWhitespace()
                    if position < end {
                        throw error(unexpectedMessage("unexpected content after the top-level object"),
                                    at: position, path: "")
                    }
                    return value
                }
                values.append(value)
                let isObject = frames[top].isObject
                skipWhitespace()
                guard position < end else { throw endOfFile(containerOnly: true) }
                let byte = bytes[position]
                if byte == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    let close = UInt8(ascii: isObject ? "}" : "]")
                    if position < end, bytes[position] == close {
                        throw error("trailing comma before '\(Character(Unicode.Scalar(close)))' is not allowed",
                                    at: position, path: containerPath())
                    }
                    if isObject { try parseKeyAndColon() }
                    continue parsing
                }
                if isObject, byte == UInt8(ascii: "}") {
                    position += 1
                    value = closeObject()
                } else if !isObject, byte == UInt8(ascii: "]") {
                    position += 1
                    value = closeArray()
                } else {
                    let expected = isObject
                        ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element"
                    // The bare message reads best here; line and column point at the stray byte.
                    let message = byte == UInt8(ascii: "/") ? "comments are not allowed in JSON" : expected
                    throw error(message, at: position, path: containerPath())
                }
            }
        }
    }

    /// Rejects BOMs and UTF-16/32 up front: their errors would otherwise be baffling.
    func checkEncoding() throws(JSONSyntaxError) {
        let b = bytes
        let n = end
        if n == 0 { throw error("file is empty", at: 0, path: "") }
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            throw error("file starts with a byte order mark; save it as UTF-8 without BOM", at: 0, path: "")
        }
        let utf32 = "file is UTF-32 encoded; JSON must be UTF-8"
        let utf16 = "file is UTF-16 encoded; JSON must be UTF-8"
        if n >= 4, (b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF)
            || (b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) {
            throw error(utf32, at: 0, path: "")
        }
        if n >= 2, (b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) {
            throw error(utf16, at: 0, path: "")
        }
        // Without a BOM, the NUL pattern of the first (ASCII) characters gives the encoding away (RFC 4627).
        if n >= 4, (b[0] == 0 && b[1] == 0 && b[2] == 0) || (b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) {
            throw error(utf32, at: 0, path: "")
        }
        if n >= 2, (b[0] == 0) != (b[1] == 0) {
            throw error(utf16, at: 0, path: "")
        }
    }

    // MARK: Containers

    mutating func open(isObject: Bool) throws(JSONSyntaxError) {
        if frames.count >= maxDepth {
            throw error("nesting is deeper than the limit of \(maxDepth) levels", at: position, path: currentPath())
        }
        position += 1
        frames.append(JSONFrame(isObject: isObject, valueStart: values.count, keyStart: keys.count, keyIndex: nil))
    }

    mutating func closeArray() -> JSONValue {
        let frame = frames.removeLast()
        let items = Array(values[frame.valueStart...])
        values.removeSubrange(frame.valueStart...)
        return .array(items)
    }

    mutating func closeObject() -> JSONValue {
        let frame = frames.removeLast()
        var entries: [(key: String, value: JSONValue)] = []
        entries.reserveCapacity(values.count - frame.valueStart)
        for (key, value) in zip(keys[frame.keyStart...], values[frame.valueStart...]) {
            entries.append((key: key, value: value))
        }
        keys.removeSubrange(frame.keyStart...)
        values.removeSubrange(frame.valueStart...)
        return .object(JSONObject(entries: entries, index: frame.keyIndex))
    }

    /// Reads `"key" :` inside the innermost object, rejecting a key the object already has.
    mutating func parseKeyAndColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard position < end else { throw endOfFile(containerOnly: true) }
        let keyOffset = position
        guard bytes[position] == UInt8(ascii: "\"") else {
            let message = bytes[position] == UInt8(ascii: "'")
                ? "object keys must be strings in double quotes, not single quotes"
                : unexpectedMessage("expected a string key in double quotes")
            throw error(message, at: position, path: containerPath())
        }
        let key = try parseString(isKey: true)
        let top = frames.count - 1
        let keyStart = frames[top].keyStart
        let existing = keys.count - keyStart
        if frames[top].keyIndex != nil {
            // Mutated in place through the array, so the dictionary is never copied.
            if frames[top].keyIndex?.updateValue(existing, forKey: key) != nil { throw duplicateKey(key, at: keyOffset) }
        } else {
            for earlier in keyStart..<keys.count where keys[earlier] == key {
                throw duplicateKey(key, at: keyOffset)
            }
            if existing + 1 > JSONObject.indexThreshold {
                var index = [String: Int](minimumCapacity: existing * 2)
                for (offset, known) in keys[keyStart...].enumerated() { index[known] = offset }
                index[key] = existing
                frames[top].keyIndex = index
            }
        }
        keys.append(key)
        skipWhitespace()
        guard position < end else { throw endOfFile(containerOnly: true) }
        guard bytes[position] == UInt8(ascii: ":") else {
            throw error(unexpectedMessage("expected ':' after object key"), at: position, path: containerPath())
        }
        position += 1
    }

    func duplicateKey(_ key: String, at offset: Int) -> JSONSyntaxError {
        error("duplicate key \(JSONText.quoted(key))", at: offset, path: containerPath())
    }

    // MARK: Literals and stray characters

    /// Everything that is not an object, array, string or number: literals, and the mistakes
    /// people actually make (single quotes, comments, NaN, Python's True/None, a leading '+' or '.').
    mutating func parseOtherValue() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        let byte = bytes[position]
        if isWordByte(byte) {
            var stop = position
            while stop < end, isWordByte(bytes[stop]) { stop += 1 }
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
            switch word {
            case "true": position = stop; return .bool(true)
            case "false": position = stop; return .bool(false)
            case "null": position = stop; return .null
            case "NaN", "nan", "Infinity", "inf", "infinity", "Inf":
                throw error(nonFiniteMessage(word), at: start, path: currentPath())
            default:
                throw error("invalid literal '\(JSONText.clipped(word))' (JSON literals are true, false and null)",
                            at: start, path: currentPath())
            }
        }
        let message: String
        switch byte {
        case UInt8(ascii: "+"): message = "numbers must not start with '+'"
        case UInt8(ascii: "."): message = "numbers must have a digit before the decimal point"
        case UInt8(ascii: "'"): message = "strings must use double quotes, not single quotes"
        default: message = unexpectedMessage("expected a value")
        }
        throw error(message, at: start, path: currentPath())
    }

    func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    func nonFiniteMessage(_ literal: String) -> String {
        "non-finite number \(literal) is not allowed (JSON numbers must be finite)"
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    // MARK: Errors

    /// `base`, with a precise word for what was found at `position` instead.
    func unexpectedMessage(_ base: String) -> String {
        guard position < end else { return base }
        let byte = bytes[position]
        if byte == UInt8(ascii: "/") { return "comments are not allowed in JSON" }
        return "\(base), found \(describe(byte))"
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte \(JSONText.hex(byte))"
    }

    /// End of input where more was required; names the innermost open container.
    func endOfFile(containerOnly: Bool = false) -> JSONSyntaxError {
        guard let top = frames.last else { return error("unexpected end of file", at: end, path: "") }
        let message = top.isObject
            ? "unexpected end of file inside an object (missing '}')"
            : "unexpected end of file inside an array (missing ']')"
        return error(message, at: end, path: containerOnly ? containerPath() : currentPath())
    }

    func error(_ message: String, at offset: Int, path: String) -> JSONSyntaxError {
        // Line and column are found by rescanning, which only happens once, on failure.
        var line = 1
        var lineStart = 0
        let limit = min(offset, end)
        var index = 0
        while index < limit {
            if bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return JSONSyntaxError(message: message, path: path, line: line, column: offset - lineStart + 1,
                               openObjects: openObjects())
    }

    /// The open objects with a string `name` or `type` member already read (see `JSONSyntaxError`).
    func openObjects() -> [JSONSyntaxError.OpenObject] {
        var result: [JSONSyntaxError.OpenObject] = []
        var text = ""
        for level in frames.indices {
            let frame = frames[level]
            let isTop = level == frames.count - 1
            let valueEnd = isTop ? values.count : frames[level + 1].valueStart
            let keyEnd = isTop ? keys.count : frames[level + 1].keyStart
            guard frame.isObject else {
                text += "[\(valueEnd - frame.valueStart)]"
                continue
            }
            var name: String?
            var type: String?
            for i in 0..<(valueEnd - frame.valueStart) {
                guard case .string(let string) = values[frame.valueStart + i] else { continue }
                switch keys[frame.keyStart + i] {
                case "name": name = string
                case "type": type = string
                default: break
                }
            }
            if name != nil || type != nil { result.append(.init(path: text, name: name, type: type)) }
            guard keyEnd - frame.keyStart > valueEnd - frame.valueStart else { break }
            JSONText.appendKey(keys[keyEnd - 1], to: &text)
        }
        return result
    }

    /// Path of the innermost open container.
    func containerPath() -> String { path(includingCurrentChild: false) }

    /// Path of the value being parsed right now: the innermost container's current child.
    func currentPath() -> String { path(includingCurrentChild: true) }

    func path(includingCurrentChild: Bool) -> String {
        var text = ""
        for level in frames.indices {
            let frame = frames[level]
            let isTop = level == frames.count - 1
            if isTop && !includingCurrentChild { break }
            // Children of this frame end where the next frame's children start.
            let valueEnd = isTop ? values.count : frames[level + 1].valueStart
            let keyEnd = isTop ? keys.count : frames[level + 1].keyStart
            if frame.isObject {
                // In an object the current child is the last key read, once its value is pending.
                guard keyEnd - frame.keyStart > valueEnd - frame.valueStart else { break }
                JSONText.appendKey(keys[keyEnd - 1], to: &text)
            } else {
                text += "[\(valueEnd - frame.valueStart)]"
            }
        }
        return text
    }
}

/// Text helpers for paths, messages and the JSON files bnn-hls writes.
public enum JSONText {
    /// Appends `.key`, or `["key"]` when the key is not identifier-like, as path segments are written.
    static func appendKey(_ key: String, to path: inout String) {
        let utf8 = key.utf8
        var isIdentifier = !utf8.isEmpty
        for (offset, byte) in utf8.enumerated() {
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let isDigit = byte >= 0x30 && byte <= 0x39
            if !(isLetter || (isDigit && offset > 0)) {
                isIdentifier = false
                break
            }
        }
        if isIdentifier {
            path += path.isEmpty ? key : ".\(key)"
        } else {
            path += "[\(quoted(key, clip: false))]"
        }
    }

    /// A key or string in double quotes with JSON escapes, for messages, paths and written JSON
    /// (`clip: false` keeps the whole text).
    public static func quoted(_ text: String, clip: Bool = true) -> String {
        // JSON must escape C0; C1, DEL and the two Unicode line separators are escaped too, so
        // the text prints as one visible line.
        let escaped = SafeText.backslashEscaped(clip ? clipped(text) : text, quotes: true) { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
        }
        return "\"" + escaped + "\""
    }

    /// A path shortened to its first segments, for errors in absurdly deep documents.
    static func clippedPath(_ path: String, limit: Int = 40) -> String {
        guard path.count > limit else { return path }
        // Cut at a segment boundary so the result still reads as a path.
        let head = path.prefix(limit)
        let cut = head.lastIndex(where: { $0 == "[" || $0 == "." }) ?? head.endIndex
        return String(head[..<cut]) + "..."
    }

    /// Long user text shortened for messages.
    static func clipped(_ text: String, limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "..."
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" : "") + digits
    }
}
