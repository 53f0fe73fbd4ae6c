import BNNDesign
import BNNModel

/// Pass 5's multi-bit parts: integer weight ROMs and multi-level threshold ROMs.
extension PackWeights {
    /// Two's complement lanes of `bits` bits in FINN's layout (see `WeightROM`); padding rows and
    /// columns hold 0, so they add nothing whatever the input lane holds.
    public static func packIntegerWeights(_ weights: IntegerMatrix, _ folding: Folding) -> WeightROM {
        let synapseFold = folding.synapseFold(inputs: weights.columns)
        var rom = WeightROM(simd: folding.simd, pe: folding.pe, depth: folding.neuronFold(outputs: weights.rows) * synapseFold,
                            weightBits: weights.bits)
        for r in 0..<weights.rows {
            for c in 0..<weights.columns where weights[r, c] != 0 {
                rom.setWeight(weights[r, c], bank: r % folding.pe, address: (r / folding.pe) * synapseFold + c / folding.simd, lane: c % folding.simd)
            }
        }
        return rom
    }

    /// Neuron n of class k, level l at bank n % PE, index `((k * depth) + n / PE) * levels + l`
    /// of the bank; padding neurons hold zeros and do not fall.
    public static func packMultiThresholds(_ t: MultiLevelThresholds, pe: Int, border: BorderClasses?) -> MultiThresholdROM {
        let neurons = t.falling.count
        let depth = (neurons + pe - 1) / pe
        let classes = t.values.count
        var values = Array(repeating: 0, count: pe * classes * depth * t.levels)
        var falling = Array(repeating: false, count: pe * depth)
        for n in 0..<neurons {
            let (bank, address) = (n % pe, n / pe)
            falling[bank * depth + address] = t.falling[n]
            for k in 0..<classes {
                for l in 0..<t.levels { values[((bank * classes + k) * depth + address) * t.levels + l] = t.values[k][n][l] }
            }
        }
        return MultiThresholdROM(pe: pe, depth: depth, levels: t.levels, outputBits: t.outputBits, values: values, falling: falling, border: border,
                                 codeClasses: border == nil ? classes : 1)
    }
}
