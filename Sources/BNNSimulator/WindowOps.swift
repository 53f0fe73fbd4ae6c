import BNNDesign
import BNNModel

/// The sliding-window generator and the max-pool, on the simulator's packed bits: the same
/// element order the C++ streams ((ky, kx, c) per output pixel, pixels row-major).
enum WindowOps {
    static func bit(_ v: [UInt64], _ base: Int, _ i: Int) -> Bool { (v[base + i / 64] >> UInt64(i % 64)) & 1 == 1 }

    /// im2col of binary activations: one vector of K bits per (image, output pixel); masked
    /// windows append K valid bits after the value limbs. A window row inside the image is a
    /// contiguous run of `kw * C` bits of the HWC input, copied a word at a time.
    static func windows(bits: [UInt64], count: Int, _ w: SlidingWindowStage) -> [UInt64] {
        let input = w.input
        let c = input.channels
        let k = w.kernel.height * w.kernel.width * c
        let kLimbs = (k + 63) / 64
        let masked = w.pad == .masked
        let vectorLimbs = masked ? 2 * kLimbs : kLimbs
        let inLimbs = (input.count + 63) / 64
        let out = w.output
        let padBit: Bool
        if case .constant(let v) = w.pad { padBit = v != 0 } else { padBit = false }
        var result = [UInt64](repeating: 0, count: count * w.outputPixels * vectorLimbs)
        bits.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for image in 0..<count {
                    let srcBase = image * inLimbs * 64
                    for oy in 0..<out.height {
                        for ox in 0..<out.width {
                            let base = ((image * w.outputPixels) + oy * out.width + ox) * vectorLimbs
                            for ky in 0..<w.kernel.height {
                                let y = oy * w.stride.height + ky - w.padding.top
                                let x0 = ox * w.stride.width - w.padding.left
                                let rowStart = ky * w.kernel.width * c
                                if y >= 0 && y < input.height && x0 >= 0 && x0 + w.kernel.width <= input.width {
                                    // The whole window row lies inside: one run of kw * C bits.
                                    let run = w.kernel.width * c
                                    copyBits(src, from: srcBase + (y * input.width + x0) * c, to: dst, at: base * 64 + rowStart, count: run)
                                    if masked { setBits(dst, at: (base + kLimbs) * 64 + rowStart, count: run) }
                                    continue
                                }
                                for kx in 0..<w.kernel.width {
                                    let x = x0 + kx
                                    let e = rowStart + kx * c
                                    let inside = y >= 0 && y < input.height && x >= 0 && x < input.width
                                    if inside {
                                        copyBits(src, from: srcBase + (y * input.width + x) * c, to: dst, at: base * 64 + e, count: c)
                                        if masked { setBits(dst, at: (base + kLimbs) * 64 + e, count: c) }
                                    } else if padBit {
                                        setBits(dst, at: base * 64 + e, count: c)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// ORs `count` bits starting at bit `from` of `src` into `dst` at bit `at` (destination bits
    /// are still zero).
    @inline(__always)
    static func copyBits(_ src: UnsafeBufferPointer<UInt64>, from: Int, to dst: UnsafeMutableBufferPointer<UInt64>, at: Int, count: Int) {
        var done = 0
        while done < count {
            let s = from + done
            let d = at + done
            // Take up to 64 bits from the source, as many as fit in the destination word.
            let n = min(count - done, 64 - d % 64, 64)
            var chunk = src[s / 64] >> UInt64(s % 64)
            if s % 64 != 0, s / 64 + 1 < src.count { chunk |= src[s / 64 + 1] << UInt64(64 - s % 64) }
            if n < 64 { chunk &= (1 << UInt64(n)) - 1 }
            dst[d / 64] |= chunk << UInt64(d % 64)
            done += n
        }
    }

    @inline(__always)
    static func setBits(_ dst: UnsafeMutableBufferPointer<UInt64>, at: Int, count: Int) {
        var done = 0
        while done < count {
            let d = at + done
            let n = min(count - done, 64 - d % 64)
            let ones: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) - 1
            dst[d / 64] |= ones << UInt64(d % 64)
            done += n
        }
    }

    /// Regroups per-pixel output vectors (`pixels` per image, `channels` bits each, each in its
    /// own limbs) into one HWC bit vector per image.
    static func gather(_ bits: [UInt64], count: Int, pixels: Int, channels: Int) -> [UInt64] {
        let pixelLimbs = (channels + 63) / 64
        let outLimbs = (pixels * channels + 63) / 64
        var result = [UInt64](repeating: 0, count: count * outLimbs)
        bits.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for image in 0..<count {
                    for p in 0..<pixels {
                        copyBits(src, from: (image * pixels + p) * pixelLimbs * 64, to: dst,
                                 at: image * outLimbs * 64 + p * channels, count: channels)
                    }
                }
            }
        }
        return result
    }

    /// Binary max-pool: OR over the window (max of +-1), AND for the flagged channels. Works on
    /// whole pixels (all channels) a word at a time.
    static func pool(_ bits: [UInt64], count: Int, _ pool: PoolStage) -> [UInt64] {
        if pool.input.channels % 64 == 0 { return poolWholeLimbs(bits, count: count, pool) }
        let input = pool.input
        let c = input.channels
        let out = pool.output
        let inLimbs = (input.count + 63) / 64
        let outLimbs = (out.count + 63) / 64
        let pixelLimbs = (c + 63) / 64
        var andMask = [UInt64](repeating: 0, count: pixelLimbs)
        for ch in 0..<c where pool.andChannels[ch] { andMask[ch / 64] |= 1 << UInt64(ch % 64) }
        var result = [UInt64](repeating: 0, count: count * outLimbs)
        var orAcc = [UInt64](repeating: 0, count: pixelLimbs)
        var andAcc = [UInt64](repeating: 0, count: pixelLimbs)
        var pixel = [UInt64](repeating: 0, count: pixelLimbs)
        bits.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                pixel.withUnsafeMutableBufferPointer { pixel in
                    for image in 0..<count {
                        for oy in 0..<out.height {
                            for ox in 0..<out.width {
                                for l in 0..<pixelLimbs {
                                    orAcc[l] = 0
                                    andAcc[l] = ~0
                                }
                                for ky in 0..<pool.pool.height {
                                    for kx in 0..<pool.pool.width {
                                        let y = oy * pool.stride.height + ky
                                        let x = ox * pool.stride.width + kx
                                        for l in 0..<pixelLimbs { pixel[l] = 0 }
                                        copyBits(src, from: image * inLimbs * 64 + (y * input.width + x) * c, to: pixel, at: 0, count: c)
                                        for l in 0..<pixelLimbs {
                                            orAcc[l] |= pixel[l]
                                            andAcc[l] &= pixel[l]
                                        }
                                    }
                                }
                                for l in 0..<pixelLimbs { pixel[l] = (orAcc[l] & ~andMask[l]) | (andAcc[l] & andMask[l]) }
                                if c % 64 != 0 { pixel[pixelLimbs - 1] &= (1 << UInt64(c % 64)) - 1 }
                                copyBits(UnsafeBufferPointer(pixel), from: 0, to: dst,
                                         at: image * outLimbs * 64 + (oy * out.width + ox) * c, count: c)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The pool when every pixel is whole limbs: OR and AND limb by limb, no bit shifting.
    static func poolWholeLimbs(_ bits: [UInt64], count: Int, _ pool: PoolStage) -> [UInt64] {
        let input = pool.input
        let out = pool.output
        let pixelLimbs = input.channels / 64
        let inLimbs = input.count / 64
        let outLimbs = out.count / 64
        var andMask = [UInt64](repeating: 0, count: pixelLimbs)
        for ch in 0..<input.channels where pool.andChannels[ch] { andMask[ch / 64] |= 1 << UInt64(ch % 64) }
        var result = [UInt64](repeating: 0, count: count * outLimbs)
        bits.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for image in 0..<count {
                    for oy in 0..<out.height {
                        for ox in 0..<out.width {
                            let target = image * outLimbs + (oy * out.width + ox) * pixelLimbs
                            for l in 0..<pixelLimbs {
                                var orAcc: UInt64 = 0
                                var andAcc: UInt64 = ~0
                                for ky in 0..<pool.pool.height {
                                    let y = oy * pool.stride.height + ky
                                    for kx in 0..<pool.pool.width {
                                        let x = ox * pool.stride.width + kx
                                        let word = src[image * inLimbs + (y * input.width + x) * pixelLimbs + l]
                                        orAcc |= word
                                        andAcc &= word
                                    }
                                }
                                dst[target + l] = (orAcc & ~andMask[l]) | (andAcc & andMask[l])
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
