import BNNDesign
@testable import BNNDataflow
@testable import BNNEstimate
import BNNModel
import Foundation
import BNNTestSupport
import XCTest

/// The FIFO model replays each stage's per-iteration reads and writes. This checks those
/// schedules against the C++ layer library itself: the templates are compiled with g++ against a
/// stream class that logs every read (R) and write (W), and the logged order must equal the
/// modelled one (iteration by iteration: its read, then its write) on random parameters.
final class LoopScheduleTraceTests: XCTestCase {
    struct Case {
        var call: String
        var expected: String
    }

    static let mockStream = """
        #ifndef MOCK_HLS_STREAM_H
        #define MOCK_HLS_STREAM_H
        #include <cstdio>
        #include <cstdlib>
        #include <deque>
        #include <string>
        namespace trace {
        inline std::string &log() { static std::string s; return s; }
        inline bool &on() { static bool b = false; return b; }
        }
        namespace hls {
        template <typename T> class stream {
            std::deque<T> q;
        public:
            stream() {}
            explicit stream(const char *) {}
            T read() {
                if (q.empty()) { std::fprintf(stderr, "read from an empty stream\\n"); std::exit(3); }
                T x = q.front(); q.pop_front();
                if (trace::on()) trace::log() += 'R';
                return x;
            }
            void write(const T &x) { q.push_back(x); if (trace::on()) trace::log() += 'W'; }
            bool empty() const { return q.empty(); }
            size_t size() const { return q.size(); }
        };
        }
        #endif
        """

    static let harness = """
        #include "bnn_mvau.hpp"
        #include "bnn_pool.hpp"
        #include "bnn_repack.hpp"
        #include "bnn_stream_width.hpp"
        #include "bnn_window.hpp"
        template <unsigned IN_W, unsigned OUT_W>
        void trace_run(const char *name, unsigned inWords, void (*body)(hls::stream<ap_uint<IN_W> > &, hls::stream<ap_uint<OUT_W> > &)) {
            hls::stream<ap_uint<IN_W> > in;
            hls::stream<ap_uint<OUT_W> > out;
            for (unsigned i = 0; i < inWords; i++) in.write(i & 1);
            trace::log().clear();
            trace::on() = true;
            body(in, out);
            trace::on() = false;
            std::printf("%s %s\\n", name, trace::log().c_str());
        }
        """

    /// The modelled order: per iteration its read, then its write.
    static func order(_ flags: [UInt8]) -> String {
        var s = ""
        for f in flags {
            if f & IterationPattern.read != 0 { s += "R" }
            if f & IterationPattern.write != 0 { s += "W" }
        }
        return s
    }

    static func cases(count: Int) -> [Case] {
        var r = SeededRandom(state: 42)
        var cases: [Case] = []
        var n = 0
        func add(_ body: String, inWidth: Int, outWidth: Int, inWords: Int, expected: String) {
            let call = "    trace_run<\(inWidth), \(outWidth)>(\"c\(n)\", \(inWords), [](hls::stream<ap_uint<\(inWidth)> > &in, hls::stream<ap_uint<\(outWidth)> > &out) { \(body) });"
            cases.append(Case(call: call, expected: expected))
            n += 1
        }
        for _ in 0..<count {
            // Sliding window, any padding and stride.
            let c = r.pick([1, 2, 4]), simd = r.pick(Divisors.of(c))
            let h = r.int(2...8), w = r.int(2...8)
            let pads = (0..<4).map { _ in r.int(0...3) == 0 ? r.int(1...2) : 0 }
            let kh = r.int(1...min(3, h + pads[0] + pads[1])), kw = r.int(1...min(3, w + pads[2] + pads[3]))
            let sh = r.int(1...3), sw = r.int(1...3)
            let window = SlidingWindowStage(input: Shape3(height: h, width: w, channels: c), kernel: Pair(kh, kw), stride: Pair(sh, sw),
                                            padding: Padding(top: pads[0], bottom: pads[1], left: pads[2], right: pads[3]), pad: .constant(0))
            let wflags = IterationPattern(.slidingWindow(window, simd: simd, inBits: 1, outBits: 1)).flags
            add("bnn::SlidingWindow<\(h), \(w), \(c), \(kh), \(kw), \(sh), \(sw), \(pads[0]), \(pads[1]), \(pads[2]), \(pads[3]), \(simd), bnn::ConstantPad<1, 0>, \(CycleModel.windowGuard)>(in, out, 1);",
                inWidth: simd, outWidth: simd, inWords: h * w * c / simd, expected: order(wflags))
            // Max-pool, overlapping or strided windows.
            let pc = r.pick([1, 2, 4, 8]), psimd = r.pick(Divisors.of(pc))
            let ph = r.int(1...3), pw = r.int(1...3)
            let ih = r.int(ph...8), iw = r.int(pw...8)
            let psh = r.int(1...3), psw = r.int(1...3)
            let pool = PoolStage(label: "p", layerIndex: 0, input: Shape3(height: ih, width: iw, channels: pc), pool: Pair(ph, pw), stride: Pair(psh, psw), andChannels: [])
            add("static const bnn::ChannelFlags<\(psimd), \(pc / psimd)> flags = {}; bnn::MaxPoolBinary<\(ih), \(iw), \(pc), \(ph), \(pw), \(psh), \(psw), \(psimd), \(CycleModel.poolMinRevisit)>(in, out, flags, 1);",
                inWidth: psimd, outWidth: psimd, inWords: ih * iw * pc / psimd, expected: order(IterationPattern(.maxPool(pool, simd: psimd)).flags))
            // Width converter, any ratio.
            let a = r.pick([1, 2, 3, 4, 8, 12, 16, 24, 32]), b = r.pick([1, 2, 3, 4, 8, 12, 16, 24, 32])
            let words = b / Divisors.gcd(a, b) * r.int(1...4)
            add("bnn::StreamWidthConverter<\(a), \(b), \(words)>(in, out, 1);", inWidth: a, outWidth: b, inWords: words,
                expected: order(IterationPattern(.widthConverter(inWidth: a, outWidth: b, inWords: words)).flags))
            // Repack: padding dropped, padding written, vectors of different sizes.
            let laneBits = r.pick([1, 2, 8]), inLanes = r.int(1...12), outLanes = r.int(1...12)
            let inVector = r.int(1...20), outVector = r.pick([inVector, r.int(1...20)])
            let frame = inVector / Divisors.gcd(inVector, outVector) * outVector * r.int(1...3)
            let repack = Repack(laneBits: laneBits, inLanes: inLanes, inVector: inVector, outLanes: outLanes, outVector: outVector, frame: frame, pad: 0)
            add("bnn::StreamRepack<\(laneBits), \(inLanes), \(inVector), \(outLanes), \(outVector), \(frame), 0>(in, out, 1);",
                inWidth: inLanes * laneBits, outWidth: outLanes * laneBits, inWords: repack.inWords, expected: order(IterationPattern(.repack(repack)).flags))
            // MVAU, several vectors, padded or not.
            let mw = r.int(1...12), mh = r.int(1...6)
            let s = r.int(1...mw), p = r.int(1...mh), reps = r.int(1...3)
            let sf = Divisors.ceilDiv(mw, s), nf = Divisors.ceilDiv(mh, p)
            add("static const bnn::BinaryWeights<\(s), \(p), \(nf * sf)> weights = {}; bnn::Mvau<\(mw), \(mh), \(s), \(p), bnn::XnorLane, ap_int<16>, bnn::PassThroughActivation<ap_int<16> > >(in, out, weights, bnn::PassThroughActivation<ap_int<16> >(), \(reps));",
                inWidth: s, outWidth: p * 16, inWords: reps * sf,
                expected: order(IterationPattern.mvau(synapseFold: sf, neuronFold: nf, vectors: reps)))
        }
        return cases
    }

    func testModelledSchedulesEqualTheCppLoops() throws {
        guard let include = ProcessInfo.processInfo.environment["HLS_INCLUDE"] else {
            throw XCTSkip("set HLS_INCLUDE (sh Templates/cpp/fetch_hls_headers.sh) to trace the C++ loops")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-trace-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = Self.cases(count: 30)
        try Self.mockStream.write(to: dir.appendingPathComponent("hls_stream.h"), atomically: true, encoding: .utf8)
        let main = Self.harness + "\nint main() {\n" + cases.map(\.call).joined(separator: "\n") + "\n    return 0;\n}\n"
        try main.write(to: dir.appendingPathComponent("trace.cpp"), atomically: true, encoding: .utf8)
        let templates = TestModels.repo.appendingPathComponent("Templates/cpp").path
        let build = try runProcess("g++", [ "-std=gnu++14", "-O0", "-w", "-I", dir.path, "-isystem", include, "-I", templates, "trace.cpp", "-o", "trace"], in: dir.path)
        XCTAssertEqual(build.status, 0, build.output)
        guard build.status == 0 else { return }
        let traced = try runProcess(dir.appendingPathComponent("trace").path, [], in: dir.path)
        XCTAssertEqual(traced.status, 0, traced.output)
        let lines = traced.output.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        XCTAssertEqual(lines.count, cases.count)
        for (i, line) in lines.enumerated() where i < cases.count {
            XCTAssertEqual(line.count > 1 ? line[1] : "", cases[i].expected, cases[i].call)
        }
    }
}
