import BNNFuzz
import Foundation
import XCTest

/// A short, fixed-seed pass of the fuzzer (`bnn-hls-fuzz` runs long ones in release): nothing
/// traps, every rejection is one line naming its file with "error:", every design the compiler
/// accepts simulates exactly like the reference.
final class FuzzTests: XCTestCase {
    static func seeds() -> [[UInt8]] {
        FuzzLoop.defaultSeedFiles(repository: TestPaths.repo.path).compactMap { path in
            FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        }
    }

    func testSeedsArePresent() {
        let files = FuzzLoop.defaultSeedFiles(repository: TestPaths.repo.path)
        XCTAssertTrue(files.contains { $0.hasSuffix("Tests/Corpus/valid_mlp.json") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasSuffix("Tests/Corpus/valid_cnn.json") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasSuffix("Examples/digits_mlp/model.json") }, "\(files)")
    }

    func testShortFixedSeedPass() {
        let iterations = 2000
        let report = FuzzLoop.run(seeds: Self.seeds(), iterations: iterations, seed: 20_240_601)
        print(report)
        for (kind, count) in report.topRejections(10) { print("  \(count) x \(kind)") }
        XCTAssertEqual(report.executions, iterations)
        XCTAssertEqual(report.modelRuns + report.npyRuns, iterations)
        XCTAssertEqual(report.badMessages.map(\.description), [], "rejections that are not one line naming the file with \"error:\"")
        XCTAssertEqual(report.mismatches.map(\.description), [], "designs the simulator and the reference disagree on")
        // The pass reaches every stage, accepting and rejecting at each.
        XCTAssertGreaterThan(report.loadRejected, iterations / 10, "\(report)")
        XCTAssertGreaterThan(report.loaded, iterations / 10, "\(report)")
        XCTAssertGreaterThan(report.compileRejected, 10, "\(report)")
        XCTAssertGreaterThan(report.compiled, iterations / 10, "\(report)")
        XCTAssertGreaterThan(report.emitted, iterations / 10, "\(report)")
        XCTAssertGreaterThan(report.npyRejected, 50, "\(report)")
        XCTAssertGreaterThan(report.npyInputsAccepted, 5, "\(report)")
        XCTAssertGreaterThan(report.rejectionKinds.count, 40, "\(report)")
    }

    func testSameSeedSameRun() {
        let a = FuzzLoop.run(seeds: Self.seeds(), iterations: 150, seed: 7)
        let b = FuzzLoop.run(seeds: Self.seeds(), iterations: 150, seed: 7)
        XCTAssertEqual(a.rejectionKinds, b.rejectionKinds)
        XCTAssertEqual([a.loaded, a.compiled, a.npyParsed], [b.loaded, b.compiled, b.npyParsed])
    }

    /// The malformed corpus itself goes through every stage the fuzzer checks.
    func testCorpusModelsThroughEveryStage() throws {
        let directory = MalformedInputTests.corpusDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name.hasSuffix(".json") && !name.hasPrefix("fold_") && !name.hasSuffix("_folding.json") {
            let bytes = [UInt8](FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
            let report = FuzzLoop.replay(model: bytes)
            XCTAssertTrue(report.isClean, "\(name): \(report)")
            // hostile_names_*.json are valid models with hostile layer names (HostileNameTests).
            let loads = name.hasPrefix("valid_") || name.hasPrefix("hostile_") || FuzzTests.loadableButRefused.contains(name)
            XCTAssertEqual(report.loaded > 0, loads, name)
        }
    }

    /// Corpus models the loader accepts and the compiler refuses.
    static let loadableButRefused: Set<String> = [
        "two_dense.json", "trailing_sign.json", "batchnorm_first.json", "maxpool_after_dense.json", "conv_last.json",
    ]
}
