import BNNCompiler
import BNNDataflow
import BNNModel
import BNNTestSupport
import Foundation
import Templates
import XCTest

/// The threaded, bounded-FIFO C simulation (`make csim-threaded`, bnn_threaded_csim.hpp): every
/// DATAFLOW process in its own thread over FIFOs of the emitted depths.
final class ThreadedCSimTests: XCTestCase {
    /// An MLP and a CNN pass their testbench (expected outputs from the reference) in threaded mode
    /// with the emitted depths, and still with every internal FIFO cut to depth 1: v1 designs are
    /// linear chains, and a chain of blocking FIFOs cannot deadlock at any depth.
    func testMLPAndCNNPassThreadedWithEmittedAndMinimalDepths() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let root = try TestPaths.temporaryDirectory("threaded")
        defer { try? FileManager.default.removeItem(at: root) }
        let projects = try GeneratedProjectTests.projects().filter { ["digits_default", "digits_cnn_default"].contains($0.name) }
        XCTAssertEqual(projects.count, 2)
        try GeneratedProjectTests.emit(projects, in: root)
        for project in projects {
            let dir = root.appendingPathComponent(project.name).path
            let top = try String(contentsOfFile: "\(dir)/src/\(project.network.cName).cpp", encoding: .utf8)
            let streams = top.components(separatedBy: "BNN_FIFO_DEPTH(").dropFirst().compactMap { $0.split(separator: ",").first }
            XCTAssertGreaterThan(streams.count, 1, project.name)
            let run = try runProcess("make", ["-s", "csim-threaded", "HLS_INCLUDE=\(include)"], in: dir)
            XCTAssertEqual(run.status, 0, "\(project.name): \(run.output.suffix(3000))")
            XCTAssertTrue(run.output.contains("\(project.vectors) passed, 0 failed"), "\(project.name): \(run.output.suffix(2000))")
            try Self.assertCyclesAgree(run.output, project)
            let allOne = streams.map { "\($0)=1" }.joined(separator: ",")
            let shallow = try runProcess("./build/\(project.network.cName)_tb_threaded", ["vectors"], in: dir, environment: ["BNN_CSIM_DEPTHS": allOne])
            XCTAssertEqual(shallow.status, 0, "\(project.name) at depth 1: \(shallow.output.suffix(3000))")
            XCTAssertTrue(shallow.output.contains("\(project.vectors) passed, 0 failed"), "\(project.name): \(shallow.output.suffix(2000))")
        }
    }

    /// The threaded run's logical clock against the Swift cycle model: the frames' completion
    /// cycles must equal `PipelineSimulation`'s with the emitted depths (input always there, as
    /// the testbench writes each frame before the call), the first one `FIFOPlan.latency` and the
    /// last interval `FIFOPlan.interval`. Tolerance: none (0 cycles).
    static func assertCyclesAgree(_ output: String, _ project: GeneratedProjectTests.Project, file: StaticString = #filePath, line: UInt = #line) throws {
        let design = try Pipeline(file: "\(project.name).json", folding: project.folding).compile(project.network)
        let graph = DataflowGraph(design: design)
        let measured = csimCompletions(output)
        let modelled = PipelineSimulation(stages: graph.stages, depths: graph.fifo.depths, frames: project.vectors).completions
        XCTAssertEqual(measured, modelled, "\(project.name): completion cycles, threaded C-sim vs Swift model", file: file, line: line)
        XCTAssertEqual(measured.first, graph.fifo.latency, "\(project.name): latency", file: file, line: line)
        if measured.count >= 2 {
            XCTAssertEqual(measured[measured.count - 1] - measured[measured.count - 2], graph.fifo.interval, "\(project.name): interval", file: file, line: line)
        }
        print("\(project.name): threaded C-sim latency \(measured.first ?? -1), interval \(measured.count >= 2 ? measured[measured.count - 1] - measured[measured.count - 2] : -1) cycles; model \(graph.fifo.latency), \(graph.fifo.interval)")
    }

    /// The `csim-cycles: frame F done at cycle C` lines of a threaded run, in frame order.
    static func csimCompletions(_ output: String) -> [Int] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("csim-cycles: frame ") else { return nil }
            return line.split(separator: " ").last.flatMap { Int($0) }
        }
    }

    /// A hand-built fork/join (what a residual block is): the long branch holds `LAG` values
    /// before its first output; with the branch FIFO's 2 places the shortcut FIFO needs depth LAG - 1
    /// (7, the smallest that passes, measured with this run). Sequential g++ C-sim
    /// passes it at any depth; the threaded run passes at the declared depth and reports a
    /// deadlock naming the full shortcut stream when the depth is cut.
    func testForkJoinDeadlockIsDetectedWhenTheShortcutIsTooShallow() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let dir = try TestPaths.temporaryDirectory("forkjoin")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(TemplateFiles.named("bnn_threaded_csim.hpp") ?? []).write(to: dir.appendingPathComponent("bnn_threaded_csim.hpp"))
        try Self.forkJoin.write(to: dir.appendingPathComponent("fork_join.cpp"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("threaded"), withIntermediateDirectories: true)
        try "#include \"bnn_threaded_csim.hpp\"\n".write(to: dir.appendingPathComponent("threaded/hls_stream.h"), atomically: true, encoding: .utf8)
        let flags = ["-std=gnu++14", "-O1", "-fno-finite-loops", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas", "-I."]
        let sequential = try runProcess("g++", flags + ["-isystem", include, "fork_join.cpp", "-o", "sequential"], in: dir.path)
        XCTAssertEqual(sequential.status, 0, sequential.output)
        let threaded = try runProcess("g++", flags + ["-DBNN_THREADED_CSIM", "-Ithreaded", "-pthread", "-isystem", include, "fork_join.cpp", "-o", "threaded_run"], in: dir.path)
        XCTAssertEqual(threaded.status, 0, threaded.output)

        // Sequential C-sim: unbounded queues, passes even with a shortcut far too shallow for hardware.
        let plain = try runProcess("./sequential", [], in: dir.path)
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(plain.output.contains("sum 4950 ok"), plain.output)
        // Threaded at the declared depth (LAG - 1): passes.
        let deep = try runProcess("./threaded_run", [], in: dir.path)
        XCTAssertEqual(deep.status, 0, deep.output)
        XCTAssertTrue(deep.output.contains("sum 4950 ok"), deep.output)
        // Threaded with the shortcut cut by one: deadlock, reported with the stuck streams.
        let cut = try runProcess("./threaded_run", [], in: dir.path, environment: ["BNN_CSIM_DEPTHS": "shortcut=6"])
        XCTAssertEqual(cut.status, 3, cut.output)
        XCTAssertTrue(cut.output.contains("DEADLOCK"), cut.output)
        XCTAssertTrue(cut.output.contains("stream shortcut: 6/6 FULL"), cut.output)
        XCTAssertTrue(cut.output.contains("stream delayed: 0/2 EMPTY"), cut.output)
        XCTAssertFalse(cut.output.contains("sum 4950 ok"), cut.output)
    }

    /// Fork -> (delay line of LAG values) -> join with the shortcut; 100 values, sum 0..99.
    static let forkJoin = """
        #include <cstdio>
        #include <hls_stream.h>
        #include "bnn_threaded_csim.hpp"

        const int N = 100;
        const int LAG = 8;

        static void fork(hls::stream<int> &in, hls::stream<int> &a, hls::stream<int> &b) {
            for (int i = 0; i < N; ++i) { int v = in.read(); a.write(v); b.write(v); }
        }
        // Emits nothing until it holds LAG values (a line buffer), then one per input.
        static void delay(hls::stream<int> &in, hls::stream<int> &out) {
            int line[LAG];
            for (int i = 0; i < N + LAG; ++i) {
                if (i >= LAG) out.write(line[i % LAG]);
                if (i < N) line[i % LAG] = in.read();
            }
        }
        static void join(hls::stream<int> &delayed, hls::stream<int> &shortcut, hls::stream<int> &out) {
            for (int i = 0; i < N; ++i) {
                int d = delayed.read();  // first the long branch, then the shortcut
                out.write(d + shortcut.read());
            }
        }

        static void top(hls::stream<int> &in, hls::stream<int> &out) {
        #pragma HLS DATAFLOW
            hls::stream<int> branch("branch");
        #pragma HLS STREAM variable=branch depth=2
            BNN_FIFO_DEPTH(branch, 2);
            hls::stream<int> shortcut("shortcut");
        #pragma HLS STREAM variable=shortcut depth=7
            BNN_FIFO_DEPTH(shortcut, 7);
            hls::stream<int> delayed("delayed");
        #pragma HLS STREAM variable=delayed depth=2
            BNN_FIFO_DEPTH(delayed, 2);
            BNN_PROCESS(fork(in, branch, shortcut));
            BNN_PROCESS(delay(branch, delayed));
            BNN_PROCESS(join(delayed, shortcut, out));
            BNN_JOIN_PROCESSES();
        }

        int main() {
            hls::stream<int> in("in"), out("out");
            for (int i = 0; i < N; ++i) in.write(i);
            top(in, out);
            long sum = 0;
            for (int i = 0; i < N; ++i) sum += out.read();
            // Each output is delayed value + shortcut value: twice the input sum.
            if (sum != 2 * 4950 || !out.empty()) { std::printf("sum %ld wrong\\n", sum / 2); return 1; }
            std::printf("sum %ld ok\\n", sum / 2);
            return 0;
        }
        """
}
