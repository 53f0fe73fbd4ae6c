/// What the optimizer may spend: LUTs, BRAM18s, and parallel multiply-accumulates (sum of
/// PE * SIMD); nil is no limit.
public struct ResourceBudget: Sendable, Equatable, CustomStringConvertible {
    public var luts: Int?
    public var bram18: Int?
    public var lanes: Int?

    public init(luts: Int? = nil, bram18: Int? = nil, lanes: Int? = nil) {
        self.luts = luts
        self.bram18 = bram18
        self.lanes = lanes
    }

    public static let unlimited = ResourceBudget()

    public var isUnlimited: Bool { luts == nil && bram18 == nil && lanes == nil }

    /// `--budget` syntax: comma-separated items, each a device (`xc7z020`, `pynq-z2`, a part
    /// number) or `lut=N`, `bram=N` (RAMB18s), `macs=N` (sum of PE * SIMD); later items win.
    public static func parse(_ text: String) throws(BudgetSyntaxError) -> ResourceBudget {
        var budget = ResourceBudget()
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimming(" ") }
        guard !text.isEmpty, !items.contains("") else { throw BudgetSyntaxError(message: "--budget expects a device or lut=N,bram=N,macs=N, got \"\(text)\"") }
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1 {
                guard let device = Device.named(item) else {
                    let names = Device.known.flatMap { [$0.name] + $0.boards }.joined(separator: ", ")
                    throw BudgetSyntaxError(message: "--budget: unknown device \"\(item)\"; known: \(names), or give lut=N,bram=N")
                }
                budget.luts = device.luts
                budget.bram18 = device.bram18
                continue
            }
            guard let value = Int(parts[1]), value >= 0 else {
                throw BudgetSyntaxError(message: "--budget: \(parts[0]) expects a non-negative integer, got \"\(parts[1])\"")
            }
            switch parts[0].lowercased() {
            case "lut", "luts": budget.luts = value
            case "bram", "bram18": budget.bram18 = value
            case "macs", "lanes": budget.lanes = value
            default: throw BudgetSyntaxError(message: "--budget: unknown resource \"\(parts[0])\"; expected lut, bram or macs")
            }
        }
        return budget
    }

    /// Whether `resources` (and `lanes` parallel MACs) fit.
    public func admits(_ resources: Resources, lanes used: Int) -> Bool {
        resources.luts <= (luts ?? .max) && resources.bram18 <= (bram18 ?? .max) && used <= (lanes ?? .max)
    }

    /// The budget left after `reserved` (never below zero).
    public func minus(_ reserved: Resources) -> ResourceBudget {
        ResourceBudget(luts: luts.map { max(0, $0 - reserved.luts) }, bram18: bram18.map { max(0, $0 - reserved.bram18) }, lanes: lanes)
    }

    public var description: String {
        var parts: [String] = []
        if let luts { parts.append("\(luts) LUTs") }
        if let bram18 { parts.append("\(bram18) BRAM18") }
        if let lanes { parts.append("\(lanes) MACs/cycle (sum of PE * SIMD)") }
        return parts.isEmpty ? "unlimited" : parts.joined(separator: ", ")
    }
}

/// A `--budget` value that does not parse (a usage error).
public struct BudgetSyntaxError: Error, Sendable, Equatable {
    public var message: String
}

/// Trimming without Foundation.
private extension StringProtocol {
    func trimming(_ character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s = s.dropFirst() }
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}
