import BNNDesign
import BNNModel

/// The sliding-window generator and the max-pool, on the simulator's packed bits: the same
/// element order the C++ streams ((ky, kx, c) per output pixel, pixels row-major).
enum WindowOps {
    static func bit(_ v: [UInt64], _ base: Int, _ i: Int) -> Bool { (v[base + i / 64] >> UInt64(i % 64)) & 1 == 1 }

    /// im2col of binary activations: one vector of K bits per (image, output pixel); masked
    /// windows append K valid bits after the value limbs.
    static func windows(bits: [UInt64], count: Int, _ w: SlidingWindowStage) -> [UInt64] {
        let input = w.input
        let k = w.kernel.height * w.kernel.width * input.channels
        let kLimbs = (k + 63) / 64
        let masked = w.pad == .masked
        let vectorLimbs = masked ? 2 * kLimbs : kLimbs
        let inLimbs = (input.count + 63) / 64
        let out = w.output
        let padBit: Bool
        if case .constant(let v) = w.pad { padBit = v != 0 } else { padBit = false }
        var result = [UInt64](repeating: 0, count: count * w.outputPixels * vectorLimbs)
        for image in 0..<count {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let base = ((image * w.outputPixels) + oy * out.width + ox) * vectorLimbs
                    var e = 0
                    for ky in 0..<w.kernel.height {
                        for kx in 0..<w.kernel.width {
                            let y = oy * w.stride.height + ky - w.padding.top
                            let x = ox * w.stride.width + kx - w.padding.left
                            let inside = y >= 0 && y < input.height && x >= 0 && x < input.width
                            for c in 0..<input.channels {
                                let value = inside ? bit(bits, image * inLimbs, (y * input.width + x) * input.channels + c) : padBit
                                if value { result[base + e / 64] |= 1 << UInt64(e % 64) }
                                if masked && inside { result[base + kLimbs + e / 64] |= 1 << UInt64(e % 64) }
                                e += 1
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// im2col of the raw 8-bit input as `q - zero_point` (padded positions hold the zero point, so 0).
    static func windows(values: [Int32], count: Int, _ w: SlidingWindowStage) -> [Int32] {
        let input = w.input
        let k = w.kernel.height * w.kernel.width * input.channels
        let out = w.output
        var result = [Int32](repeating: 0, count: count * w.outputPixels * k)
        var i = 0
        for image in 0..<count {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for ky in 0..<w.kernel.height {
                        for kx in 0..<w.kernel.width {
                            let y = oy * w.stride.height + ky - w.padding.top
                            let x = ox * w.stride.width + kx - w.padding.left
                            let inside = y >= 0 && y < input.height && x >= 0 && x < input.width
                            for c in 0..<input.channels {
                                if inside { result[i] = values[image * input.count + (y * input.width + x) * input.channels + c] }
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Regroups per-pixel output vectors (`pixels` per image, `channels` bits each, each in its
    /// own limbs) into one HWC bit vector per image.
    static func gather(_ bits: [UInt64], count: Int, pixels: Int, channels: Int) -> [UInt64] {
        let pixelLimbs = (channels + 63) / 64
        let total = pixels * channels
        let outLimbs = (total + 63) / 64
        var result = [UInt64](repeating: 0, count: count * outLimbs)
        for image in 0..<count {
            for p in 0..<pixels {
                let base = (image * pixels + p) * pixelLimbs
                for c in 0..<channels where bit(bits, base, c) {
                    let e = p * channels + c
                    result[image * outLimbs + e / 64] |= 1 << UInt64(e % 64)
                }
            }
        }
        return result
    }

    /// Binary max-pool: OR over the window (max of +-1), AND for the flagged channels.
    static func pool(_ bits: [UInt64], count: Int, _ pool: PoolStage) -> [UInt64] {
        let input = pool.input
        let out = pool.output
        let inLimbs = (input.count + 63) / 64
        let outLimbs = (out.count + 63) / 64
        var result = [UInt64](repeating: 0, count: count * outLimbs)
        for image in 0..<count {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for c in 0..<input.channels {
                        let isAnd = pool.andChannels[c]
                        var value = isAnd
                        for ky in 0..<pool.pool.height {
                            for kx in 0..<pool.pool.width {
                                let y = oy * pool.stride.height + ky
                                let x = ox * pool.stride.width + kx
                                let b = bit(bits, image * inLimbs, (y * input.width + x) * input.channels + c)
                                value = isAnd ? (value && b) : (value || b)
                            }
                        }
                        let e = (oy * out.width + ox) * input.channels + c
                        if value { result[image * outLimbs + e / 64] |= 1 << UInt64(e % 64) }
                    }
                }
            }
        }
        return result
    }
}
