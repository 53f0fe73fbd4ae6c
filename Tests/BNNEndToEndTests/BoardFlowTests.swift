import BNNTestSupport
import Foundation
import XCTest

/// The board flow's Tcl (ip.tcl, run_hls.tcl, board.tcl) run by plain tclsh against recording
/// stubs of the Vivado / Vitis HLS commands (Tests/board/run_with_stubs.tcl): a misspelt
/// command, an unknown flag or a wrong argument count fails. What this cannot check: that
/// Vivado accepts the property values, that the IP's port names match, timing, the bitstream.
final class BoardFlowTests: XCTestCase {
    static let stubs = TestPaths.inRepo("Tests/board/run_with_stubs.tcl")

    static func requireTclsh() throws {
        let probe = try runProcess("sh", ["-c", "command -v tclsh"])
        guard probe.status == 0 else { throw XCTSkip("tclsh is not installed (apt-get install tcl; .ci/run does)") }
    }

    /// Runs `script` in `dir`; the exit status, the recorded calls and the output.
    static func run(_ script: [String], in dir: String) throws -> (status: Int32, calls: [String], output: String) {
        let log = "\(dir)/stub_calls.txt"
        let result = try runProcess("tclsh", [stubs, log] + script, in: dir)
        let calls = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        return (result.status, calls, result.output)
    }

    func testGeneratedTclRunsAgainstTheXilinxCommandStubs() throws {
        try Self.requireTclsh()
        let root = try TestPaths.temporaryDirectory("board")
        defer { try? FileManager.default.removeItem(at: root) }
        for (model, clock, mhz) in [("Examples/digits_mlp/model.json", "10", "100"), ("Examples/digits_cnn/model_argmax.json", "8", "125")] {
            let dir = root.appendingPathComponent(model.replacingOccurrences(of: "/", with: "_")).path
            let compile = DriverTests.bnnHLS(["compile", TestPaths.inRepo(model), "--vectors", "2", "--clock-ns", clock, "-o", dir])
            XCTAssertEqual(compile.status, 0, compile.output)
            let design = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/driver/design.json"))) as? [String: Any]
            let name = try XCTUnwrap(design?["name"] as? String)
            let outBytes = try XCTUnwrap((design?["output"] as? [String: Any])?["word_bytes"] as? Int)
            // report.md's DMA bytes per frame are the driver's (estimate and emitter agree on the words).
            func frameBytes(_ side: String) -> Int? {
                guard let s = design?[side] as? [String: Any], let w = s["word_bytes"] as? Int, let n = s["words_per_frame"] as? Int else { return nil }
                return w * n
            }
            let report = try String(contentsOfFile: "\(dir)/report.md", encoding: .utf8).replacingOccurrences(of: "\n", with: " ")
            let moves = "the DMA moves \(try XCTUnwrap(frameBytes("input"))) bytes in and \(try XCTUnwrap(frameBytes("output"))) bytes out"
            XCTAssertTrue(report.contains(moves), "\(model): no '\(moves)' in report.md")

            for script in ["run_hls.tcl", "ip.tcl"] {
                let r = try Self.run([script], in: dir)
                XCTAssertEqual(r.status, 0, "\(model) \(script): \(r.output)")
                XCTAssertEqual(r.calls.last, "exit 0", "\(model) \(script)")
                XCTAssertTrue(r.calls.contains { $0.hasPrefix("csynth_design") }, "\(model) \(script)")
                XCTAssertTrue(r.calls.contains { $0.hasPrefix("export_design -format ip_catalog") }, "\(model) \(script)")
            }
            let ip = try Self.run(["ip.tcl"], in: dir)
            XCTAssertTrue(ip.calls.contains("set_top \(name)_board"), "\(ip.calls)")
            XCTAssertTrue(ip.calls.contains("create_clock -period \(clock).0 -name default"), "\(ip.calls)")

            for (board, ps, clockProperty) in [("pynq-z2", "xilinx.com:ip:processing_system7", "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ \(mhz)"),
                                               ("zcu104", "xilinx.com:ip:zynq_ultra_ps_e", "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ \(mhz)")] {
                try? FileManager.default.removeItem(atPath: "\(dir)/board")
                let r = try Self.run(["board.tcl", board], in: dir)
                XCTAssertEqual(r.status, 0, "\(model) \(board): \(r.output)")
                XCTAssertEqual(r.calls.last, "exit 0")
                let text = r.calls.joined(separator: "\n")
                XCTAssertTrue(r.calls.contains("create_bd_cell -type ip -vlnv \(ps) ps"), text)
                XCTAssertTrue(text.contains(clockProperty), text)
                XCTAssertTrue(r.calls.contains("create_bd_cell -type ip -vlnv bnnhls:hls:\(name)_board:1.0 bnn_top"), text)
                XCTAssertTrue(r.calls.contains("create_bd_cell -type ip -vlnv xilinx.com:ip:axi_dma bnn_dma"), text)
                // Both streams reach the top, directly or through a width converter.
                XCTAssertTrue(r.calls.contains { $0.hasPrefix("connect_bd_intf_net") && $0.hasSuffix("bnn_top/frames_in") }, text)
                XCTAssertTrue(r.calls.contains { $0.hasPrefix("connect_bd_intf_net bnn_top/frames_out") }, text)
                if outBytes & (outBytes - 1) != 0 {
                    XCTAssertTrue(text.contains("CONFIG.S_TDATA_NUM_BYTES \(outBytes) CONFIG.M_TDATA_NUM_BYTES"), text)
                }
                XCTAssertTrue(r.calls.contains { $0.hasPrefix("apply_bd_automation -rule xilinx.com:bd_rule:axi4") && $0.hasSuffix("bnn_top/s_axi_control") }, text)
                XCTAssertTrue(r.calls.contains("launch_runs impl_1 -to_step write_bitstream -jobs 2"), text)
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/board/\(name).bit"), "\(board): no .bit copied")
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/board/\(name).hwh"), "\(board): no .hwh copied")
            }
            let unknown = try Self.run(["board.tcl", "kria"], in: dir)
            XCTAssertEqual(unknown.status, 1)
            XCTAssertTrue(unknown.output.contains("unknown board 'kria'; expected pynq-z2 or zcu104"), unknown.output)
        }
    }

    /// --runtime-weights: the board top passes the weights port and `load` through, and the block
    /// design adds a second DMA for the weights.
    func testRuntimeWeightsBoardFlow() throws {
        try Self.requireTclsh()
        let dir = try TestPaths.temporaryDirectory("board-runtime").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let compile = DriverTests.bnnHLS(["compile", TestPaths.inRepo("Examples/digits_mlp/model.json"), "--runtime-weights", "--vectors", "2", "-o", dir + "/hw"])
        XCTAssertEqual(compile.status, 0, compile.output)
        let board = try String(contentsOfFile: "\(dir)/hw/src/digits_mlp_board.cpp", encoding: .utf8)
        XCTAssertTrue(board.contains("digits_mlp(frames_in, words, weights, load);"), board)
        XCTAssertTrue(board.contains("#pragma HLS INTERFACE s_axilite port=load"), board)
        let r = try Self.run(["board.tcl", "pynq-z2"], in: dir + "/hw")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.calls.contains("connect_bd_intf_net bnn_weights_dma/M_AXIS_MM2S bnn_top/weights"), r.calls.joined(separator: "\n"))
        XCTAssertTrue(r.calls.contains { $0.contains("axi4") && $0.hasSuffix("bnn_weights_dma/M_AXI_MM2S") })
        let rom = try String(contentsOfFile: TestPaths.inRepo("hw/src/digits_mlp_board.cpp"), encoding: .utf8)
        XCTAssertTrue(rom.contains("digits_mlp(frames_in, words);"), rom)
    }

    /// The board top (src/NAME_board.cpp) under g++ against the real design and a minimal stand-in
    /// for Vitis's ap_axi_sdata.h (only the ap_axiu fields it uses; no public licence-clean copy
    /// exists): for two frames it forwards the design's output words unchanged, with TLAST on the
    /// last word of each frame only.
    func testBoardTopForwardsWordsWithTLASTPerFrame() throws {
        let include = try GeneratedProjectTests.hlsInclude()
        let dir = try TestPaths.temporaryDirectory("board-top").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Logits in words of 3 classes: 4 output words per frame.
        let compile = DriverTests.bnnHLS(["compile", TestPaths.inRepo("Examples/digits_mlp/model.json"), "--vectors", "2",
                                          "--fold", "fc3=3x256", "-o", dir + "/hw"])
        XCTAssertEqual(compile.status, 0, compile.output)
        try FileManager.default.createDirectory(atPath: dir + "/standin", withIntermediateDirectories: true)
        try """
            #include <ap_int.h>
            template <int D, int U, int I, int T> struct ap_axiu {
                ap_uint<D> data;
                ap_uint<(D + 7) / 8> keep;
                ap_uint<(D + 7) / 8> strb;
                ap_uint<1> last;
            };
            """.write(toFile: dir + "/standin/ap_axi_sdata.h", atomically: true, encoding: .utf8)
        try """
            #include <cstdio>
            #include <ap_axi_sdata.h>
            #include "digits_mlp.hpp"
            typedef ap_axiu<(digits_mlp_out_t::width + 7) / 8 * 8, 0, 0, 0> beat_t;
            void digits_mlp_board(hls::stream<digits_mlp_in_t> &frames_in, hls::stream<beat_t> &frames_out);
            int main() {
                const unsigned words = digits_mlp_io::INPUT_ELEMENTS / digits_mlp_io::INPUT_LANES;
                int bad = 0, beats = 0;
                for (int frame = 0; frame < 2; frame++) {
                    hls::stream<digits_mlp_in_t> a("a"), b("b");
                    hls::stream<digits_mlp_out_t> plain("plain");
                    hls::stream<beat_t> board("board");
                    for (unsigned w = 0; w < words; w++) {
                        const digits_mlp_in_t word = digits_mlp_in_t(37 * (w + 1) + frame) * 0x01010101u;
                        a.write(word);
                        b.write(word);
                    }
                    digits_mlp(a, plain);
                    digits_mlp_board(b, board);
                    for (unsigned w = 0; w < digits_mlp_io::OUTPUT_WORDS; w++) {
                        const beat_t beat = board.read();
                        const digits_mlp_out_t want = plain.read();
                        beats++;
                        if (beat.data != want || beat.last != (w + 1 == digits_mlp_io::OUTPUT_WORDS)) bad++;
                    }
                    if (!board.empty() || !plain.empty() || !b.empty()) bad++;
                }
                std::printf("%d beats, %d bad\\n", beats, bad);
                return bad == 0 ? 0 : 1;
            }
            """.write(toFile: dir + "/hw/board_main.cpp", atomically: true, encoding: .utf8)
        let build = try runProcess("g++", ["-std=gnu++14", "-O1", "-fno-finite-loops", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas",
                                           "-Wno-uninitialized", "-Wno-maybe-uninitialized", "-isystem", include, "-I../standin", "-Isrc",
                                           "src/digits_mlp.cpp", "src/digits_mlp_board.cpp", "board_main.cpp", "-o", "board_main"], in: dir + "/hw")
        XCTAssertEqual(build.status, 0, build.output.suffix(3000).description)
        let run = try runProcess("./board_main", [], in: dir + "/hw")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("8 beats, 0 bad"), run.output)
    }

    /// The stubs catch what they are there to catch.
    func testStubsRefuseMisspeltCommandsAndWrongArguments() throws {
        try Self.requireTclsh()
        let dir = try TestPaths.temporaryDirectory("board-stubs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [
            ("create_bd_cel -type ip -vlnv xilinx.com:ip:axi_dma dma", "unknown command create_bd_cel"),
            ("create_bd_design a b", "create_bd_design: 2 positional arguments"),
            ("set_property CONFIG.c_include_sg 0", "set_property: expects NAME VALUE OBJECTS"),
            ("create_bd_cell -type ip dma", "create_bd_cell: -type ip needs -vlnv"),
            ("launch_runs impl_1 -to_stepp write_bitstream", "launch_runs: unknown flag -to_stepp"),
            ("create_project -part", "create_project: -part needs a value"),
            ("apply_bd_automation -rule r -config {Master} x", "odd-length list"),
        ]
        for (line, message) in cases {
            try "\(line)\n".write(toFile: dir.appendingPathComponent("bad.tcl").path, atomically: true, encoding: .utf8)
            let r = try Self.run(["bad.tcl"], in: dir.path)
            XCTAssertEqual(r.status, 2, line)
            XCTAssertTrue(r.output.contains(message), "\(line): \(r.output)")
        }
    }
}
