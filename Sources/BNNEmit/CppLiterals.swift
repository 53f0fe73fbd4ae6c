import BNNDesign

/// How values are spelled in the generated C++.
enum CppLiterals {
    /// A ROM word of `bits` bits from its 64-bit limbs: an integer literal when it fits,
    /// else the hex-string constructor the ap_int headers provide for wide words.
    static func word(_ limbs: ArraySlice<UInt64>, bits: Int) -> String {
        let type = "ap_uint<\(bits)>"
        // Plain literals: a ROM word up to 64 bits is stored as an unsigned integer in C simulation
        // and converts implicitly to ap_uint<bits> under synthesis (bnn::RomWord).
        if bits <= 64 { return "0x\(hex(limbs.first ?? 0, digits: 1))\(bits > 32 ? "ULL" : "")" }
        var digits = ""
        for limb in limbs.reversed() { digits += hex(limb, digits: 16) }
        let trimmed = digits.drop { $0 == "0" }
        return "\(type)(\"0x\(trimmed.isEmpty ? "0" : String(trimmed))\", 16)"
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// A float64 constant that reads back to the very same double (Swift prints the shortest
    /// round-tripping decimal).
    static func double(_ value: Double) -> String {
        let text = "\(value)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    /// An integer constant of type `type` (always fits: the compiler sized the type for it).
    static func integer(_ value: Int, _ type: IntegerType) -> String {
        "\(type.cName)(\(value))"
    }
}
