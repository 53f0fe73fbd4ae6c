import BNNDesign

/// The constants of bnn_window.hpp's schedule.
struct WindowSchedule {
    let channelFold: Int       // CF
    let rowWords: Int          // RW
    let outputHeight: Int      // OUT_H
    let outputWidth: Int       // OUT_W
    let wordsPerRow: Int       // WR
    let rowIterations: Int     // ROW_ITER
    let firstRows: Int         // FIRST_ROWS
    let preload: Int           // PRE_ITER
    let window: SlidingWindowStage

    init(_ w: SlidingWindowStage, simd: Int) {
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
    func rowsRead(afterPhase p: Int) -> Int {
        if p == outputHeight { return window.input.height }
        let need = -window.padding.top + p * window.stride.height + window.kernel.height
        return min(max(need, 0), window.input.height)
    }
}
