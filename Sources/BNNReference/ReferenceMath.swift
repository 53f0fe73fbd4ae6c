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
