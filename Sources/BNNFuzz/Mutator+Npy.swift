import BNNModel
import BNNRandomModels
import Foundation

extension Mutator {
    static let descrs = ["|u1", "|i1", "<i2", ">i2", "<u2", "<i4", "<i8", "<u8", "<f4", "<f8", "|b1", "<U4", "|O", "<c16", "x", "", "'", "|V8", ">u1", "=i1", "<f2"]

    /// `frame`: the model's input shape [H, W, C], so rewritten headers often still fit it.
    mutating func mutateNpy(_ input: [UInt8], frame: [Int]) -> [UInt8] {
        var data = input
        for _ in 0..<(below(3) == 0 ? 2 : 1) {
            switch below(10) {
            case 0..<4: data = rewriteHeader(data, frame: frame)
            case 4:
                // The header length field or the version.
                if data.count > 9 { data[6 + below(4)] = pick([0, 1, 2, 3, 4, 0xFF, data[8] &+ 1, data[8] &- 1]) }
            case 5: data = Array(data.prefix(below(data.count + 1)))
            case 6: data += Array(repeating: UInt8(truncatingIfNeeded: rng.next()), count: 1 + below(9))
            default:
                // Bytes anywhere, mostly in the header and the first data bytes.
                guard !data.isEmpty else { break }
                let at = below(min(data.count, 200))
                switch below(3) {
                case 0: data[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: data[at] = pick(Array("(),:'{} 0123456789-LTrueFalse\n".utf8) + [0, 0xFF])
                default: if data.count > 128 { data[128 + below(data.count - 128)] = pick([0, 1, 0xFF, 2, 0x80]) }
                }
            }
        }
        return data
    }

    /// The header rebuilt with another dtype, order or shape, over the same data.
    mutating func rewriteHeader(_ input: [UInt8], frame: [Int]) -> [UInt8] {
        guard input.count >= 10, input[6] == 1 else { return input }
        let length = Int(input[8]) | Int(input[9]) << 8
        guard 10 + length <= input.count else { return input }
        var data = Array(input[(10 + length)...])
        let descr = below(3) == 0 ? pick(Self.descrs) : (below(2) == 0 ? "|u1" : "|i1")
        let itemSize = Int(String(descr.last ?? "1")) ?? 1
        let perFrame = max(frame.reduce(1, *), 1)
        // Mostly whole frames of the model's shape, so the input checks get past the header.
        let frames = max(data.count / (perFrame * itemSize), below(3))
        if below(2) == 0 { data = Array(data.prefix(frames * perFrame * itemSize)) }
        let n = Int(max(1, below(6)))
        let dims = frame.map(String.init).joined(separator: ", ")
        let shapes = ["()", "(\(n),)", "(\(frames), \(perFrame))", "(\(frames), \(dims))", "(\(frames), \(dims))", "(\(frames), \(perFrame))",
                      "(0, \(perFrame))", "(\(frames), \(perFrame + 1))", "(-1, \(perFrame))", "(4611686018427387904, 4)",
                      "(99999999999999999999,)", "(\(data.count),)", "(\(frames),)", "(1, 2, 3, 4, 5)", "(\(frames)L, \(perFrame))", "(,)"]
        let order = below(6) == 0 ? "True" : "False"
        var header = "{'descr': '\(descr)', 'fortran_order': \(order), 'shape': \(pick(shapes)), }"
        switch below(8) {
        case 0: header = header.replacingOccurrences(of: "'fortran_order': \(order), ", with: "")
        case 1: header = String(header.dropLast()) + "'extra': (), }"
        case 2: header = header.replacingOccurrences(of: "'", with: "\"")
        default: break
        }
        var bytes = Array(header.utf8)
        let pad = (64 - (10 + bytes.count + 1) % 64) % 64
        bytes += Array(repeating: 0x20, count: pad) + [0x0A]
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)]
        out += bytes + data
        return out
    }
}
