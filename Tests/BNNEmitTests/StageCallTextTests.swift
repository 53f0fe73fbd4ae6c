import BNNDesign
import BNNDataflow
import XCTest

/// The library call the top function makes for each kind of stage, against calls written out by
/// hand from the design's geometry and folding (stream names s0, s1, ... in data-flow order).
final class StageCallTextTests: XCTestCase {
    /// The window generator's and the pool's schedule constants come from the Swift cost model.
    let guardValue = CycleModel.windowGuard
    let revisit = CycleModel.poolMinRevisit

    /// The line before the first call that starts `bnn::<call>`: the call's comment.
    private func comment(before call: String, in lines: [String]) -> String? {
        guard let i = lines.firstIndex(where: { $0.contains("bnn::\(call)") }), i > 0 else { return nil }
        return lines[i - 1].trimmingCharacters(in: .whitespaces)
    }

    /// Each hand-built design with its calls in stream order.
    var expectedCalls: [(design: Design, calls: [String])] {
        [
            (TinyDesigns.binarizedConvPool(), [
                // 6 * 6 pixels per frame of 2 channels, 2 per word; one frame per call.
                "bnn::Binarize<2, 2, 36, bnn::IntegerValue<8, false>, ap_uint<9>>(in, s0, bnn_input_thresholds, 1);",
                "bnn::SlidingWindow<6, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, bnn::MaskedPad, \(guardValue)>(s0, s1, 1);",
                // One matrix-vector product per output pixel: 36 repetitions.
                "bnn::Mvau<18, 4, 2, 2, bnn::MaskedXnorLane, ap_int<6>, bnn::ThresholdActivation<2, 2, ap_int<6>>>(s1, s2, bnn_layer0_weights, bnn_layer0_thresholds, 36);",
                // The pool's SIMD is the MVAU's PE.
                "bnn::MaxPoolBinary<6, 6, 4, 2, 2, 2, 2, 2, \(revisit)>(s2, s3, bnn_layer0_pool_and, 1);",
                // 3 * 3 * 4 bits in words of 2, to the dense layer's SIMD 4.
                "bnn::StreamWidthConverter<2, 4, 18>(s3, s4, 1);",
                "bnn::Mvau<36, 3, 4, 3, bnn::XnorLane, ap_uint<7>, bnn::PassThroughActivation<ap_uint<7>>>(s4, s5, bnn_layer1_weights, bnn::PassThroughActivation<ap_uint<7>>(), 1);",
                // Classes 0...2 need a 2-bit index.
                "bnn::ArgMax<3, 3, ap_uint<7>, 2>(s5, out, 1);",
            ]),
            (TinyDesigns.paddedLogits(), [
                // One channel per word: the window streams single 8-bit elements, padded with the zero point.
                "bnn::SlidingWindow<5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, bnn::ConstantPad<8, 128>, \(guardValue)>(in, s0, 1);",
                // 25 windows of 9 elements, to SIMD 3.
                "bnn::StreamWidthConverter<8, 24, 225>(s0, s1, 1);",
                "bnn::Mvau<9, 2, 3, 2, bnn::IntegerLane<8, false, 128>, ap_int<13>, bnn::ThresholdActivation<2, 1, ap_int<13>>>(s1, s2, bnn_layer0_weights, bnn_layer0_thresholds, 25);",
                // Pixels of 2 bits (PE 2) into vectors of 50 in words of 8: each vector's last word padded with 0 bits.
                "bnn::StreamRepack<1, 2, 2, 8, 50, 50, 0>(s2, s3, 1);",
                "bnn::Mvau<50, 3, 8, 2, bnn::XnorLane, ap_uint<7>, bnn::PassThroughActivation<ap_uint<7>>>(s3, s4, bnn_layer1_weights, bnn::PassThroughActivation<ap_uint<7>>(), 1);",
                "bnn::LogitArgMax<3, 2, ap_uint<7>, 2>(s4, out, bnn_class_maps, 1);",
            ]),
            // A single layer reads the input and writes the output: no internal stream.
            (TinyDesigns.denseLogits(), [
                "bnn::Mvau<16, 4, 8, 4, bnn::XnorLane, ap_uint<6>, bnn::PassThroughActivation<ap_uint<6>>>(in, out, bnn_layer0_weights, bnn::PassThroughActivation<ap_uint<6>>(), 1);",
            ]),
        ]
    }

    func testEveryStageKindsCall() throws {
        for (design, expected) in expectedCalls {
            XCTAssertEqual(TinyDesigns.libraryCalls(try TinyDesigns.topLines(design)), expected, design.name)
        }
    }

    func testCallComments() throws {
        let conv = try TinyDesigns.topLines(TinyDesigns.binarizedConvPool())
        XCTAssertEqual(comment(before: "Binarize<", in: conv), "// layers[0] (sign_in)")
        XCTAssertEqual(comment(before: "Mvau<", in: conv), "// layers[1] (conv0): PE=2, SIMD=2, one matrix-vector product per output pixel")
        XCTAssertEqual(comment(before: "MaxPoolBinary<", in: conv), "// layers[3] (pool0)")
        XCTAssertEqual(comment(before: "ArgMax<", in: conv), "// Argmax over the class accumulators (one shared, strictly increasing logit map).")
        let padded = try TinyDesigns.topLines(TinyDesigns.paddedLogits())
        XCTAssertEqual(comment(before: "StreamRepack<", in: padded), "// Repack: pads every 50 lanes to 56 with 0.")
        XCTAssertEqual(comment(before: "Mvau<50,", in: padded), "// layers[2] (fc): PE=2, SIMD=8, rows 3..3 are padding, columns 50..55 are padding")
        XCTAssertEqual(comment(before: "LogitArgMax<", in: padded),
                       "// Argmax over float64 logits: the classes' maps differ, so compare what the network compares.")
    }

    func testLaneParallelROMsArePartitioned() throws {
        let lines = try TinyDesigns.topLines(TinyDesigns.binarizedConvPool())
        for rom in ["bnn_input_thresholds.values", "bnn_layer0_weights.words", "bnn_layer0_thresholds.values", "bnn_layer1_weights.words"] {
            XCTAssertTrue(lines.contains("#pragma HLS ARRAY_PARTITION variable=\(rom) complete dim=1"), rom)
        }
        // One flag word is read per cycle: the pool's flags stay whole.
        XCTAssertFalse(lines.contains { $0.contains("ARRAY_PARTITION variable=bnn_layer0_pool_and") })
    }

    func testEveryInternalStreamIsDeclaredOnceWithADepth() throws {
        let lines = try TinyDesigns.topLines(TinyDesigns.binarizedConvPool())
        for s in 0...5 {
            XCTAssertEqual(lines.filter { $0.contains("> s\(s)(\"s\(s)\");") }.count, 1, "s\(s) declared once")
            XCTAssertEqual(lines.filter { $0.hasPrefix("#pragma HLS STREAM variable=s\(s) depth=") }.count, 1, "s\(s) has a depth")
        }
        // Widths: 2 bits after the binarizer, 2 masked lanes of 2 bits after the window, PE 2 bits after the MVAU.
        XCTAssertTrue(lines.contains { $0.contains("hls::stream<ap_uint<2> > s0(\"s0\");") })
        XCTAssertTrue(lines.contains { $0.contains("hls::stream<ap_uint<4> > s1(\"s1\");") })
        XCTAssertTrue(lines.contains { $0.contains("hls::stream<ap_uint<21> > s5(\"s5\");") }, "3 accumulators of 7 bits")
    }
}
