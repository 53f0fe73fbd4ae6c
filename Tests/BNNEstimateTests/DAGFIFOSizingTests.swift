@testable import BNNDataflow
import XCTest

/// FIFO sizing and the pipeline simulation over a DAG (residual graphs): a duplicate feeds a
/// delay line (the long branch) and, through the shortcut FIFO, a join that also reads the delay
/// line's output. Reads wait for every input FIFO, writes for every output FIFO.
final class DAGFIFOSizingTests: XCTestCase {
    static let n = 32
    static let lag = 8
    // Stage 0 duplicate: reads the input, writes FIFOs 0 (branch) and 1 (shortcut).
    // Stage 1 delay line: reads FIFO 0, writes FIFO 2 once it holds `lag` words.
    // Stage 2 join: reads FIFOs 2 and 1 together.
    static let topology = PipelineTopology(streams: [.duplicate(node: 0, copy: 0), .shortcut(0), .join(node: 1)], producers: [0, 0, 1],
                                           consumers: [1, 2, 2], inputs: [[], [0], [2, 1]], outputs: [[0, 1], [2], []])
    static let patterns: [[UInt8]] = [
        Array(repeating: IterationPattern.read | IterationPattern.write, count: n),
        (0..<(n + lag)).map { ($0 < n ? IterationPattern.read : 0) | ($0 >= lag ? IterationPattern.write : 0) },
        Array(repeating: IterationPattern.read | IterationPattern.write, count: n),
    ]

    func testShortcutHoldsTheLongBranchsLag() throws {
        let period = Self.n + Self.lag
        let sized = try XCTUnwrap(FIFOSizing.size(Self.patterns, topology: Self.topology, period: period, frames: 4))
        let chosen = FIFOSizing.tighten(Self.patterns, topology: Self.topology, witness: sized.depths, period: period, latency: sized.latency, frames: 4)
        let run = PipelineSimulation(patterns: Self.patterns, topology: Self.topology, depths: chosen, frames: 6)
        XCTAssertFalse(run.deadlocked)
        XCTAssertEqual(run.interval, period)
        XCTAssertEqual(run.completions.first, sized.latency)
        // A too shallow shortcut deadlocks: the duplicate cannot write the branch word the delay
        // line needs, because the shortcut is full and the join waits for the delay line. The
        // chosen depth (for the full rate) is at least the smallest that does not deadlock.
        func deadlocks(_ depth: Int) -> Bool {
            var cut = chosen
            cut[1] = depth
            return PipelineSimulation(patterns: Self.patterns, topology: Self.topology, depths: cut, frames: 2).deadlocked
        }
        let smallest = try XCTUnwrap((1...chosen[1]).first { !deadlocks($0) })
        XCTAssertTrue(deadlocks(1))
        // The delay line reads words 0...lag before its first write (the branch FIFO stays empty):
        // by then the shortcut holds lag + 1 words.
        XCTAssertEqual(smallest, Self.lag + 1)
        XCTAssertLessThanOrEqual(smallest, chosen[1])
    }

    /// A chain described as a topology sizes exactly as the chain entry point does.
    func testChainTopologyIsTheChain() throws {
        let source: [UInt8] = Array(repeating: 3, count: 8)
        let burst: [UInt8] = [1, 1, 1, 3] + Array(repeating: 0, count: 4)
        let chain = FIFOSizing.size([source, burst, source], period: 8, frames: 4)
        let dag = FIFOSizing.size([source, burst, source], topology: .chain(3), period: 8, frames: 4)
        XCTAssertEqual(chain?.depths, dag?.depths)
        XCTAssertEqual(chain?.latency, dag?.latency)
    }
}
