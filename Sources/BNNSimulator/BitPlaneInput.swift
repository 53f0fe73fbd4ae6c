import BNNDesign

/// Turns unsigned A-bit codes (one `UInt8` per element, HWC per image) into the bit-plane
/// vectors `BitPlaneKernel` reads: per output pixel, A planes of `limbs` limbs (plane j holds
/// bit j of every window element, columns LSB-first), plane-major within the vector.
///
/// Each image is split into planes once (plane j of the HWC image as packed bits), then each
/// window row inside the image is one run of `kw * C` bits per plane (`PixelRuns`), copied a
/// word at a time. Padded taps hold the pad code: 0 adds nothing, any other constant or parity
/// pad is a per-pixel template the vectors start from.
struct BitPlaneInput: Sendable {
    let codeBits: Int
    /// Window elements per pixel (the kernel's columns).
    let columns: Int
    /// 64-bit limbs per plane of a vector.
    let limbs: Int
    let runs: PixelRuns
    /// `[pixel][plane][limb]`: the padded taps' code bits, nil when every padded tap is code 0.
    let padTemplate: [UInt64]?
    /// Where vectors can be read in place from the images' planes (a dense layer, or a window
    /// without padding over whole limbs of channels): limb l of a vector's plane is
    /// `limbOffsets[l]` limbs after the vector's base, pixel p's base `pixelOffsets[p]` limbs
    /// into its image's plane. Nil where windows are copied.
    let inPlace: (limbOffsets: [Int], pixelOffsets: [Int])?

    var pixels: Int { runs.pixels }
    var vectorLimbs: Int { codeBits * limbs }

    init(codeBits: Int, columns: Int, window: SlidingWindowStage?) {
        self.codeBits = codeBits
        self.columns = columns
        limbs = (columns + 63) / 64
        runs = window.map(PixelRuns.init(window:)) ?? PixelRuns(columns: columns)
        padTemplate = window.flatMap { Self.padTemplate($0, codeBits: codeBits, limbs: (columns + 63) / 64) }
        inPlace = window.map(Self.inPlace(_:)) ?? (Array(0..<((columns + 63) / 64)), [0])
    }

    private static func inPlace(_ w: SlidingWindowStage) -> (limbOffsets: [Int], pixelOffsets: [Int])? {
        guard VectorLayout.canReadDirectly(w) else { return nil }
        let pixelLimbs = w.input.channels / 64
        let run = w.kernel.width * pixelLimbs
        let limbOffsets = (0..<(w.kernel.height * run)).map { ($0 / run) * w.input.width * pixelLimbs + $0 % run }
        var pixelOffsets: [Int] = []
        for oy in 0..<w.output.height {
            for ox in 0..<w.output.width {
                pixelOffsets.append((oy * w.stride.height * w.input.width + ox * w.stride.width) * pixelLimbs)
            }
        }
        return (limbOffsets, pixelOffsets)
    }

    /// Code of the padded element at (y, x) of the unpadded image's coordinates.
    private static func padCode(_ pad: WindowPad, y: Int, x: Int) -> Int {
        switch pad {
        case .constant(let code): return code
        case .parity(let even, let odd): return (y + x) & 1 == 0 ? even : odd
        case .masked: return 0
        }
    }

    private static func padTemplate(_ w: SlidingWindowStage, codeBits: Int, limbs: Int) -> [UInt64]? {
        let hasPadding = w.padding.top + w.padding.bottom + w.padding.left + w.padding.right > 0
        guard hasPadding, w.pad != .constant(0), w.pad != .masked else { return nil }
        let c = w.input.channels
        let vectorLimbs = codeBits * limbs
        var template = [UInt64](repeating: 0, count: w.outputPixels * vectorLimbs)
        for oy in 0..<w.output.height {
            for ox in 0..<w.output.width {
                let base = (oy * w.output.width + ox) * vectorLimbs
                for ky in 0..<w.kernel.height {
                    for kx in 0..<w.kernel.width {
                        let y = oy * w.stride.height + ky - w.padding.top
                        let x = ox * w.stride.width + kx - w.padding.left
                        guard y < 0 || y >= w.input.height || x < 0 || x >= w.input.width else { continue }
                        let code = padCode(w.pad, y: y, x: x)
                        let first = (ky * w.kernel.width + kx) * c
                        for j in 0..<codeBits where (code >> j) & 1 == 1 {
                            for e in first..<(first + c) { template[base + j * limbs + e / 64] |= 1 << UInt64(e % 64) }
                        }
                    }
                }
            }
        }
        return template
    }

    /// The plane vectors of images `images` (`imageValues` codes each), pixels image-major,
    /// into `vectors` (`images.count * pixels * vectorLimbs` limbs, any content).
    func vectors(_ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, images: Range<Int>,
                 planes: UnsafeMutableBufferPointer<UInt64>, into vectors: UnsafeMutableBufferPointer<UInt64>) {
        let planeLimbs = (imageValues + 63) / 64
        let vectorLimbs = self.vectorLimbs
        for (n, image) in images.enumerated() {
            splitPlanes(UnsafeBufferPointer(rebasing: codes[(image * imageValues)..<((image + 1) * imageValues)]), into: planes)
            let first = n * pixels * vectorLimbs
            let block = UnsafeMutableBufferPointer(rebasing: vectors[first..<(first + pixels * vectorLimbs)])
            if let padTemplate {
                padTemplate.withUnsafeBufferPointer { _ = block.initialize(fromContentsOf: $0) }
            } else {
                block.update(repeating: 0)
            }
            for p in 0..<pixels {
                for r in runs.starts[p]..<runs.starts[p + 1] {
                    let run = runs.runs[r]
                    for j in 0..<codeBits {
                        let plane = UnsafeBufferPointer(rebasing: planes[(j * planeLimbs)..<((j + 1) * planeLimbs)])
                        WindowOps.copyBits(plane, from: run.source, to: block,
                                           at: (p * vectorLimbs + j * limbs) * 64 + run.column, count: run.length)
                    }
                }
            }
        }
    }

    /// The planes of images `images`: `[image][plane][planeLimbs]`, planeLimbs = ceil(imageValues / 64).
    func planes(_ codes: UnsafeBufferPointer<UInt8>, imageValues: Int, images: Range<Int>, into planes: UnsafeMutableBufferPointer<UInt64>) {
        let imageLimbs = codeBits * ((imageValues + 63) / 64)
        for (n, image) in images.enumerated() {
            splitPlanes(UnsafeBufferPointer(rebasing: codes[(image * imageValues)..<((image + 1) * imageValues)]),
                        into: UnsafeMutableBufferPointer(rebasing: planes[(n * imageLimbs)..<((n + 1) * imageLimbs)]))
        }
    }

    /// Plane j of one image's codes into `planes[j * planeLimbs...]`, 64 elements per word.
    private func splitPlanes(_ codes: UnsafeBufferPointer<UInt8>, into planes: UnsafeMutableBufferPointer<UInt64>) {
        let planeLimbs = (codes.count + 63) / 64
        for l in 0..<planeLimbs {
            let first = l * 64
            let n = min(64, codes.count - first)
            for j in 0..<codeBits {
                // Branch-free, so the extract-and-pack vectorizes.
                var word: UInt64 = 0
                for b in 0..<n { word |= UInt64(truncatingIfNeeded: (codes[first &+ b] &>> UInt8(j)) & 1) &<< UInt64(b) }
                planes[j * planeLimbs + l] = word
            }
        }
    }
}
