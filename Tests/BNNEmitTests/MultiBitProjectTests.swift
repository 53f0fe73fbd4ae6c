import BNNDataflow
import BNNDesign
import BNNEmit
import BNNTestSupport
import Foundation
import XCTest

/// The multi-bit stages in generated projects, on hand-built designs: the library call each
/// makes, and the whole project built once with g++ against the real headers, whose testbench
/// must reproduce `DesignModel`'s reading of the design on every frame.
final class MultiBitProjectTests: XCTestCase {
    let guardValue = CycleModel.windowGuard
    let revisit = CycleModel.poolMinRevisit

    func testMultiBitStageCalls() throws {
        let expected: [(Design, [String])] = [
            (MultiBitTinyDesigns.w2a2Conv(), [
                // 6 * 6 pixels of 2 channels, 3 levels to 2-bit codes.
                "bnn::Quantize<2, 2, 36, bnn::IntegerValue<8, false>, ap_uint<9>, 3, 2>(in, s0, bnn_input_thresholds, 1);",
                "bnn::SlidingWindow<6, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, bnn::ParityPad<2, 3, 0>, \(guardValue)>(s0, s1, 1);",
                // Thresholds compare acc (ap_int<8>) and -acc: the threshold type holds both.
                "bnn::Mvau<18, 4, 2, 2, bnn::CodeLane<2>, ap_int<8>, bnn::MultiThresholdActivation<2, 2, 3, 2, ap_int<9>>>(s1, s2, bnn_layer0_weights, bnn_layer0_thresholds, 36);",
                "bnn::MaxPoolCodes<6, 6, 4, 2, 2, 2, 2, 2, 2, \(revisit)>(s2, s3, bnn_layer0_pool_and, 1);",
                // 3 * 3 pixels of 4 two-bit codes, 2 per word, to SIMD 4.
                "bnn::StreamWidthConverter<4, 8, 18>(s3, s4, 1);",
                "bnn::Mvau<36, 3, 4, 3, bnn::CodeLane<2>, ap_int<9>, bnn::PassThroughActivation<ap_int<9>>>(s4, out, bnn_layer1_weights, bnn::PassThroughActivation<ap_int<9>>(), 1);",
            ]),
            (MultiBitTinyDesigns.int8SumPool(), [
                "bnn::SlidingWindow<5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, bnn::ConstantPad<8, 254>, \(guardValue)>(in, s0, 1);",
                "bnn::StreamWidthConverter<24, 72, 225>(s0, s1, 1);",
                "bnn::Mvau<27, 5, 9, 2, bnn::IntegerLane<8, true, -2>, ap_int<20>, bnn::BorderMultiThresholdActivation<2, 3, 2, 2, ap_int<21>, 5, 5, 3, 3>>(s1, s2, bnn_layer0_weights, bnn_layer0_thresholds, 25);",
                // Over the MVAU's 6 lanes (one a padding row), sums of 4 codes of 2 bits: 4 bits.
                "bnn::SumPool<5, 5, 6, 2, 2, 1, 1, 2, 2, 4, \(revisit)>(s2, s3, 1);",
                "bnn::StreamRepack<4, 2, 5, 12, 80, 80, 0>(s3, s4, 1);",
                "bnn::Mvau<80, 4, 12, 3, bnn::CodeLane<4>, ap_int<12>, bnn::PassThroughActivation<ap_int<12>>>(s4, s5, bnn_layer1_weights, bnn::PassThroughActivation<ap_int<12>>(), 1);",
                "bnn::LogitArgMax<4, 3, ap_int<12>, 2>(s5, out, bnn_class_maps, 1);",
            ]),
        ]
        for (design, calls) in expected {
            XCTAssertEqual(TinyDesigns.libraryCalls(try TinyDesigns.topLines(design)), calls, design.name)
        }
    }

    func testMultiThresholdROMsArePartitionedPerLaneAndLevel() throws {
        let lines = try TinyDesigns.topLines(MultiBitTinyDesigns.w2a2Conv())
        for pragma in ["bnn_input_thresholds.values complete dim=1", "bnn_input_thresholds.values complete dim=3",
                       "bnn_layer0_thresholds.values complete dim=1", "bnn_layer0_thresholds.values complete dim=3",
                       "bnn_layer0_thresholds.falling complete dim=1", "bnn_layer0_weights.words complete dim=1"] {
            XCTAssertTrue(lines.contains("#pragma HLS ARRAY_PARTITION variable=\(pragma)"), pragma)
        }
        XCTAssertTrue(lines.contains { $0.contains("hls::stream<ap_uint<4> > s0(\"s0\");  // input codes") })
        XCTAssertTrue(lines.contains { $0.contains("hls::stream<ap_uint<4> > s2(\"s2\");  // layer 0 output codes (2 bits each)") })
    }

    func testParamsSpellIntegerWeightsMultiThresholdsAndShiftedMaps() throws {
        let design = MultiBitTinyDesigns.w2a2Conv()
        let files = try ProjectEmitter.emit(design, vectors: TestVectors(inputs: [], expected: []), options: EmitOptions(modelFile: "t.json"))
        let params = String(decoding: files.first { $0.path == "src/w2a2_conv_params.hpp" }?.contents ?? [], as: UTF8.self)
        XCTAssertTrue(params.contains("static const bnn::IntegerWeights<2, 2, 18, 2> bnn_layer0_weights = {{"))
        XCTAssertTrue(params.contains("static const bnn::ChannelLevelThresholds<2, 1, 3, ap_uint<9>> bnn_input_thresholds = {{\n    {{ap_uint<9>(60), ap_uint<9>(120), ap_uint<9>(200)}},\n    {{ap_uint<9>(30), ap_uint<9>(128), ap_uint<9>(129)}},\n}};"))
        let header = String(decoding: files.first { $0.path == "src/w2a2_conv.hpp" }?.contents ?? [], as: UTF8.self)
        // Class 0 and 2 are shifted (by 0.0625 and 0.1875), class 1 is not.
        XCTAssertTrue(header.contains("static const bnn::ShiftedLogitMap bnn_class_maps[3] = {"))
        XCTAssertTrue(header.contains("false, 0.0, 1.0, 1.0, 0.0}, true, 0.0625},"), header)
        XCTAssertTrue(header.contains("false, 0.0, 1.0, 1.0, 0.0}, false, 0.0},"), header)
        let readme = String(decoding: files.first { $0.path == "README.md" }?.contents ?? [], as: UTF8.self)
        for text in ["Integer weights (`bnn::IntegerWeights", "Multi-thresholds (`bnn::MultiThresholdActivation", "The input quantizer", "Pools over codes"] {
            XCTAssertTrue(readme.contains(text), text)
        }
    }

    func testLogitMapBeyond32BitsIsRefused() {
        var design = MultiBitTinyDesigns.w2a2Conv()
        var maps = design.output.maps
        maps[1].accOffset = 1 << 40
        design.output = .logits(maps: maps)
        XCTAssertThrowsError(try ProjectEmitter.emit(design, vectors: TestVectors(inputs: [], expected: []), options: EmitOptions(modelFile: "t.json"))) {
            XCTAssertEqual("\($0)", "a logit map's integer sum (1 * acc + 1099511627776) does not fit the C++ map's 32-bit fields")
        }
    }

    /// Each design's project built once with g++ (sanitizers on) and run on 40 frames.
    func testProjectsReproduceTheDesignModel() throws {
        let found = hlsInclude(repo: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        guard let include = found.path else { throw XCTSkip("cannot fetch the HLS headers: \(found.reason)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-multibit-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let frames = 40
        for design in MultiBitTinyDesigns.all {
            var draw = MultiBitTinyDesigns.Draw(seed: 99)
            let range = design.input.encoding == .int8 ? -128...127 : 0...255
            let inputs = (0..<frames).map { _ in (0..<design.input.count).map { _ in draw.next(range) } }
            let vectors = TestVectors(inputs: inputs, expected: inputs.map { DesignModel.expected(design, frame: $0) })
            let dir = root.appendingPathComponent(design.name)
            for file in try ProjectEmitter.emit(design, vectors: vectors, options: EmitOptions(modelFile: "\(design.name).json")) {
                let url = dir.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
            }
            // Under AddressSanitizer and UBSan: the integer-weight products, sign extensions and
            // code packing must not overflow or shift out of range.
            let result = try runProcess("make", ["-s", "sanitize", "HLS_INCLUDE=\(include)"], in: dir.path)
            XCTAssertEqual(result.status, 0, "\(design.name): \(result.output.suffix(3000))")
            XCTAssertFalse(result.output.contains("runtime error"), "\(design.name): \(result.output.suffix(2000))")
            XCTAssertTrue(result.output.contains("\(frames) passed, 0 failed"), "\(design.name): \(result.output.suffix(2000))")
            // The frames are not all alike: the design model sees more than one answer.
            let distinct = Set(vectors.expected.map { "\($0)" }).count
            XCTAssertGreaterThan(distinct, 1, design.name)
        }
    }
}
