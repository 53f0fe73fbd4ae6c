import BNNDesign

/// Where each input vector of a binary MVAU lies in its packed input: `segments` runs of `run`
/// limbs, `stride` limbs apart, the first starting at limb `bases[v]`.
///
/// A dense layer, or im2col'd windows, is one run per vector. A convolution whose channels fill
/// whole limbs and whose windows never leave the image reads its windows straight from the HWC
/// image instead: one run of `kw * C / 64` limbs per kernel row, so no im2col buffer is built.
struct VectorLayout: Sendable {
    var segments: Int
    var run: Int
    var stride: Int
    var bases: [Int]

    var count: Int { bases.count }

    /// `count` contiguous vectors of `limbs` limbs each.
    static func contiguous(count: Int, limbs: Int) -> VectorLayout {
        VectorLayout(segments: 1, run: limbs, stride: 0, bases: (0..<count).map { $0 &* limbs })
    }

    /// True when `direct(window:count:)` can read this window's vectors in place.
    static func canReadDirectly(_ w: SlidingWindowStage) -> Bool {
        w.input.channels % 64 == 0 && w.padding.top == 0 && w.padding.bottom == 0
            && w.padding.left == 0 && w.padding.right == 0
    }

    /// The windows of `count` HWC images (each `(input.count + 63) / 64` limbs), pixels row-major.
    static func direct(window w: SlidingWindowStage, count: Int) -> VectorLayout {
        let pixelLimbs = w.input.channels / 64
        let imageLimbs = (w.input.count + 63) / 64
        let out = w.output
        var bases: [Int] = []
        bases.reserveCapacity(count * w.outputPixels)
        for image in 0..<count {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let pixel = oy * w.stride.height * w.input.width + ox * w.stride.width
                    bases.append(image * imageLimbs + pixel * pixelLimbs)
                }
            }
        }
        return VectorLayout(segments: w.kernel.height, run: w.kernel.width * pixelLimbs,
                            stride: w.input.width * pixelLimbs, bases: bases)
    }
}
