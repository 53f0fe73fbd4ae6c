/// FPGA resources: LUTs, 18-kbit block RAMs, UltraRAMs and DSP slices.
public struct Resources: Sendable, Equatable {
    public var luts: Int
    public var bram18: Int
    public var uram: Int
    public var dsps: Int

    public init(luts: Int = 0, bram18: Int = 0, uram: Int = 0, dsps: Int = 0) {
        self.luts = luts
        self.bram18 = bram18
        self.uram = uram
        self.dsps = dsps
    }

    public static let zero = Resources()

    public static func + (a: Resources, b: Resources) -> Resources {
        Resources(luts: a.luts + b.luts, bram18: a.bram18 + b.bram18, uram: a.uram + b.uram, dsps: a.dsps + b.dsps)
    }

    public static func += (a: inout Resources, b: Resources) { a = a + b }
}
