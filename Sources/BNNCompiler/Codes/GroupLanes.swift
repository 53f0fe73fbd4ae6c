import BNNDesign
import BNNModel
import BNNReference

/// What a group's input carries: the raw 8-bit input (`q - zero_point` on `scale`), or codes u
/// with the exact value `offset + step * u`, u in 0...maxCode.
enum GroupInput {
    case raw(low: Int, high: Int, scale: Double)
    case codes(offset: ExactNumber, step: ExactNumber, maxCode: Int, bits: Int)

    /// 1-bit codes of a `sign` (or the bipolar input): -1 + 2u.
    static let signs = GroupInput.codes(offset: ExactNumber(-1), step: ExactNumber(2), maxCode: 1, bits: 1)

    var isSigns: Bool {
        if case .codes(let offset, let step, let maxCode, _) = self { return maxCode == 1 && offset == ExactNumber(-1) && step == ExactNumber(2) }
        return false
    }
}

/// A group's MVAU lanes and the exact sum of neuron j at border class k for accumulator acc:
/// `base(j, k) + step * acc`, rounded to float64 once.
struct GroupLanes {
    var kind: MvauInput
    var pad: WindowPad
    var border: BorderClasses?
    var step: ExactNumber
    var base: (Int, Int) -> ExactNumber
    var reach: (Int) -> ClosedRange<Int>
    /// Where a 1-bit row can be negated for a falling `sign` decision (the W1A1 lanes and the
    /// 8-bit input with 1-bit weights, as in version 1): how negation maps the accumulator.
    var negatableRange: MvauInputRange?

    var classes: Int { border?.count ?? 1 }

    /// The float64 value of the exact sum, as the reference rounds it (once).
    func real(_ j: Int, _ k: Int) -> (Int) -> Double {
        let b = base(j, k)
        if let bd = b.exactDouble, let sd = step.exactDouble {
            return { bd.addingProduct(sd, Double($0)) }
        }
        let step = self.step
        return { (b + step * $0).double }
    }

    static func choose(_ group: CodeGroup, _ input: GroupInput, spec: InputSpec, file: String) throws(Diagnostic) -> GroupLanes {
        let conv = group.convolution
        let padded = conv.map { !$0.padding.isNone } ?? false
        let padValue = padded ? conv?.padValue : nil
        let columns = group.weights.columns
        let window = conv.map { SlidingWindowStage(input: group.compute.inputShape, kernel: $0.kernel, stride: $0.stride, padding: $0.padding, pad: .constant(0)) }
        let rowSum = (0..<group.outputs).map { j in (0..<columns).reduce(0) { $0 + group.weight(j, $1) } }
        func hull(_ low: Int, _ high: Int) -> (Int) -> ClosedRange<Int> {
            { j in
                var (lo, hi) = (0, 0)
                for c in 0..<columns {
                    let w = group.weight(j, c)
                    lo += min(w * low, w * high)
                    hi += max(w * low, w * high)
                }
                return lo...hi
            }
        }
        func refuseOddEven(_ what: String) -> Diagnostic {
            Diagnostic(file: file, location: "\(group.compute.label).pad_value",
                       message: "pad_value \"odd_even\" needs +1 and -1 to be codes of the input, and \(what)")
        }
        // Padded taps of border class k of neuron j: (sum of w, sum of w * padValue).
        func padSums(_ border: BorderClasses, _ conv: Conv2D, _ value: Int) -> (Int, Int) -> (Int, Int) {
            { j, k in
                var w = 0
                for c in 0..<columns {
                    let tap = c / conv.inputChannels
                    if border.isPadded(ky: tap / conv.kernel.width, kx: tap % conv.kernel.width, borderClass: k) { w += group.weight(j, c) }
                }
                return (w, w * value)
            }
        }
        switch input {
        case .raw(let low, let high, let scale):
            let step = ExactNumber(scale) ?? .zero
            // Padded taps hold the zero point: `q - zero_point` adds nothing.
            var lanes = GroupLanes(kind: .integer(bits: 8, isSigned: spec.encoding.isSigned, zeroPoint: spec.zeroPoint),
                                   pad: .constant(spec.zeroPoint & 0xff), border: nil,
                                   step: step, base: { _, _ in .zero }, reach: hull(low, high), negatableRange: group.integerWeights == nil ? .integer(low: low, high: high) : nil)
            guard let padValue, let conv, let window else { return lanes }
            guard case .constant(let v) = padValue else {
                // +-1 is `scale * (q - zero_point)` for q = zero_point +- 1/scale, when that is an input value.
                let k = (1 / scale).rounded()
                guard k.magnitude <= Double(max(-low, high)), step * Int(k) == ExactNumber(1), Int(k) <= high, -Int(k) >= low else {
                    throw refuseOddEven("on the 8-bit input 1/scale must be a whole input step within its range")
                }
                lanes.pad = .parity(even: (spec.zeroPoint + Int(k)) & 0xff, odd: (spec.zeroPoint - Int(k)) & 0xff)
                return lanes
            }
            if v != 0 {
                let border = BorderClasses(window: window)
                let sums = padSums(border, conv, v)
                lanes.border = border
                lanes.base = { j, k in ExactNumber(sums(j, k).1) }
            }
            return lanes
        case .codes(let offset, let step, let maxCode, let bits):
            if input.isSigns && group.integerWeights == nil {
                // The W1A1 XNOR lanes: agreements (sum 2acc - MW) or, zero-padded, the signed sum.
                if padValue == .constant(0) {
                    return GroupLanes(kind: .maskedBinary, pad: .masked, border: nil, step: ExactNumber(1), base: { _, _ in .zero },
                                      reach: { _ in -columns...columns }, negatableRange: .signed)
                }
                let pad: WindowPad = padValue == .oddEven ? .parity(even: 1, odd: 0) : .constant(padValue == .constant(1) ? 1 : 0)
                return GroupLanes(kind: .binary, pad: pad, border: nil, step: ExactNumber(2), base: { _, _ in ExactNumber(-columns) },
                                  reach: { _ in 0...columns }, negatableRange: .binary)
            }
            func code(of value: Int) -> Int? {
                for u in 0...maxCode where offset + step * u == ExactNumber(value) { return u }
                return nil
            }
            var lanes = GroupLanes(kind: .codes(bits: bits), pad: .constant(0), border: nil, step: step,
                                   base: { j, _ in offset * rowSum[j] }, reach: hull(0, maxCode), negatableRange: nil)
            guard let padValue, let conv, let window else { return lanes }
            switch padValue {
            case .oddEven:
                guard let even = code(of: 1), let odd = code(of: -1) else { throw refuseOddEven("the codes here stand for other values") }
                lanes.pad = .parity(even: even, odd: odd)
            case .constant(let v):
                if let u = code(of: v) {
                    lanes.pad = .constant(u)
                } else {
                    // Padded taps hold code 0; their real value goes into per-class thresholds.
                    let border = BorderClasses(window: window)
                    let sums = padSums(border, conv, v)
                    lanes.border = border
                    lanes.base = { j, k in
                        let (w, p) = sums(j, k)
                        return offset * (rowSum[j] - w) + ExactNumber(p)
                    }
                }
            }
            return lanes
        }
    }
}
