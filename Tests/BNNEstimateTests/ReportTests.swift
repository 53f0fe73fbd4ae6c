import BNNDesign
@testable import BNNEstimate
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// report.json, report.md and report.svg: well-formed, complete, deterministic.
final class ReportTests: XCTestCase {
    /// Collects the SVG's elements while checking it parses as XML.
    final class SVGScan: NSObject, XMLParserDelegate {
        var bars: [[String: String]] = []
        var root = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            if root.isEmpty { root = name }
            if name == "rect", attributes["class"]?.split(separator: " ").contains("bar") == true { bars.append(attributes) }
        }
    }

    func testSVGIsWellFormedWithOneBarPerLayerAndTheBottleneckMarked() throws {
        for (design, bottlenecks) in [(try TestModels.cnvDesign(), ["fc20", "fc23"]), (try TestModels.lfcDesign(), ["fc3", "fc6"])] {
            let estimate = DesignEstimate(design: design, clockNs: 10)
            let svg = ReportSVG.render(estimate)
            let parser = XMLParser(data: Data(svg.utf8))
            let scan = SVGScan()
            parser.delegate = scan
            XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
            XCTAssertEqual(scan.root, "svg")
            XCTAssertEqual(scan.bars.count, design.layers.count)
            XCTAssertEqual(scan.bars.map { $0["data-layer"] ?? "" }, design.layers.map(\.key))
            let marked = scan.bars.filter { $0["class"] == "bar bottleneck" }.map { $0["data-layer"] ?? "" }
            XCTAssertEqual(marked, bottlenecks)
            XCTAssertTrue(scan.bars.filter { $0["class"] == "bar bottleneck" }.allSatisfy { $0["fill"] == ReportSVG.bottleneckColor })
            // Bar lengths follow the cycles: the bottleneck's is the longest.
            let widths = scan.bars.compactMap { $0["width"].flatMap(Int.init) }
            XCTAssertEqual(widths.max(), widths[design.layers.firstIndex { $0.key == bottlenecks[0] } ?? 0])
        }
    }

    func testJSONCarriesEveryFigure() throws {
        let estimate = DesignEstimate(design: try TestModels.cnvDesign(), clockNs: 5)
        let json = ReportJSON.render(estimate)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(root["format"] as? String, "bnn-hls-report")
        let throughput = try XCTUnwrap(root["throughput"] as? [String: Any])
        XCTAssertEqual(throughput["bottleneck_cycles"] as? Int, 32768)
        XCTAssertEqual(throughput["macs_per_cycle"] as? Int, 2272)
        XCTAssertEqual(throughput["frames_per_second"] as? Double ?? 0, 1e9 / (5 * 32768), accuracy: 0.001)
        XCTAssertEqual(throughput["latency_cycles"] as? Int, estimate.latencyCycles)
        let layers = try XCTUnwrap(root["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.count, 9)
        XCTAssertEqual(layers.map { $0["pe"] as? Int ?? 0 }, TestModels.pynqCNV.map(\.pe))
        XCTAssertEqual(layers.map { $0["cycles"] as? Int ?? 0 }, [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 1536])
        XCTAssertEqual(layers[6]["bottleneck_share"] as? Double, 1)
        // The last layer's 10 classes run padded to 12 rows for PE 4.
        XCTAssertEqual(layers[8]["padded_mh"] as? Int, 12)
        XCTAssertEqual(layers[8]["padded_mw"] as? Int, 512)
        XCTAssertEqual(layers[0]["padded_mh"] as? Int, 64)
        let totals = try XCTUnwrap(root["totals"] as? [String: Any])
        XCTAssertEqual(totals["lut"] as? Int, layers.reduce(0) { $0 + ($1["lut"] as? Int ?? 0) })
        XCTAssertEqual(totals["bram18"] as? Int, layers.reduce(0) { $0 + ($1["bram18"] as? Int ?? 0) })
        let stages = try XCTUnwrap(root["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.count, estimate.stages.count)
        XCTAssertTrue(stages.dropLast().allSatisfy { ($0["fifo_depth"] as? Int ?? 0) >= 2 })
        XCTAssertTrue(stages.last?["fifo_depth"] is NSNull)
    }

    func testMarkdownListsEveryLayerAndIsDeterministic() throws {
        let design = try TestModels.cnvDesign()
        let first = ReportMarkdown.render(DesignEstimate(design: design, clockNs: 10))
        XCTAssertEqual(first, ReportMarkdown.render(DesignEstimate(design: design, clockNs: 10)))
        XCTAssertEqual(ReportJSON.render(DesignEstimate(design: design, clockNs: 10)), ReportJSON.render(DesignEstimate(design: design, clockNs: 10)))
        for layer in design.layers { XCTAssertTrue(first.contains("| \(layer.key)"), layer.key) }
        XCTAssertTrue(first.contains("| fc20 **(bottleneck)** |"), first)
        XCTAssertTrue(first.contains("| fc26 | 512x10, MW x MH padded to 512x12 |"), first)
        XCTAssertTrue(first.contains("3051.8 frames/s"), first)
        XCTAssertTrue(first.contains("Pipeline efficiency: 0.799"), first)
    }
}
