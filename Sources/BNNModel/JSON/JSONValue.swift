/// A parsed JSON document. Objects keep their members in file order so messages and
/// round trips follow the user's layout.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number: the literal as written plus its float64 value, so callers can tell `3` from `3.0`.
public struct JSONNumber: Sendable, Equatable {
    /// The literal exactly as written in the file.
    public let text: String
    /// The nearest float64 (correctly rounded); always finite.
    public let double: Double
    /// True when the literal has no fraction and no exponent (`3`, `-12`; not `3.0` or `1e2`).
    public let isInteger: Bool

    /// The value if the literal is an integer that fits in `Int`, else nil.
    /// Computed from `text` rather than stored, to keep big arrays of numbers small.
    public var int: Int? { isInteger ? Int(text) : nil }

    /// Used by the parser, which has already validated `text` and computed `double`.
    init(text: String, double: Double, isInteger: Bool) {
        self.text = text
        self.double = double
        self.isInteger = isInteger
    }

    /// An integer number, written as Swift prints it.
    public init(_ value: Int) {
        self.init(text: String(value), double: Double(value), isInteger: true)
    }

    /// A non-integer number written with Swift's shortest round-trip form; nil if not finite.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init(text: "\(value)", double: value, isInteger: false)
    }
}

/// A JSON object: members in file order, with lookup by key.
public struct JSONObject: Sendable, Equatable {
    public let entries: [(key: String, value: JSONValue)]
    /// Key -> first position, only for objects big enough that a linear scan would hurt.
    private let index: [String: Int]?

    static let indexThreshold = 16

    /// Builds an object; if a key repeats, lookups find its first occurrence.
    public init(entries: [(key: String, value: JSONValue)]) {
        var index: [String: Int]? = nil
        if entries.count > JSONObject.indexThreshold {
            var built = [String: Int](minimumCapacity: entries.count)
            for (position, entry) in entries.enumerated() where built[entry.key] == nil {
                built[entry.key] = position
            }
            index = built
        }
        self.init(entries: entries, index: index)
    }

    /// Used by the parser, which builds the index while checking for duplicate keys.
    init(entries: [(key: String, value: JSONValue)], index: [String: Int]?) {
        self.entries = entries
        self.index = index
    }

    public subscript(key: String) -> JSONValue? {
        if let index {
            guard let position = index[key] else { return nil }
            return entries[position].value
        }
        for entry in entries where entry.key == key { return entry.value }
        return nil
    }

    public var keys: [String] { entries.map(\.key) }

    public var count: Int { entries.count }

    // Tuples are not Equatable, so compare member by member (order matters).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (a, b) in zip(lhs.entries, rhs.entries) where a.key != b.key || a.value != b.value {
            return false
        }
        return true
    }
}

/// A syntax or encoding error in a JSON file, with where it happened.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// JSON path of the value being parsed, like `layers[3].gamma[17]`; "" at top level.
    public let path: String
    /// 1-based line of the offending byte.
    public let line: Int
    /// 1-based column of the offending byte, counted in bytes.
    public let column: Int
    /// The objects still open at the error that had already read a string `name` or `type`
    /// member, outermost first: what a reader needs to call `layers[3]` by its name.
    public internal(set) var openObjects: [OpenObject] = []

    public struct OpenObject: Sendable, Equatable {
        /// JSON path of the object itself.
        public let path: String
        public let name: String?
        public let type: String?
    }

    public var description: String {
        let place = path.isEmpty ? "" : "\(path): "
        return "line \(line), column \(column): \(place)\(message)"
    }
}
