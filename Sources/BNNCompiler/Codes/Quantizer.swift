import BNNModel
import BNNReference

/// sign, quantize or multithreshold, with the unsigned code u the hardware streams and what it
/// means: the exact value `offset + step * u`.
public enum Quantizer: Sendable {
    case sign(Sign)
    case quantize(Quantize)
    case multithreshold(MultiThreshold)

    public init?(_ kind: LayerKind) {
        switch kind {
        case .sign(let s): self = .sign(s)
        case .quantize(let q): self = .quantize(q)
        case .multithreshold(let m): self = .multithreshold(m)
        default: return nil
        }
    }

    /// The code u of `x` in channel c, as the reference decides it.
    public func code(_ x: Double, channel c: Int) -> Int {
        switch self {
        case .sign(let s): return ReferenceMath.sign(x, offset: s.offset[c]) ? 1 : 0
        case .quantize(let q): return ReferenceMath.quantize(x, q) - q.kmin
        case .multithreshold(let m): return ReferenceMath.multithreshold(x, row: m.thresholds[c])
        }
    }

    /// The largest code (thresholds per channel: a repeated threshold skips a code, not a level).
    public var levels: Int {
        switch self {
        case .sign: return 1
        case .quantize(let q): return q.kmax - q.kmin
        case .multithreshold(let m): return m.thresholds.map(\.count).max() ?? 1
        }
    }

    public var offset: ExactNumber {
        switch self {
        case .sign: return ExactNumber(-1)
        case .quantize(let q): return (ExactNumber(q.scale) ?? .zero) * q.kmin
        case .multithreshold(let m): return ExactNumber(m.outBias) ?? .zero
        }
    }

    public var step: ExactNumber {
        switch self {
        case .sign: return ExactNumber(2)
        case .quantize(let q): return ExactNumber(q.scale) ?? .zero
        case .multithreshold(let m): return ExactNumber(m.outScale) ?? .zero
        }
    }

    /// The float64 value of code u, rounded once as the reference reads it.
    public func value(_ u: Int) -> Double { (offset + step * u).double }

    /// The code after a chain of quantizers: the first decides on `x`, each next one on the
    /// previous one's float64 value (requantization).
    public static func chain(_ quantizers: [Quantizer], _ x: Double, channel c: Int) -> Int {
        guard let first = quantizers.first else { return 0 }
        var u = first.code(x, channel: c)
        var previous = first
        for q in quantizers.dropFirst() {
            u = q.code(previous.value(u), channel: c)
            previous = q
        }
        return u
    }
}
