import BNNModel
import BNNRandomModels
import Foundation

extension Mutator {
    mutating func treeMutation(_ input: [UInt8]) -> [UInt8]? {
        guard let value = try? JSONParser.parse(input) else { return nil }
        var tree = FuzzJSON(value)
        let pool = tree.subtrees(limit: 400)
        mutateSomewhere(&tree, pool: pool, depth: 0)
        return tree.bytes
    }

    mutating func mutateSomewhere(_ node: inout FuzzJSON, pool: [FuzzJSON], depth: Int) {
        // The root always stays an object (a replaced root says nothing new); shallow levels are
        // passed through more often, since most of a model lives deeper.
        let stopHere = node.children == 0 || depth > 40 || (depth > 0 && below(depth < 2 ? 6 : 4) == 0)
        if !stopHere {
            switch node {
            case .array(var items):
                let i = below(items.count)
                node = .raw("null")  // drop the reference so `items` is mutated in place
                mutateSomewhere(&items[i], pool: pool, depth: depth + 1)
                node = .array(items)
            case .object(var members):
                // At the top, mostly the layers: that is where most of the checks are.
                let layers = depth == 0 ? members.firstIndex { $0.0 == "layers" } : nil
                let i = layers.flatMap { below(10) < 7 ? $0 : nil } ?? below(members.count)
                node = .raw("null")
                mutateSomewhere(&members[i].1, pool: pool, depth: depth + 1)
                node = .object(members)
            default: break
            }
            return
        }
        mutateHere(&node, pool: pool)
    }

    mutating func randomScalar() -> FuzzJSON {
        switch below(6) {
        case 0: return .raw(pick(Self.extremeNumbers.filter { !["NaN", "Infinity", "-Infinity"].contains($0) }))
        case 1: return .string(pick(Self.tokens))
        case 2: return .raw(pick(["null", "true", "false"]))
        case 3: return .array([])
        case 4: return .object([])
        default: return .raw(String(below(9)))
        }
    }

    mutating func mutateHere(_ node: inout FuzzJSON, pool: [FuzzJSON]) {
        if below(8) == 0 { node = randomScalar(); return }
        if below(10) == 0, !pool.isEmpty { node = pick(pool); return }
        switch node {
        case .raw(let text):
            if Double(text) != nil {
                node = .raw(below(3) == 0 ? String(below(10) - 1) : pick(Self.extremeNumbers))
            } else {
                node = randomScalar()
            }
        case .string(let text):
            switch below(4) {
            case 0: node = .string(text + pick(["x", "\n", "\"", "\u{0}", "é"]))
            case 1: node = .string(String(text.dropLast()))
            default: node = .string(pick(Self.tokens))
            }
        case .array(var items):
            if let tensor = node.numericTensor, below(4) == 0 {
                node = base64Tensor(shape: tensor.shape, values: tensor.values)
                return
            }
            switch below(8) {
            case 0: if !items.isEmpty { items.remove(at: below(items.count)) }
            case 1: if !items.isEmpty { let i = below(items.count); items.insert(items[i], at: i) }
            case 2: if items.count > 1 { items.swapAt(below(items.count), below(items.count)) }
            case 3: items = Array(items.prefix(below(items.count + 1)))
            case 4: items.insert(pool.isEmpty ? randomScalar() : pick(pool), at: below(items.count + 1))
            case 5:
                // A layer from the templates, anywhere in the list.
                if let value = try? JSONParser.parse(Array(pick(Self.layerTemplates).utf8)) {
                    items.insert(FuzzJSON(value), at: below(items.count + 1))
                }
            case 6: node = .array([.array(items)]); return
            default: if let first = items.first { node = first; return }
            }
            node = .array(items)
        case .object(var members):
            switch below(7) {
            case 0: if !members.isEmpty { members.remove(at: below(members.count)) }
            case 1: if !members.isEmpty { members.append(members[below(members.count)]) }  // duplicate key
            case 2:
                if !members.isEmpty {
                    let i = below(members.count)
                    var key = members[i].0
                    switch below(3) {
                    case 0: if !key.isEmpty { key.remove(at: key.index(key.startIndex, offsetBy: below(key.count))) }
                    case 1: key = key.uppercased()
                    default: key = pick(Self.keys)
                    }
                    members[i].0 = key
                }
            case 3: members.append((pick(Self.keys), pool.isEmpty ? randomScalar() : pick(pool)))
            case 4:
                if let i = members.indices.randomElement(using: &rng), case .object(let inner) = members[i].1, inner.contains(where: { $0.0 == "base64" }) {
                    members[i].1 = mutateBase64Object(inner)
                } else if !members.isEmpty {
                    members.shuffle(using: &rng)
                }
            case 5:
                // A tensor object with its shape changed.
                if let i = members.firstIndex(where: { $0.0 == "shape" }), case .array(var dims) = members[i].1, !dims.isEmpty {
                    let d = below(dims.count)
                    if case .raw(let text) = dims[d], let n = Int(text) { dims[d] = .raw(String(n + pick([-1, 1, 2, 1000000]))) }
                    if below(3) == 0 { dims.append(.raw("1")) }
                    members[i].1 = .array(dims)
                } else if !members.isEmpty {
                    members[below(members.count)].1 = randomScalar()
                }
            default:
                if !members.isEmpty { members[below(members.count)].1 = pool.isEmpty ? randomScalar() : pick(pool) }
            }
            node = .object(members)
        }
    }

    mutating func mutateBase64Object(_ members: [(String, FuzzJSON)]) -> FuzzJSON {
        var members = members
        for i in members.indices {
            switch members[i].0 {
            case "dtype" where below(2) == 0: members[i].1 = .string(pick(["float32", "float64", "int8", "bipolar", "float16", "uint8"]))
            case "base64" where below(2) == 0:
                if case .string(let text) = members[i].1 { members[i].1 = .string(String(text.dropLast(below(6)))) }
            default: break
            }
        }
        return .object(members)
    }

    /// The same values as a `{shape, dtype, base64}` tensor, in a random dtype (sometimes lossy,
    /// sometimes with a wrong length).
    mutating func base64Tensor(shape: [Int], values: [Double]) -> FuzzJSON {
        let dtype = pick(["float32", "float64", "int8", "bipolar"])
        var bytes = TensorText.bytes(values, dtype: dtype)
        if below(8) == 0 { bytes.append(0) }
        return .object([("shape", .array(shape.map { .raw(String($0)) })), ("dtype", .string(dtype)),
                        ("base64", .string(Data(bytes).base64EncodedString()))])
    }
}
