import Foundation

/// A JSON value together with its path in the file, so every check can say where it failed.
struct Node {
    let value: JSONValue
    let path: String
    let file: String

    func error(_ message: String) -> Diagnostic {
        Diagnostic(file: file, location: path, message: message)
    }

    func child(_ key: String, _ value: JSONValue) -> Node {
        // `.key`, or `["key"]` for a key that is not identifier-like (a user's key may hold anything).
        var childPath = path
        JSONText.appendKey(key, to: &childPath)
        return Node(value: value, path: childPath, file: file)
    }

    func element(_ index: Int, _ value: JSONValue) -> Node {
        Node(value: value, path: "\(path)[\(index)]", file: file)
    }

    var typeDescription: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string(let text): return "the string \(JSONText.quoted(text))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// For a string spelling a non-finite number (`"NaN"`, `"-Infinity"`): why no number can stand in for it.
    var nonFiniteHint: String {
        guard case .string(let text) = value else { return "" }
        let word = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard ["nan", "inf", "infinity"].contains(word.lowercased()) else { return "" }
        return " (only finite numbers are allowed)"
    }

    func object() throws(Diagnostic) -> ObjectNode {
        guard case .object(let object) = value else { throw error("expected an object, got \(typeDescription)") }
        return ObjectNode(object: object, node: self)
    }

    func array() throws(Diagnostic) -> [Node] {
        guard case .array(let items) = value else { throw error("expected an array, got \(typeDescription)") }
        return items.enumerated().map { element($0.offset, $0.element) }
    }

    func string() throws(Diagnostic) -> String {
        guard case .string(let text) = value else { throw error("expected a string, got \(typeDescription)") }
        return text
    }

    func bool() throws(Diagnostic) -> Bool {
        guard case .bool(let flag) = value else { throw error("expected true or false, got \(typeDescription)") }
        return flag
    }

    func number() throws(Diagnostic) -> Double {
        guard case .number(let number) = value else { throw error("expected a number, got \(typeDescription)\(nonFiniteHint)") }
        return number.double
    }

    /// A JSON integer literal (`3`, not `3.0`), within `range`.
    func integer(in range: ClosedRange<Int> = Int.min...Int.max) throws(Diagnostic) -> Int {
        guard case .number(let number) = value else { throw error("expected an integer, got \(typeDescription)") }
        let shown = JSONText.clipped(number.text)
        guard number.isInteger else { throw error("expected an integer literal, got \(shown)") }
        guard let int = number.int, range.contains(int) else {
            throw error("must be in \(range.lowerBound)...\(range.upperBound), got \(shown)")
        }
        return int
    }
}

/// A JSON object being read: knows which keys exist so misspelt ones are reported, not ignored.
struct ObjectNode {
    let object: JSONObject
    let node: Node

    /// Fails on the first key not in `allowed`, suggesting the closest allowed key.
    func checkKeys(allowed: [String], what: String) throws(Diagnostic) {
        for key in object.keys where !allowed.contains(key) {
            var message = "unknown key \(JSONText.quoted(key)) in \(what)"
            if let near = closestKey(to: key, among: allowed) { message += " (did you mean \"\(near)\"?)" }
            message += "; allowed keys: \(allowed.joined(separator: ", "))"
            throw node.child(key, .null).error(message)
        }
    }

    func optional(_ key: String) -> Node? {
        object[key].map { node.child(key, $0) }
    }

    func required(_ key: String) throws(Diagnostic) -> Node {
        guard let child = optional(key) else { throw node.error("missing required key \"\(key)\"") }
        return child
    }
}

/// The allowed key within edit distance 2 of `key`, if any: catches `gama`, `varience`.
private func closestKey(to key: String, among candidates: [String]) -> String? {
    let best = candidates.map { ($0, editDistance(Array(key.lowercased()), Array($0.lowercased()))) }
        .min { $0.1 < $1.1 }
    guard let best, best.1 <= 2 else { return nil }
    return best.0
}

private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
        }
        previous = current
    }
    return previous[b.count]
}
