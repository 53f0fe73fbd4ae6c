/// An FPGA whose capacity a `--budget` can name: a part (`xc7z020`, or a full part number
/// starting with one) or a board that carries it.
public struct Device: Sendable, Equatable {
    public var name: String
    public var boards: [String]
    public var luts: Int
    public var bram18: Int
    public var uram: Int

    public init(name: String, boards: [String], luts: Int, bram18: Int, uram: Int) {
        self.name = name
        self.boards = boards
        self.luts = luts
        self.bram18 = bram18
        self.uram = uram
    }

    /// Capacities from the AMD product tables (DS190 Zynq-7000, DS891 Zynq UltraScale+, DS962
    /// Alveo): LUTs, 36-kbit block RAMs as two RAMB18 each, UltraRAMs.
    public static let known: [Device] = [
        Device(name: "xc7z010", boards: [], luts: 17_600, bram18: 120, uram: 0),
        Device(name: "xc7z020", boards: ["pynq-z1", "pynq-z2"], luts: 53_200, bram18: 280, uram: 0),
        Device(name: "xczu3eg", boards: ["ultra96"], luts: 70_560, bram18: 432, uram: 0),
        Device(name: "xczu7ev", boards: ["zcu104"], luts: 230_400, bram18: 624, uram: 96),
        Device(name: "xczu9eg", boards: ["zcu102"], luts: 274_080, bram18: 1_824, uram: 0),
        Device(name: "xcu250", boards: ["u250"], luts: 1_728_000, bram18: 5_376, uram: 1_280),
        Device(name: "xcu280", boards: ["u280"], luts: 1_303_680, bram18: 4_032, uram: 960),
    ]

    /// The device a name means: a board, a part, or a part number that starts with a part.
    public static func named(_ text: String) -> Device? {
        let name = text.lowercased()
        return known.first { $0.name == name || $0.boards.contains(name) } ?? known.first { name.hasPrefix($0.name) }
    }
}
