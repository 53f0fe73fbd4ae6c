@testable import BNNEmit
import BNNDesign
import XCTest

/// The weights file and the words the port takes, byte by byte: the layout docs/deploy.md
/// describes and the generated C++ loader (bnn_weight_file.hpp, bnn_weight_ram.hpp) reads.
final class WeightFileTests: XCTestCase {
    func testHeaderAndWordsAreLittleEndian() throws {
        let image = RuntimeWeights.Image(signature: 0x0102_0304_0506_0708, words: [0xdead_beef, 1])
        let bytes = WeightFile.encode(image)
        XCTAssertEqual(bytes, Array("BNNW".utf8) + [1, 0, 0, 0] + [8, 7, 6, 5, 4, 3, 2, 1] + [2, 0, 0, 0]
                       + [0xef, 0xbe, 0xad, 0xde] + [1, 0, 0, 0])
        XCTAssertEqual(try WeightFile.decode(bytes, signature: image.signature, expectedWords: 2), image)
    }

    func testRefusalsNameTheReason() {
        let bytes = WeightFile.encode(RuntimeWeights.Image(signature: 42, words: [1, 2, 3]))
        func reason(_ b: [UInt8], signature: UInt64 = 42, words: Int = 3) -> String {
            do {
                _ = try WeightFile.decode(b, signature: signature, expectedWords: words)
                return "accepted"
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(reason(Array(bytes.prefix(19))), "truncated header (19 bytes, a weights file starts with 20)")
        XCTAssertEqual(reason(Array(bytes.dropLast())), "truncated: the header promises 3 words (12 bytes), the file holds 11 bytes after it")
        XCTAssertEqual(reason(bytes + [0]), "trailing bytes: the header promises 3 words (12 bytes), the file holds 13 bytes after it")
        XCTAssertEqual(reason(bytes, signature: 43), "weights of another topology or folding (signature 0x000000000000002a, this design is 0x000000000000002b)")
        XCTAssertEqual(reason(bytes, words: 4), "corrupted header: 3 words, this design takes 4")
        var magic = bytes
        magic[0] = 0
        XCTAssertEqual(reason(magic), "corrupted header: not a bnn-hls weights file (magic is not \"BNNW\")")
        var version = bytes
        version[5] = 1
        XCTAssertEqual(reason(version), "corrupted header or newer format: version 257, this design reads version 1")
    }

    /// Elements of B bits take ceil(B / 32) words, lowest first; signed values keep their low B bits.
    func testElementWords() {
        XCTAssertEqual(RuntimeWeights.words(-3, IntegerType(bits: 9, isSigned: true)), [0x1fd])
        XCTAssertEqual(RuntimeWeights.words(limbs: [0x1122_3344_5566_7788, 0x3], bits: 66), [0x5566_7788, 0x1122_3344, 0x3])
        XCTAssertEqual(RuntimeWeights.words(limbs: [0xffff_ffff_ffff_ffff], bits: 40), [0xffff_ffff, 0xff])
        XCTAssertEqual(RuntimeWeights.words(1.0), [0, 0x3ff0_0000])
    }

    /// The signature hashes the hardware's shape, not names: renaming layers keeps it, another
    /// folding changes it.
    func testSignatureIgnoresNamesButNotFolding() throws {
        let design = TinyDesigns.binarizedConvPool().runtimeWritable()
        var renamed = design
        renamed.layers[0].label = "layers[0] (another name)"
        renamed.name = "other"
        XCTAssertEqual(RuntimeWeights.image(design).signature, RuntimeWeights.image(renamed).signature)
        XCTAssertEqual(RuntimeWeights.image(design).words, RuntimeWeights.image(renamed).words)
        XCTAssertNotEqual(RuntimeWeights.image(design).signature, RuntimeWeights.image(TinyDesigns.paddedLogits().runtimeWritable()).signature)
    }
}
