import BNNDesign
import BNNEmit

/// A slow, direct reading of what a `Design` says, written for tests of the emitter and the C++
/// library: element by element, no packing, no folding. It reads the ROMs only through their
/// documented accessors (`WeightROM.weight`, `MultiThresholdROM.code`, `BorderClasses.classOf`).
enum DesignModel {
    /// One element of a convolution's window: a value, or a masked (zero-padded binary) position.
    enum Tap {
        case value(Int)
        case masked
    }

    /// The last layer's accumulators for one frame of encoded input integers (HWC).
    static func accumulators(_ design: Design, frame: [Int]) -> [Int] {
        var values = frame
        if let b = design.binarizer {
            values = frame.enumerated().map { i, v in b.code(v, channel: i % design.input.channels) }
        } else if design.input.encoding == .bipolar {
            values = frame.map { $0 == 1 ? 1 : 0 }
        }
        var accs: [Int] = []
        for (l, layer) in design.layers.enumerated() {
            let vectors: [[Tap]] = layer.window.map { window(values, $0) } ?? [values.map { .value($0) }]
            var outputs: [Int] = []
            accs = []
            for (p, vector) in vectors.enumerated() {
                for n in 0..<layer.outputs {
                    let acc = dot(layer, row: n, vector)
                    accs.append(acc)
                    outputs.append(activate(layer, acc: acc, neuron: n, pixel: p))
                }
            }
            values = layer.pool.map { pool(outputs, $0) } ?? outputs
            if l == design.layers.count - 1 { return accs }
        }
        return accs
    }

    /// What the generated testbench expects for `frame`.
    static func expected(_ design: Design, frame: [Int]) -> TestVectors.Expected {
        let accs = accumulators(design, frame: frame)
        let maps = design.output.maps
        let logits = accs.enumerated().map { maps[$0].logit($1) }
        switch design.output {
        case .logits:
            return .logits(sums: accs.enumerated().map { maps[$0].sum($1) }, logits: logits)
        case .argmaxOfAccumulators:
            return .argmax(accs.indices.reduce(0) { accs[$1] > accs[$0] ? $1 : $0 })
        case .argmaxOfLogits:
            return .argmax(logits.indices.reduce(0) { logits[$1] > logits[$0] ? $1 : $0 })
        }
    }

    /// Windows of every output pixel, (ky, kx, c) order, padded positions as the pad says.
    static func window(_ image: [Int], _ w: SlidingWindowStage) -> [[Tap]] {
        let out = w.output
        var vectors: [[Tap]] = []
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                var taps: [Tap] = []
                for ky in 0..<w.kernel.height {
                    for kx in 0..<w.kernel.width {
                        let iy = oy * w.stride.height + ky - w.padding.top
                        let ix = ox * w.stride.width + kx - w.padding.left
                        let inside = iy >= 0 && iy < w.input.height && ix >= 0 && ix < w.input.width
                        for c in 0..<w.input.channels {
                            if inside {
                                taps.append(.value(image[(iy * w.input.width + ix) * w.input.channels + c]))
                                continue
                            }
                            switch w.pad {
                            case .constant(let v): taps.append(.value(v))
                            case .masked: taps.append(.masked)
                            case .parity(let even, let odd): taps.append(.value((iy + ix) % 2 == 0 ? even : odd))
                            }
                        }
                    }
                }
                vectors.append(taps)
            }
        }
        return vectors
    }

    /// Row n of the weights against one input vector, in the accumulator domain of the input kind.
    static func dot(_ layer: MvauStage, row n: Int, _ vector: [Tap]) -> Int {
        let f = layer.folding
        var acc = 0
        for (c, tap) in vector.enumerated() {
            let w = layer.weights.weight(bank: n % f.pe, address: (n / f.pe) * layer.synapseFold + c / f.simd, lane: c % f.simd)
            guard case .value(let x) = tap else { continue }  // masked: adds nothing
            switch layer.inputKind {
            case .binary: acc += (w == 1) == (x == 1) ? 1 : 0
            case .maskedBinary: acc += (w == 1) == (x == 1) ? 1 : -1
            case .integer(let bits, let isSigned, let zeroPoint):
                let q = isSigned && x >= 1 << (bits - 1) ? x - (1 << bits) : x
                acc += w * (q - zeroPoint)
            case .codes: acc += w * x
            }
        }
        return acc
    }

    static func activate(_ layer: MvauStage, acc: Int, neuron n: Int, pixel p: Int) -> Int {
        let (bank, address) = (n % layer.folding.pe, n / layer.folding.pe)
        switch layer.activation {
        case .thresholds(let rom):
            return acc >= rom.threshold(bank: bank, address: address, borderClass: rom.border?.classOf(pixel: p) ?? 0) ? 1 : 0
        case .multiThreshold(let rom):
            return rom.code(acc, bank: bank, address: address, borderClass: rom.border?.classOf(pixel: p) ?? 0)
        case .accumulator:
            return acc
        }
    }

    static func pool(_ map: [Int], _ p: PoolStage) -> [Int] {
        let i = p.input
        let out = p.output
        var result: [Int] = []
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                for c in 0..<i.channels {
                    var window: [Int] = []
                    for dy in 0..<p.pool.height {
                        for dx in 0..<p.pool.width {
                            window.append(map[((oy * p.stride.height + dy) * i.width + ox * p.stride.width + dx) * i.channels + c])
                        }
                    }
                    switch p.kind {
                    case .sum: result.append(window.reduce(0, +))
                    case .max: result.append((p.andChannels[c] ? window.min() : window.max()) ?? 0)
                    }
                }
            }
        }
        return result
    }
}
