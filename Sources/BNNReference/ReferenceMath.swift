import Foundation
import BNNModel

/// The spec's float64 steps, one IEEE rounding per operation in exactly the spec's order.
///
/// The reference network and the compiler's threshold search both call these, so the integer
/// thresholds are found by evaluating the very arithmetic that defines the network.
public enum ReferenceMath {
    /// dense/conv after the exact sum `s`: `t = s * alpha`, then `y = t + bias`.
    @inline(__always)
    public static func affine(_ s: Double, alpha: Double, bias: Double) -> Double {
        let t = s * alpha
        return t + bias
    }

    /// batchnorm: `d = x - mean`, `n = gamma * d`, `r = sqrt(var + eps)`, `q = n / r`, `y = q + beta`.
    @inline(__always)
    public static func batchnorm(_ x: Double, gamma: Double, beta: Double, mean: Double, variance: Double, eps: Double) -> Double {
        let d = x - mean
        let n = gamma * d
        let r = (variance + eps).squareRoot()
        let q = n / r
        return q + beta
    }

    /// sign(x - offset), with sign(0) = +1; `true` means +1.
    @inline(__always)
    public static func sign(_ x: Double, offset: Double) -> Bool {
        x - offset >= 0
    }

    /// The real value of the exact sum `scale * A` (A an integer), rounded to float64 once.
    @inline(__always)
    public static func scaledSum(_ a: Int, scale: Double) -> Double {
        // Double(a) is exact for |a| < 2^53 (always true here), so the product rounds once.
        scale * Double(a)
    }

    /// The real value of the exact sum `scale * A + P` (A and P integers: P the sum of +-1
    /// padding), rounded to float64 once: a fused multiply-add rounds exactly once.
    @inline(__always)
    public static func paddedSum(_ a: Int, scale: Double, padding p: Int) -> Double {
        Double(p).addingProduct(scale, Double(a))
    }
}

extension BatchNorm {
    /// Channel `c` of this batchnorm applied to `x`.
    public func apply(_ x: Double, channel c: Int) -> Double {
        ReferenceMath.batchnorm(x, gamma: gamma[c], beta: beta[c], mean: mean[c], variance: variance[c], eps: eps)
    }
}

extension Conv2D {
    /// Output channel `o` given its exact sum's float64 value.
    public func apply(_ s: Double, filter o: Int) -> Double {
        ReferenceMath.affine(s, alpha: alpha[o], bias: bias[o])
    }
}

extension Dense {
    /// Output `j` given its exact sum's float64 value.
    public func apply(_ s: Double, unit j: Int) -> Double {
        ReferenceMath.affine(s, alpha: alpha[j], bias: bias[j])
    }
}

/// Version 2's steps: quantizers and elementwise layers.
extension ReferenceMath {
    /// `u` rounded to an integer by `mode`, exactly (the result is an integral float64).
    public static func round(_ u: Double, _ mode: RoundingMode) -> Double {
        switch mode {
        case .halfEven: return u.rounded(.toNearestOrEven)
        case .halfAway: return u.rounded(.toNearestOrAwayFromZero)
        case .floor: return u.rounded(.down)
        case .ceil: return u.rounded(.up)
        case .toZero: return u.rounded(.towardZero)
        case .halfUp:
            // floor(u + 1/2) exactly: `u + 0.5` in float64 can round up (0.49999999999999994 -> 1).
            // `u - floor(u)` is exact for every finite double.
            let below = u.rounded(.down)
            return u - below >= 0.5 ? below + 1 : below
        }
    }

    /// quantize's code `k`: `u = x / scale` (one rounding), rounded by the mode, clamped to
    /// `kmin...kmax`; an infinite `u` clamps, and NaN gives `kmin` (as no threshold passes).
    public static func quantize(_ x: Double, _ q: Quantize) -> Int {
        let u = x / q.scale
        guard !u.isNaN else { return q.kmin }
        let r = round(u, q.rounding)
        return Int(min(max(r, Double(q.kmin)), Double(q.kmax)))
    }

    /// multithreshold's code: how many thresholds of the row are `<= x` (float64 compares).
    public static func multithreshold(_ x: Double, row: [Double]) -> Int {
        var k = 0
        for t in row where x >= t { k += 1 }
        return k
    }

    /// `x` if `x >= 0`, else `slope * x` (one rounding).
    @inline(__always)
    public static func prelu(_ x: Double, slope: Double) -> Double {
        x >= 0 ? x : slope * x
    }

    /// `min(max(x, low), high)`: no rounding.
    @inline(__always)
    public static func clamp(_ x: Double, _ c: Clamp) -> Double {
        min(max(x, c.min), c.max)
    }
}
