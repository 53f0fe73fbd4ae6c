/// Weight memory in FINN's layout: PE banks of SIMD-bit words.
///
/// Row r (output neuron r) lives in bank r % PE; its column c is at address
/// (r / PE) * SF + c / SIMD, lane (bit) c % SIMD, with SF = ceil(MW / SIMD); bit 1 = +1. Rows
/// past MH and columns past MW (padding up to whole folds) hold +1.
public struct WeightROM: Sendable, Equatable {
    public var simd: Int
    public var pe: Int
    /// Words per bank: ceil(MH / PE) * ceil(MW / SIMD).
    public var depth: Int
    /// 64-bit limbs per word, least significant first.
    public var limbsPerWord: Int
    /// `[bank][address][limb]`, flattened.
    public var limbs: [UInt64]

    public init(simd: Int, pe: Int, depth: Int) {
        self.simd = simd
        self.pe = pe
        self.depth = depth
        self.limbsPerWord = (simd + 63) / 64
        self.limbs = Array(repeating: 0, count: pe * depth * limbsPerWord)
    }

    public func bit(bank: Int, address: Int, lane: Int) -> Bool {
        let limb = limbs[(bank * depth + address) * limbsPerWord + lane / 64]
        return (limb >> UInt64(lane % 64)) & 1 == 1
    }

    public mutating func setBit(bank: Int, address: Int, lane: Int) {
        limbs[(bank * depth + address) * limbsPerWord + lane / 64] |= 1 << UInt64(lane % 64)
    }

    /// The limbs of one word.
    public func word(bank: Int, address: Int) -> ArraySlice<UInt64> {
        let start = (bank * depth + address) * limbsPerWord
        return limbs[start..<(start + limbsPerWord)]
    }
}

/// One threshold per neuron and border class: neuron n of class k at bank n % PE, address
/// k * depth + n / PE. Only a +-1-padded convolution on 8-bit input has more than one class
/// (`border`); everything else has one, laid out as before.
public struct ThresholdROM: Sendable, Equatable {
    public var pe: Int
    /// ceil(MH / PE) per class; padding neurons have threshold 0.
    public var depth: Int
    /// `[bank][class][address]`, flattened.
    public var values: [Int]
    /// Which class each output pixel is in, when the thresholds differ by border class.
    public var border: BorderClasses?

    public init(pe: Int, depth: Int, values: [Int], border: BorderClasses? = nil) {
        self.pe = pe
        self.depth = depth
        self.values = values
        self.border = border
    }

    public var classes: Int { border?.count ?? 1 }

    public func threshold(bank: Int, address: Int, borderClass: Int = 0) -> Int {
        values[(bank * classes + borderClass) * depth + address]
    }
}
