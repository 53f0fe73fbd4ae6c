import BNNModel

/// The border classes of a padded convolution: output positions whose kernel windows cover the
/// same taps of padding. An output row's class is how many kernel rows fall in the top padding
/// and how many in the bottom one (likewise columns); a pixel's class is
/// `rowClass * columnClassCount + columnClass`. With +-1 padding on the 8-bit input the padded
/// taps add a constant `P` that depends only on the class and the output channel, so each
/// (class, channel) gets its own threshold while the accumulator stays the same as for zero
/// padding (padded taps hold the zero point and add 0).
public struct BorderClasses: Sendable, Equatable {
    /// Kernel rows (or columns) of a window that fall before and after the image.
    public struct Overlap: Sendable, Equatable, Hashable {
        public var before: Int
        public var after: Int
    }

    /// Class of every output row and column, numbered in order of first appearance.
    public var rowClasses: [Int]
    public var columnClasses: [Int]
    /// The padding overlap of each row class and each column class.
    public var rowOverlaps: [Overlap]
    public var columnOverlaps: [Overlap]
    public var kernel: Pair

    public init(window w: SlidingWindowStage) {
        let output = w.output
        (rowClasses, rowOverlaps) = Self.classes(count: output.height, stride: w.stride.height, kernel: w.kernel.height,
                                                 before: w.padding.top, size: w.input.height)
        (columnClasses, columnOverlaps) = Self.classes(count: output.width, stride: w.stride.width, kernel: w.kernel.width,
                                                       before: w.padding.left, size: w.input.width)
        kernel = w.kernel
    }

    /// Number of classes: row classes x column classes.
    public var count: Int { rowOverlaps.count * columnOverlaps.count }

    /// Class of output pixel `p` (row-major).
    public func classOf(pixel p: Int) -> Int {
        let width = columnClasses.count
        return rowClasses[p / width] * columnOverlaps.count + columnClasses[p % width]
    }

    /// Whether kernel tap (ky, kx) lies in the padding for every pixel of class `c`.
    public func isPadded(ky: Int, kx: Int, borderClass c: Int) -> Bool {
        let row = rowOverlaps[c / columnOverlaps.count]
        let column = columnOverlaps[c % columnOverlaps.count]
        return ky < row.before || ky >= kernel.height - row.after || kx < column.before || kx >= kernel.width - column.after
    }

    /// Output position o of one axis starts at input coordinate `o * stride - before`; the taps
    /// below 0 or at `size` and beyond are padding.
    private static func classes(count: Int, stride: Int, kernel: Int, before: Int, size: Int) -> ([Int], [Overlap]) {
        var overlaps: [Overlap] = []
        var classes: [Int] = []
        for o in 0..<count {
            let start = o * stride - before
            let overlap = Overlap(before: min(kernel, max(0, -start)), after: min(kernel, max(0, start + kernel - size)))
            if let known = overlaps.firstIndex(of: overlap) {
                classes.append(known)
            } else {
                classes.append(overlaps.count)
                overlaps.append(overlap)
            }
        }
        return (classes, overlaps)
    }
}
