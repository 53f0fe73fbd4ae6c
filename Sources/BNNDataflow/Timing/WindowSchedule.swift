import BNNDesign

/// The constants of bnn_window.hpp's schedule.
public struct WindowSchedule {
    public let channelFold: Int       // CF
    public let rowWords: Int          // RW
    public let outputHeight: Int      // OUT_H
    public let outputWidth: Int       // OUT_W
    public let wordsPerRow: Int       // WR
    public let rowIterations: Int     // ROW_ITER
    public let firstRows: Int         // FIRST_ROWS
    public let preload: Int           // PRE_ITER
    public let window: SlidingWindowStage

    public init(_ w: SlidingWindowStage, simd: Int) {
        window = w
        channelFold = w.input.channels / max(simd, 1)
        rowWords = w.input.width * channelFold
        outputHeight = w.output.height
        outputWidth = w.output.width
        wordsPerRow = outputWidth * w.kernel.height * w.kernel.width * channelFold
        rowIterations = max(wordsPerRow, w.stride.height * rowWords + CycleModel.windowGuard)
        firstRows = min(max(w.kernel.height - w.padding.top, 0), w.input.height)
        preload = firstRows * rowWords + CycleModel.windowGuard
    }

    /// Input rows read by the end of output-row phase `p` (1-based), as the C++ computes it.
    public func rowsRead(afterPhase p: Int) -> Int {
        if p == outputHeight { return window.input.height }
        let need = -window.padding.top + p * window.stride.height + window.kernel.height
        return min(max(need, 0), window.input.height)
    }
}
