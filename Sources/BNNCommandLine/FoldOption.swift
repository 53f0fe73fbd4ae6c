import BNNCompiler
import BNNDesign
import BNNModel
import Foundation

/// Reads `--fold` values: `fc1=16x32` (PE x SIMD; several separated by commas), or a JSON file
/// `{"fc1": {"pe": 16, "simd": 32}}` such as the folding.json every compile writes.
enum FoldOption {
    static func parse(_ values: [String]) throws -> FoldingRequest {
        var request = FoldingRequest(entries: [], source: "--fold")
        for value in values {
            if value.hasSuffix(".json") || FileManager.default.fileExists(atPath: value) {
                let file = try readFoldingFile(value)
                request.entries += file.entries
                request.source = value
                continue
            }
            for item in value.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1)
                let numbers = parts.count == 2 ? parts[1].split(separator: "x") : []
                guard parts.count == 2, numbers.count == 2, let pe = Int(numbers[0]), let simd = Int(numbers[1]) else {
                    throw UsageError(message: "--fold expects LAYER=PExSIMD (e.g. fc1=16x32) or a .json file, got \"\(item)\"")
                }
                request.entries.append((String(parts[0]), Folding(pe: pe, simd: simd)))
            }
        }
        return request
    }

    private static func readFoldingFile(_ path: String) throws(Diagnostic) -> FoldingRequest {
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
}
