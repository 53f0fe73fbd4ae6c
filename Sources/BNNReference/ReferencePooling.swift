import BNNModel

/// Max- and average pooling: no padding, floor mode, HWC.
enum ReferencePooling {
    /// The flat input positions of each output element's window, output in HWC order.
    static func windows(pool: Pair, stride: Pair, input: Shape3, visit: ([Int]) -> Void) {
        let output = MaxPool2D(pool: pool, stride: stride).outputShape(input)
        var window: [Int] = []
        window.reserveCapacity(pool.height * pool.width)
        for oy in 0..<output.height {
            for ox in 0..<output.width {
                for c in 0..<input.channels {
                    window.removeAll(keepingCapacity: true)
                    for ky in 0..<pool.height {
                        for kx in 0..<pool.width {
                            window.append(((oy * stride.height + ky) * input.width + ox * stride.width + kx) * input.channels + c)
                        }
                    }
                    visit(window)
                }
            }
        }
    }

    /// The max of each window; on exact values the max of the codes, as `step > 0`.
    static func max(_ pool: MaxPool2D, _ x: ReferenceTensor, input: Shape3) -> ReferenceTensor {
        switch x {
        case .coded(var coded):
            var result: [Int] = []
            windows(pool: pool.pool, stride: pool.stride, input: input) { window in
                result.append(window.reduce(Int.min) { Swift.max($0, coded.codes[$1]) })
            }
            coded.codes = result
            return .coded(coded)
        case .real(let values):
            var result: [Double] = []
            windows(pool: pool.pool, stride: pool.stride, input: input) { window in
                var best = -Double.infinity
                for i in window { best = Swift.max(best, values[i]) }
                result.append(best)
            }
            return .real(result)
        }
    }

    /// The exact mean of each window: on exact values the sum of the codes on `step / n`; on
    /// float64 values the exact mean rounded once.
    static func average(_ pool: AvgPool2D, _ x: ReferenceTensor, input: Shape3, label: String) throws(ReferenceError) -> ReferenceTensor {
        let n = pool.pool.height * pool.pool.width
        switch x {
        case .coded(let coded):
            let (bound, overflow) = coded.maxMagnitude.multipliedReportingOverflow(by: n)
            guard !overflow, bound < 1 << 62 else {
                throw ReferenceError(message: "\(label): the sum of a window's codes could exceed 2^62; inputs this large are not supported")
            }
            var sums: [Int] = []
            windows(pool: pool.pool, stride: pool.stride, input: input) { window in
                sums.append(window.reduce(0) { $0 + coded.codes[$1] })
            }
            return .coded(CodedTensor(codes: sums, step: coded.step / n, offset: coded.offset))
        case .real(let values):
            var means: [Double] = []
            windows(pool: pool.pool, stride: pool.stride, input: input) { window in
                var sum = ExactNumber.zero
                for i in window {
                    guard let exact = ExactNumber(values[i]) else {
                        means.append(window.reduce(0) { $0 + values[$1] } / Double(n))  // inf or NaN
                        return
                    }
                    sum = sum + exact
                }
                means.append((sum / n).double)
            }
            return .real(means)
        }
    }
}
