import BNNDesign
import BNNModel
import Foundation

/// Foldings the user asked for, by layer: the compute layer's name, `layers[i]`, or its index.
public struct FoldingRequest: Sendable {
    public var entries: [(key: String, folding: Folding)]
    /// Where the request came from, for messages (`--fold` or a file name).
    public var source: String

    public init(entries: [(key: String, folding: Folding)] = [], source: String = "--fold") {
        self.entries = entries
        self.source = source
    }

    /// A `--fold` value that is neither `LAYER=PExSIMD` nor a file (a usage error).
    public struct SyntaxError: Error, Sendable {
        public var message: String
    }

    /// Reads `--fold` values: `fc1=16x32` (PE x SIMD; several separated by commas), or a JSON
    /// file `{"fc1": {"pe": 16, "simd": 32}}` such as the folding.json every compile writes.
    public static func parse(_ values: [String]) throws -> FoldingRequest {
        var request = FoldingRequest(entries: [], source: "--fold")
        for value in values {
            if value.hasSuffix(".json") || FileManager.default.fileExists(atPath: value) {
                let file = try read(value)
                request.entries += file.entries
                request.source = value
                continue
            }
            for item in value.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1)
                let numbers = parts.count == 2 ? parts[1].split(separator: "x") : []
                guard parts.count == 2, numbers.count == 2, let pe = Int(numbers[0]), let simd = Int(numbers[1]) else {
                    throw SyntaxError(message: "--fold expects LAYER=PExSIMD (e.g. fc1=16x32) or a .json file, got \"\(item)\"")
                }
                request.entries.append((String(parts[0]), Folding(pe: pe, simd: simd)))
            }
        }
        return request
    }

    /// Reads a folding.json (what `json(_:)` writes).
    public static func read(_ path: String) throws(Diagnostic) -> FoldingRequest {
        let bytes = try readFile(path)
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw Diagnostic(file: path, location: error.path, message: error.message, line: error.line, column: error.column)
        }
        guard case .object(let object) = root else { throw Diagnostic(file: path, message: "expected an object of layers") }
        var entries: [(key: String, folding: Folding)] = []
        for (key, value) in object.entries {
            guard case .object(let fields) = value, Set(fields.keys) == ["pe", "simd"],
                  case .number(let pe)? = fields["pe"], case .number(let simd)? = fields["simd"],
                  let peValue = pe.int, let simdValue = simd.int else {
                throw Diagnostic(file: path, location: key, message: "expected {\"pe\": integer, \"simd\": integer}")
            }
            entries.append((key, Folding(pe: peValue, simd: simdValue)))
        }
        return FoldingRequest(entries: entries, source: path)
    }

    /// A design's folding as the JSON `--fold` reads back: `{"fc1": {"pe": 16, "simd": 32}, ...}`.
    public static func json(_ design: Design) -> String {
        let entries = design.layers.map { "  \(JSONText.quoted($0.key, clip: false)): {\"pe\": \($0.folding.pe), \"simd\": \($0.folding.simd)}" }
        return "{\n" + entries.joined(separator: ",\n") + "\n}\n"
    }
}
