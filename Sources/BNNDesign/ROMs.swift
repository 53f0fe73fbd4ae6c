/// Weight memory in FINN's layout: PE banks of SIMD-lane words.
///
/// Row r (output neuron r) lives in bank r % PE; its column c is at address
/// (r / PE) * SF + c / SIMD, lane c % SIMD, with SF = ceil(MW / SIMD). A lane is `weightBits`
/// bits at bit `lane * weightBits`: one bit with 1 = +1 (`weightBits` 1), or a two's complement
/// integer (2...8). Rows past MH and columns past MW (padding up to whole folds) hold +1 (1-bit)
/// or 0 (integer weights).
public struct WeightROM: Sendable, Equatable {
    public var simd: Int
    public var pe: Int
    /// Words per bank: ceil(MH / PE) * ceil(MW / SIMD).
    public var depth: Int
    /// Bits per lane: 1 (signs) or 2...8 (integer weights).
    public var weightBits: Int
    /// 64-bit limbs per word, least significant first.
    public var limbsPerWord: Int
    /// `[bank][address][limb]`, flattened.
    public var limbs: [UInt64]

    public init(simd: Int, pe: Int, depth: Int, weightBits: Int = 1) {
        self.simd = simd
        self.pe = pe
        self.depth = depth
        self.weightBits = weightBits
        self.limbsPerWord = (simd * weightBits + 63) / 64
        self.limbs = Array(repeating: 0, count: pe * depth * limbsPerWord)
    }

    /// Bits per word: SIMD * weightBits.
    public var wordBits: Int { simd * weightBits }

    /// The weight of one lane as an integer: +-1 for 1-bit weights, else the two's complement value.
    public func weight(bank: Int, address: Int, lane: Int) -> Int {
        if weightBits == 1 { return bit(bank: bank, address: address, lane: lane) ? 1 : -1 }
        var raw = 0
        for b in 0..<weightBits where rawBit(bank: bank, address: address, position: lane * weightBits + b) { raw |= 1 << b }
        return raw >= 1 << (weightBits - 1) ? raw - (1 << weightBits) : raw
    }

    /// Stores an integer weight (weightBits > 1) in two's complement; for 1-bit ROMs, sets the
    /// lane's bit when `value` is positive.
    public mutating func setWeight(_ value: Int, bank: Int, address: Int, lane: Int) {
        if weightBits == 1 {
            if value > 0 { setBit(bank: bank, address: address, lane: lane) }
            return
        }
        let raw = value & ((1 << weightBits) - 1)
        for b in 0..<weightBits where (raw >> b) & 1 == 1 {
            setRawBit(bank: bank, address: address, position: lane * weightBits + b)
        }
    }

    private func rawBit(bank: Int, address: Int, position: Int) -> Bool {
        let limb = limbs[(bank * depth + address) * limbsPerWord + position / 64]
        return (limb >> UInt64(position % 64)) & 1 == 1
    }

    private mutating func setRawBit(bank: Int, address: Int, position: Int) {
        limbs[(bank * depth + address) * limbsPerWord + position / 64] |= 1 << UInt64(position % 64)
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

/// Multi-level thresholds (FINN's MultiThreshold) for an MVAU whose output is a multi-bit code:
/// neuron n's output code is how many of its `levels` ascending thresholds the accumulator
/// reaches, `count(a >= t[l])`, where `a = acc` for a rising neuron and `a = -acc` for a
/// falling one (its float64 decision falls as the accumulator grows). Neuron n of border class k,
/// level l, is at bank n % PE, index `((k * depth) + n / PE) * levels + l`. Padding neurons hold
/// zeros. A level that can never be reached holds the accumulator type's largest value + 1 is not
/// representable, so the compiler widens the threshold type to hold every threshold.
public struct MultiThresholdROM: Sendable, Equatable {
    public var pe: Int
    /// ceil(MH / PE) per class.
    public var depth: Int
    /// Thresholds per neuron: 2^outputBits - 1 at most (fewer when the quantizer has fewer levels).
    public var levels: Int
    /// Bits of the output code: the smallest b with 2^b - 1 >= levels.
    public var outputBits: Int
    /// `[bank][class][address][level]`, flattened.
    public var values: [Int]
    /// `[bank][address]`, flattened: true where the neuron compares the negated accumulator.
    public var falling: [Bool]
    /// Which class each output pixel is in, when the thresholds differ by border class.
    public var border: BorderClasses?
    /// Classes when there is no `border`: a join's shortcut codes (`ThresholdStage`), else 1.
    public var codeClasses: Int

    public init(pe: Int, depth: Int, levels: Int, outputBits: Int, values: [Int], falling: [Bool], border: BorderClasses? = nil,
                codeClasses: Int = 1) {
        self.pe = pe
        self.depth = depth
        self.levels = levels
        self.outputBits = outputBits
        self.values = values
        self.falling = falling
        self.border = border
        self.codeClasses = codeClasses
    }

    /// Border classes of an MVAU, or the shortcut codes of a join.
    public var classes: Int { border?.count ?? codeClasses }

    public func threshold(bank: Int, address: Int, level: Int, borderClass: Int = 0) -> Int {
        values[((bank * classes + borderClass) * depth + address) * levels + level]
    }

    public func isFalling(bank: Int, address: Int) -> Bool { falling[bank * depth + address] }

    /// The output code of neuron (bank, address) for accumulator `acc`, as the hardware computes it.
    public func code(_ acc: Int, bank: Int, address: Int, borderClass: Int = 0) -> Int {
        let a = isFalling(bank: bank, address: address) ? -acc : acc
        var count = 0
        for l in 0..<levels where a >= threshold(bank: bank, address: address, level: l, borderClass: borderClass) { count += 1 }
        return count
    }

    /// Bits of a code able to count to `levels`.
    public static func bits(levels: Int) -> Int {
        var bits = 1
        while (1 << bits) - 1 < levels { bits += 1 }
        return bits
    }
}
