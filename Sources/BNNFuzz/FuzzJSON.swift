import BNNModel
import Foundation

/// A JSON document as text pieces, so mutations can write anything (1e400, duplicate keys).
indirect enum FuzzJSON {
    case raw(String)
    case string(String)
    case array([FuzzJSON])
    case object([(String, FuzzJSON)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .raw("null")
        case .bool(let b): self = .raw(b ? "true" : "false")
        case .number(let n): self = .raw(n.text)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(FuzzJSON.init))
        case .object(let object): self = .object(object.entries.map { ($0.key, FuzzJSON($0.value)) })
        }
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .raw(let text): out += Array(text.utf8)
        case .string(let text): FuzzJSON.writeString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out += Array(", ".utf8) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out += Array(", ".utf8) }
                FuzzJSON.writeString(member.0, to: &out)
                out += Array(": ".utf8)
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                out += Array(("\\u00" + (hex.count < 2 ? "0" : "") + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    var children: Int {
        switch self {
        case .array(let items): return items.count
        case .object(let members): return members.count
        default: return 0
        }
    }

    /// Every subtree, breadth first, up to `limit`: material to splice in elsewhere.
    func subtrees(limit: Int) -> [FuzzJSON] {
        var result: [FuzzJSON] = [self]
        var index = 0
        while index < result.count, result.count < limit {
            switch result[index] {
            case .array(let items): result += items.prefix(limit - result.count)
            case .object(let members): result += members.prefix(limit - result.count).map(\.1)
            default: break
            }
            index += 1
        }
        return result
    }

    /// If this is a nested array of numbers: its shape and values.
    var numericTensor: (shape: [Int], values: [Double])? {
        var shape: [Int] = []
        var probe = self
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { return nil }
            probe = first
        }
        guard !shape.isEmpty else { return nil }
        var values: [Double] = []
        func collect(_ node: FuzzJSON, _ depth: Int) -> Bool {
            if depth == shape.count {
                guard case .raw(let text) = node, let value = Double(text) else { return false }
                values.append(value)
                return true
            }
            guard case .array(let items) = node, items.count == shape[depth] else { return false }
            return items.allSatisfy { collect($0, depth + 1) }
        }
        return collect(self, 0) ? (shape, values) : nil
    }
}
