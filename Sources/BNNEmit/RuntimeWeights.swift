import BNNDataflow
import BNNDesign

/// `compile --runtime-weights` and `pack-weights`: the design's tables as RAMs loaded through the
/// top's 32-bit weights stream. One list of tables gives the C++ declarations, the load calls
/// and the words, so the order the top reads and the order the file holds cannot drift apart.
/// Every element of B bits is ceil(B / 32) words, lowest bits first, two's complement bits
/// zero-extended; doubles are their IEEE 754 bits (low word first).
public enum RuntimeWeights {
    /// One RAM: its C++ declaration, the call that fills it, and its words.
    struct Table {
        var declaration: String
        var load: String
        var words: [UInt32]
    }

    /// The project's weights: the words the port takes and the signature of the topology and folding.
    public struct Image: Sendable, Equatable {
        public var signature: UInt64
        public var words: [UInt32]
    }

    /// Words of a value of `bits` bits given as 64-bit limbs, least significant first.
    static func words(limbs: some Collection<UInt64>, bits: Int) -> [UInt32] {
        let limbs = Array(limbs)
        return (0..<((bits + 31) / 32)).map { i in
            let limb = i / 2 < limbs.count ? limbs[i / 2] : 0
            var word = UInt32(truncatingIfNeeded: limb >> UInt64(32 * (i % 2)))
            let left = bits - 32 * i
            if left < 32 { word &= (UInt32(1) << UInt32(left)) - 1 }
            return word
        }
    }

    static func words(_ value: Int, _ type: IntegerType) -> [UInt32] {
        words(limbs: [UInt64(bitPattern: Int64(value))], bits: type.bits)
    }

    static func words(_ value: Double) -> [UInt32] { words(limbs: [value.bitPattern], bits: 64) }

    static func tables(_ design: Design) -> [Table] {
        var tables: [Table] = []
        if let b = design.binarizer {
            let folds = design.input.channels / b.simd
            let type = b.thresholdType
            let name = TopEmitter.inputThresholdsName
            var words: [UInt32] = []
            for lane in 0..<b.simd {
                for fold in 0..<folds { for t in b.levelThresholds[fold * b.simd + lane] { words += Self.words(t, type) } }
            }
            let cType = b.levels > 1 ? "bnn::ChannelLevelThresholds<\(b.simd), \(folds), \(b.levels), \(type.cName)>"
                : "bnn::ChannelThresholds<\(b.simd), \(folds), \(type.cName)>"
            tables.append(Table(declaration: "static \(cType) \(name);", load: load(type.bits, "\(name).values"), words: words))
        }
        for (l, stage) in design.layers.enumerated() {
            tables.append(weights(stage.weights, name: TopEmitter.weightsName(l)))
            let name = TopEmitter.thresholdsName(l)
            switch stage.activation {
            case .thresholds(let rom):
                let type = stage.accumulatorType
                var words: [UInt32] = []
                for bank in 0..<rom.pe {
                    for i in 0..<(rom.classes * rom.depth) {
                        words += Self.words(rom.threshold(bank: bank, address: i % rom.depth, borderClass: i / rom.depth), type)
                    }
                }
                let cType = ParamsEmitter.activationType(rom, type: type)
                tables.append(Table(declaration: declaration(cType, name, border: rom.border, tables: 1), load: load(type.bits, "\(name).values"), words: words))
            case .multiThreshold(let rom):
                let type = ParamsEmitter.thresholdType(rom, accumulator: stage.accumulatorType)
                let cType = ParamsEmitter.activationType(rom, type: type)
                tables.append(multiThresholds(rom, type: type, declaration: declaration(cType, name, border: rom.border, tables: 2), name: name))
            case .accumulator:
                break
            }
            if let pool = stage.pool, pool.kind == .max {
                tables.append(poolFlags(pool.padded(channels: stage.paddedOutputs).andChannels, pe: stage.folding.pe, name: TopEmitter.poolFlagsName(l)))
            }
        }
        // The graph's requantizations and joins (bnn_join.hpp), in node order.
        for (n, node) in design.nodes.enumerated() {
            guard let t = node.thresholdStage else { continue }
            let name = TopEmitter.nodeThresholdsName(n)
            tables.append(multiThresholds(t.thresholds, type: t.thresholdType, declaration: "static \(ParamsEmitter.joinThresholdsType(t)) \(name);", name: name))
            if let pool = t.pool, pool.kind == .max {
                let padded = Divisors.ceilDiv(t.channels, t.pe) * t.pe
                tables.append(poolFlags(pool.padded(channels: padded).andChannels, pe: t.pe, name: TopEmitter.nodePoolFlagsName(n)))
            }
        }
        tables.append(logitMaps(design.output.maps))
        return tables
    }

    /// Multi-level thresholds (`values[bank][class * depth + address][level]`, then the falling
    /// flags `[bank][address]`), as MultiThresholdActivation and CodeIndexedThresholds hold them.
    private static func multiThresholds(_ rom: MultiThresholdROM, type: IntegerType, declaration: String, name: String) -> Table {
        var values: [UInt32] = []
        var falling: [UInt32] = []
        for bank in 0..<rom.pe {
            for i in 0..<(rom.classes * rom.depth) {
                for level in 0..<rom.levels {
                    values += words(rom.threshold(bank: bank, address: i % rom.depth, level: level, borderClass: i / rom.depth), type)
                }
            }
            falling += (0..<rom.depth).map { rom.isFalling(bank: bank, address: $0) ? 1 : 0 }
        }
        return Table(declaration: declaration, load: load(type.bits, "\(name).values") + "\n" + load(1, "\(name).falling"), words: values + falling)
    }

    /// A max pool's AND flags, one word of `pe` lanes per fold.
    private static func poolFlags(_ flags: [Bool], pe: Int, name: String) -> Table {
        let folds = flags.count / pe
        var words: [UInt32] = []
        for fold in 0..<folds {
            var limbs = [UInt64](repeating: 0, count: (pe + 63) / 64)
            for lane in 0..<pe where flags[fold * pe + lane] { limbs[lane / 64] |= 1 << UInt64(lane % 64) }
            words += Self.words(limbs: limbs, bits: pe)
        }
        return Table(declaration: "static bnn::ChannelFlags<\(pe), \(folds)> \(name);", load: load(pe, "\(name).bits"), words: words)
    }

    private static func load(_ bits: Int, _ array: String) -> String {
        "    bnn::LoadTable<\(bits)>(weights, \(array));"
    }

    /// A threshold RAM's declaration; with border classes the (constant) class tables stay
    /// initialized after the `tables` loaded arrays.
    private static func declaration(_ type: String, _ name: String, border: BorderClasses?, tables: Int) -> String {
        guard let border else { return "static \(type) \(name);" }
        let rows = border.rowClasses.map(String.init).joined(separator: ", ")
        let columns = border.columnClasses.map(String.init).joined(separator: ", ")
        return "static \(type) \(name) = {\n" + String(repeating: "  {},\n", count: tables) + "  {\(rows)},\n  {\(columns)},\n};"
    }

    private static func weights(_ rom: WeightROM, name: String) -> Table {
        let type = rom.weightBits > 1 ? "bnn::IntegerWeights<\(rom.simd), \(rom.pe), \(rom.depth), \(rom.weightBits)>"
            : "bnn::BinaryWeights<\(rom.simd), \(rom.pe), \(rom.depth)>"
        var words: [UInt32] = []
        for bank in 0..<rom.pe {
            for address in 0..<rom.depth { words += Self.words(limbs: rom.word(bank: bank, address: address), bits: rom.wordBits) }
        }
        return Table(declaration: "static \(type) \(name);", load: load(rom.wordBits, "\(name).words"), words: words)
    }

    /// The per-class logit maps, field by field as `bnn::LogitMap` (then `ShiftedLogitMap`'s flag and
    /// shift, then `DividedLogitMap`'s divisor) declare them.
    private static func logitMaps(_ maps: [LogitMap]) -> Table {
        let kind = ParamsEmitter.LogitMapKind(maps)
        var words: [UInt32] = []
        for m in maps {
            let bn = m.batchnorm
            words += [UInt32(truncatingIfNeeded: m.accScale), UInt32(truncatingIfNeeded: m.accOffset)]
            words += self.words(m.inputScale) + self.words(m.alpha) + self.words(m.bias) + [bn == nil ? 0 : 1]
            words += self.words(bn?.mean ?? 0) + self.words(bn?.gamma ?? 1) + self.words(bn?.stddev ?? 1) + self.words(bn?.beta ?? 0)
            if kind.shifted { words += [m.shift == nil ? 0 : 1] + self.words(m.shift ?? 0) }
            if kind.divided { words += self.words(m.divisor) }
        }
        return Table(declaration: "bnn::\(kind.typeName) \(TopEmitter.classMapsName)[\(maps.count)];",
                     load: "    bnn::LoadLogitMaps(weights, \(TopEmitter.classMapsName));", words: words)
    }

    /// The header's declaration of the loaded class maps (the testbench reads them after the load).
    static func classMapsDeclaration(_ design: Design) -> String {
        "// Last layer: accumulator -> logit (bnn::Logit), loaded with the weights.\n"
            + "extern bnn::\(ParamsEmitter.LogitMapKind(design.output.maps).typeName) \(TopEmitter.classMapsName)[\(design.output.maps.count)];\n"
    }

    /// The text the signature hashes: every table's C++ type and load, and the top's partitions
    /// and calls (all template arguments: shapes, folding, types), without comments, so model
    /// and layer names do not count and trained values never appear.
    static func canonicalText(_ tables: [Table], top: TopEmitter) -> String {
        let lines = (["bnn-hls runtime weights, format \(WeightFile.version)"] + tables.map { $0.declaration + "\n" + $0.load }
            + top.partitions + top.calls).joined(separator: "\n").split(separator: "\n")
        return lines.filter { !$0.trimmingPrefix(while: { $0 == " " }).hasPrefix("//") }.joined(separator: "\n") + "\n"
    }

    /// FNV-1a, 64 bits.
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The words and signature of a design already made `runtimeWritable()`; `graph` as `ProjectEmitter.emit` takes it.
    public static func image(_ design: Design, graph: DataflowGraph? = nil) -> Image {
        RuntimeProject(design: design, graph: graph ?? DataflowGraph(design: design)).image
    }
}
