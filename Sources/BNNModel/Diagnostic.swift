/// An error in something the user gave us, with where it is.
///
/// Printed as `model.json: error: layers[3] (bn1).var[17]: must be >= 0, got -0.2`, or with a
/// line and column for syntax errors (`model.json:4:17: error: ...`).
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (never made absolute).
    public var file: String
    /// JSON path or other place inside the file; empty when the whole file is meant.
    public var location: String
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(file: String, location: String = "", message: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.location = location
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        var head = file
        if let line, let column { head += ":\(line):\(column)" }
        let place = location.isEmpty ? "" : "\(location): "
        // Whatever user text the parts quote (file names, keys, layer names), the message is one line.
        return singleLine("\(head): error: \(place)\(message)")
    }
}

/// `text` with line breaks, control and bidi characters written as escapes (`\n`, `\u2028`), so a
/// message that quotes user text still prints as exactly one line, as it reads.
func singleLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: SafeText.isUnsafe) else { return text }
    return SafeText.backslashEscaped(text, quotes: false, escape: SafeText.isUnsafe)
}

/// Formats a number the way messages show it: integers without ".0", others round-trip exact.
func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}
