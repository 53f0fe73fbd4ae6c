import BNNDesign
import BNNModel
import BNNReference

/// The last group: accumulators out, and per class a `LogitMap` whose
/// `inputScale * (accScale*acc + accOffset)` is the exact sum `base + step*acc` rounded once.
enum CodeLogits {
    static func lastLayer(_ group: CodeGroup, _ lanes: GroupLanes, mode: OutputMode, window: SlidingWindowStage?,
                          file: String) throws(Diagnostic) -> (IntegerLayer, OutputStage) {
        let rows = group.outputs
        var lowest = 0
        var highest = 0
        for j in 0..<rows {
            lowest = min(lowest, lanes.reach(j).lowerBound)
            highest = max(highest, lanes.reach(j).upperBound)
        }
        let accRange = lowest...highest
        let bases = (0..<rows).map { lanes.base($0, 0) }
        guard let (scale, accScale, offsets, divisor) = integerForm(step: lanes.step, bases: bases, range: accRange)
                ?? dividedForm(step: lanes.step, bases: bases, range: accRange) else {
            throw Diagnostic(file: file, location: "\(group.compute.label)",
                             message: "the exact sums of the last layer (input step \(lanes.step.double), offset \(lanes.base(0, 0).double)) cannot be computed exactly as a float64 times an integer divided by a whole number")
        }
        var batchnorm: BatchNorm?
        var shift: Shift?
        for step in group.steps {
            if case .batchnorm(let bn) = step { batchnorm = bn }
            if case .shift(let s) = step { shift = s }
        }
        let maps = (0..<rows).map { j in
            var map = LogitMap(accScale: accScale, accOffset: offsets[j], inputScale: scale, alpha: group.alpha[j], bias: group.bias[j],
                               batchnorm: batchnorm.map {
                                   LogitMap.BatchNormStep(mean: $0.mean[j], gamma: $0.gamma[j], stddev: ($0.variance[j] + $0.eps).squareRoot(), beta: $0.beta[j])
                               })
            map.shift = shift?.value[j]
            map.divisor = Double(divisor)
            return map
        }
        let layer = IntegerLayer(
            layerIndices: group.layerIndices, label: group.compute.label, computeIndex: group.compute.index, foldKey: group.foldKey,
            weights: group.weights, integerWeights: group.integerWeights, inputKind: lanes.kind, classThresholds: nil, border: nil,
            flipped: Array(repeating: false, count: rows), accumulatorType: IntegerType(holding: accRange), window: window, pool: nil)
        return (layer, FoldThresholds.outputStage(mode, maps: maps, accRange: accRange))
    }

    /// `g`, `n` and `m_j` with `step = g*n` and `bases[j] = g*m_j`, g a float64 and every
    /// `n*acc + m_j` below 2^53 in magnitude over `range` (so `g * Double(n*acc + m_j)` is the
    /// exact sum rounded once); nil when there is none.
    static func integerForm(step: ExactNumber, bases: [ExactNumber], range: ClosedRange<Int>) -> (Double, Int, [Int], Int)? {
        integerForm(step: step, bases: bases, range: range, powerOfTwo: false).map { ($0.0, $0.1, $0.2, 1) }
    }

    /// After an average pool whose window is not a power of two the sums have an odd
    /// denominator d: `(g * Double(n*acc + m_j)) / d` with g a power of two is the exact product
    /// (no rounding) divided once by IEEE division, i.e. the exact sum rounded once.
    static func dividedForm(step: ExactNumber, bases: [ExactNumber], range: ClosedRange<Int>) -> (Double, Int, [Int], Int)? {
        var d: UInt64 = 1
        for x in [step] + bases {
            guard let den = x.denominator.uint64, den < 1 << 20 else { return nil }
            var (a, b) = (d, den)
            while b != 0 { (a, b) = (b, a % b) }
            d = d / a * den
            guard d < 1 << 20 else { return nil }
        }
        guard d > 1, let scaledStep = times(step, Int(d)) else { return nil }
        var scaled: [ExactNumber] = []
        for b in bases {
            guard let x = times(b, Int(d)) else { return nil }
            scaled.append(x)
        }
        return integerForm(step: scaledStep, bases: scaled, range: range, powerOfTwo: true).map { ($0.0, $0.1, $0.2, Int(d)) }
    }

    /// `x * d` with the odd denominator divided out, nil unless that is a whole multiple of a
    /// power of two within reach of a float64.
    private static func times(_ x: ExactNumber, _ d: Int) -> ExactNumber? {
        guard !x.isZero else { return .zero }
        let (q, r) = (x.magnitude * BigUInt(UInt64(d))).quotientAndRemainder(dividingBy: x.denominator)
        guard r.isZero, let v = q.uint64, v < 1 << 62, x.exponent > -1000, x.exponent < 1000,
              let power = ExactNumber(Double(sign: .plus, exponent: x.exponent, significand: 1)) else { return nil }
        return ExactNumber(x.negative ? -Int(v) : Int(v)) * power
    }

    private static func integerForm(step: ExactNumber, bases: [ExactNumber], range: ClosedRange<Int>, powerOfTwo: Bool) -> (Double, Int, [Int])? {
        let limit = 1 << 53
        let largest = max(abs(range.lowerBound), abs(range.upperBound))
        func fits(_ n: Int, _ m: [Int]) -> Bool {
            let (product, overflow) = n.multipliedReportingOverflow(by: largest)
            return !overflow && m.allSatisfy { abs($0) < limit && product + abs($0) < limit }
        }
        // The step itself, when every base is a whole number of steps.
        if let g = step.exactDouble, g > 0, !powerOfTwo || g.significandBitPattern == 0 {
            var m: [Int] = []
            for b in bases {
                let ratio = (b.double / g).rounded()
                guard ratio.magnitude < Double(limit), step * Int(ratio) == b else { m = []; break }
                m.append(Int(ratio))
            }
            if m.count == bases.count, fits(1, m) { return (g, 1, m) }
        }
        // A power of two dividing all of them.
        let all = [step] + bases.filter { !$0.isZero }
        guard all.allSatisfy({ $0.denominator == .one }), let e = all.map(\.exponent).min(), e > -1000, e < 900 else { return nil }
        func integer(_ x: ExactNumber) -> Int? {
            guard x.magnitude.bitWidth + x.exponent - e <= 60, let v = (x.magnitude << (x.exponent - e)).uint64 else { return x.isZero ? 0 : nil }
            return x.negative ? -Int(v) : Int(v)
        }
        guard let n = integer(step) else { return nil }
        var m: [Int] = []
        for b in bases {
            guard let v = integer(b) else { return nil }
            m.append(v)
        }
        guard fits(n, m) else { return nil }
        return (Double(sign: .plus, exponent: e, significand: 1), n, m)
    }
}
