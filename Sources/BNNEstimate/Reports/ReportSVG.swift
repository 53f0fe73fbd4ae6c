import BNNModel

/// report.svg: cycles per frame of every layer as horizontal bars, the bottleneck in red with a
/// line at its length, for a person to look at.
public enum ReportSVG {
    public static let barColor = "#4c78a8"
    public static let bottleneckColor = "#d62728"

    public static func render(_ e: DesignEstimate) -> String {
        let p = max(e.bottleneckCycles, 1)
        func label(_ l: LayerSummary) -> String { "\(l.geometry.key) (PE \(l.folding.pe), SIMD \(l.folding.simd))" }
        // About 7 px per character at 12 px sans-serif.
        let labelWidth = max(120, 7 * (e.layers.map { label($0).count }.max() ?? 0) + 16)
        let barArea = 520, rowHeight = 26, top = 56, left = 12
        let width = left + labelWidth + barArea + 150
        let height = top + rowHeight * max(e.layers.count, 1) + 44
        func x(_ cycles: Int) -> Int { left + labelWidth + Int((Double(barArea) * Double(cycles) / Double(p)).rounded()) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        let title = "\(e.geometry.name): cycles per frame by layer"
        out += "  <title>\(SafeText.xml(title))</title>\n"
        out += "  <rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += "  <text x=\"\(left)\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(SafeText.xml(title))</text>\n"
        let subtitle = "bottleneck \(e.bottleneckCycles) cycles/frame = \(Formatting.fixed(e.framesPerSecond, 1)) frames/s at \(Formatting.number(e.clockNs)) ns; efficiency \(Formatting.fixed(e.efficiency, 3))"
        out += "  <text x=\"\(left)\" y=\"40\" fill=\"#555555\">\(SafeText.xml(subtitle))</text>\n"
        for (i, l) in e.layers.enumerated() {
            let y = top + i * rowHeight
            let isBottleneck = l.cycles == e.bottleneckCycles
            let share = Formatting.fixed(100 * Double(l.cycles) / Double(p), 1)
            out += "  <text x=\"\(left + labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(SafeText.xml(label(l)))</text>\n"
            out += "  <rect class=\"\(isBottleneck ? "bar bottleneck" : "bar")\" data-layer=\"\(SafeText.xml(l.geometry.key))\" x=\"\(left + labelWidth)\" y=\"\(y + 4)\" "
                + "width=\"\(max(x(l.cycles) - left - labelWidth, 1))\" height=\"\(rowHeight - 8)\" fill=\"\(isBottleneck ? bottleneckColor : barColor)\">"
                + "<title>\(SafeText.xml("\(l.geometry.key): \(l.cycles) cycles/frame, \(share)% of the bottleneck"))</title></rect>\n"
            let value = "\(l.cycles)" + (isBottleneck ? "  bottleneck" : "")
            out += "  <text x=\"\(x(l.cycles) + 6)\" y=\"\(y + 16)\"\(isBottleneck ? " fill=\"\(bottleneckColor)\" font-weight=\"bold\"" : "")>\(SafeText.xml(value))</text>\n"
        }
        let bottom = top + rowHeight * e.layers.count
        out += "  <line x1=\"\(x(p))\" y1=\"\(top - 4)\" x2=\"\(x(p))\" y2=\"\(bottom + 4)\" stroke=\"\(bottleneckColor)\" stroke-dasharray=\"4 3\"/>\n"
        out += "  <line x1=\"\(left + labelWidth)\" y1=\"\(top - 4)\" x2=\"\(left + labelWidth)\" y2=\"\(bottom + 4)\" stroke=\"#333333\"/>\n"
        out += "  <text x=\"\(left + labelWidth)\" y=\"\(bottom + 24)\" fill=\"#555555\">0</text>\n"
        out += "  <text x=\"\(x(p))\" y=\"\(bottom + 24)\" text-anchor=\"middle\" fill=\"\(bottleneckColor)\">\(p) cycles</text>\n"
        return out + "</svg>\n"
    }
}
