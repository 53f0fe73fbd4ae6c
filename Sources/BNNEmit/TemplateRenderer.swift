import Foundation

/// Fills `{{key}}` placeholders, strictly: a key the template uses but the caller didn't give,
/// a key given but never used, or a `{{` that isn't a well-formed placeholder is an error
/// naming the template and key. Values are inserted verbatim and never rescanned (C++ aggregate
/// initializers legitimately contain `{{`).
public enum TemplateRenderer {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var template: String
        public var message: String
        public var description: String { "template \(template): \(message)" }
    }

    public static func render(_ template: String, named name: String, _ values: [String: String]) throws(Failure) -> String {
        var output = ""
        var used = Set<String>()
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw Failure(template: name, message: "unterminated placeholder after \"\(output.suffix(30))\"")
            }
            let key = String(afterOpen[..<close.lowerBound])
            guard !key.isEmpty, key.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw Failure(template: name, message: "malformed placeholder \"{{\(key)}}\"")
            }
            guard let value = values[key] else { throw Failure(template: name, message: "no value for key \"\(key)\"") }
            output += value
            used.insert(key)
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        if let unused = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw Failure(template: name, message: "key \"\(unused)\" is given but the template never uses it")
        }
        return output
    }
}
