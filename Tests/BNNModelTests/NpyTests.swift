import Foundation
import BNNTestSupport
import XCTest

@testable import BNNModel

final class NpyTests: XCTestCase {
    // MARK: Helpers

    /// A .npy file with a hand-written header (padded like numpy's) and raw data.
    private func npy(_ header: String, version: (UInt8, UInt8) = (1, 0), data: [UInt8] = []) -> [UInt8] {
        var text = Array(header.utf8)
        let preamble = version.0 == 1 ? 10 : 12
        text += Array(repeating: 0x20, count: (64 - (preamble + text.count + 1) % 64) % 64) + [0x0A]
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version.0, version.1]
        let n = text.count
        out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF)]
        if preamble == 12 { out += [UInt8(n >> 16 & 0xFF), UInt8(n >> 24 & 0xFF)] }
        return out + text + data
    }

    private func dict(_ descr: String, _ shape: String, fortran: String = "False") -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    private func assertReadFails(
        _ bytes: [UInt8], _ message: String, maxElements: Int = 1 << 31, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let array = try NpyReader.read(bytes, maxElements: maxElements)
            XCTFail("expected an error, read \(array.shape) \(array.dtype)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.message, message, file: file, line: line)
        }
    }

    // MARK: Writing and round trips

    func testWriterHeaderMatchesNumpyLayout() throws {
        let array = NpyArray(shape: [3, 4], doubles: (0..<12).map(Double.init))
        let bytes = NpyWriter.write(array)
        XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        let header = String(decoding: bytes[10..<10 + headerLength], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"), header)
        XCTAssertTrue(header.hasSuffix(" \n"))
        XCTAssertEqual(bytes.count, 10 + headerLength + 96)

        let oneD = NpyWriter.write(NpyArray(shape: [5], uint8s: [1, 2, 3, 4, 5]))
        XCTAssertEqual(
            String(decoding: oneD[10..<128], as: UTF8.self),
            "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }" + String(repeating: " ", count: 60) + "\n")
        let zeroD = NpyWriter.write(NpyArray(shape: [], int64s: [7]))
        XCTAssertEqual(
            String(decoding: zeroD[10..<128], as: UTF8.self),
            "{'descr': '<i8', 'fortran_order': False, 'shape': (), }" + String(repeating: " ", count: 62) + "\n")
        XCTAssertEqual(zeroD.count, 136)
    }

    func testRoundTripsEveryDtypeAndShape() throws {
        for dtype in NpyDType.allCases {
            for shape in [[2, 3], [], [0], [4], [1, 0, 2], [2, 1, 1, 3]] {
                let count = shape.reduce(1, *)
                let bytes = (0..<count * dtype.itemSize).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
                let array = NpyArray(shape: shape, dtype: dtype, bytes: bytes)
                let read = try NpyReader.read(NpyWriter.write(array))
                XCTAssertEqual(read, array, "\(dtype) \(shape)")
                XCTAssertEqual(read.count, count)
            }
        }
    }

    func testTypedInitializersAndConversions() throws {
        let ints = NpyArray(shape: [2, 2], int64s: [-1, 0, Int64.max, Int64.min])
        XCTAssertEqual(ints.dtype, .int64)
        XCTAssertEqual(ints.integers(), [-1, 0, Int64.max, Int64.min])
        XCTAssertEqual(try NpyReader.read(NpyWriter.write(ints)).integers(), [-1, 0, Int64.max, Int64.min])

        let int8s = NpyArray(shape: [3], int8s: [-128, -1, 127])
        XCTAssertEqual(int8s.integers(), [-128, -1, 127])
        XCTAssertEqual(int8s.doubles(), [-128, -1, 127])

        let doubles = NpyArray(shape: [3], doubles: [0.1, -2.5, 1e300])
        XCTAssertNil(doubles.integers())
        XCTAssertEqual(doubles.doubles(), [0.1, -2.5, 1e300])

        let float32 = NpyArray(shape: [2], dtype: .float32, bytes: [0x00, 0x00, 0xC0, 0x3F, 0xCD, 0xCC, 0xCC, 0x3D])
        XCTAssertNil(float32.integers())
        XCTAssertEqual(float32.doubles(), [1.5, Double(Float(0.1))])

        let bools = NpyArray(shape: [3], dtype: .bool, bytes: [0, 1, 1])
        XCTAssertEqual(bools.integers(), [0, 1, 1])

        let int16 = NpyArray(shape: [2], dtype: .int16, bytes: [0xFF, 0xFF, 0x00, 0x80])
        XCTAssertEqual(int16.integers(), [-1, -32768])
        let uint32 = NpyArray(shape: [1], dtype: .uint32, bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(uint32.integers(), [4_294_967_295])

        let bigUnsigned = NpyArray(shape: [2], dtype: .uint64, bytes: [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8))
        XCTAssertNil(bigUnsigned.integers(), "uint64 above Int64.max has no Int64 value")
        XCTAssertEqual(bigUnsigned.doubles(), [1, 18_446_744_073_709_551_615.0])

        XCTAssertEqual(NpyArray(shape: [], int64s: [5]).count, 1)
        XCTAssertEqual(NpyArray(shape: [3, 0], int64s: []).count, 0)
    }

    // MARK: Reading what other writers produce

    func testReadsVersions2And3AndLittleEndianSpellings() throws {
        let data: [UInt8] = [1, 0, 0, 0, 2, 0, 0, 0]
        for version: (UInt8, UInt8) in [(1, 0), (2, 0), (3, 0)] {
            let array = try NpyReader.read(npy(dict("<i4", "(2,)"), version: version, data: data))
            XCTAssertEqual(array.shape, [2])
            XCTAssertEqual(array.dtype, .int32)
            XCTAssertEqual(array.integers(), [1, 2])
        }
        XCTAssertEqual(try NpyReader.read(npy(dict("=i4", "(2,)"), data: data)).dtype, .int32)
        XCTAssertEqual(try NpyReader.read(npy(dict("i4", "(2,)"), data: data)).dtype, .int32)
        XCTAssertEqual(try NpyReader.read(npy(dict("<i1", "(2, 1)"), data: [0xFF, 1])).integers(), [-1, 1])
        XCTAssertEqual(try NpyReader.read(npy(dict("|u1", "(2,)"), data: [0xFF, 1])).integers(), [255, 1])
        XCTAssertEqual(try NpyReader.read(npy(dict(">u1", "(1,)"), data: [7])).dtype, .uint8)
        XCTAssertEqual(try NpyReader.read(npy(dict("|b1", "()"), data: [1])).integers(), [1])
    }

    func testReadsHeaderVariants() throws {
        // Keys in any order, no trailing comma, double quotes, Python 2 longs, no spaces.
        let compact = npy("{\"shape\":(2L,1L),\"fortran_order\":False,\"descr\":\"<f8\"}", data: [UInt8](repeating: 0, count: 16))
        let array = try NpyReader.read(compact)
        XCTAssertEqual(array.shape, [2, 1])
        XCTAssertEqual(array.doubles(), [0, 0])
        // Fortran order is irrelevant for 1-d arrays in numpy, but the flag is still refused:
        // it is rare, and silently transposing would be worse.
    }

    // MARK: Rejections

    func testRejectsBadMagicAndVersion() {
        assertReadFails(Array("{\"format\": 1}".utf8), "not a .npy file (bad magic)")
        assertReadFails([], "not a .npy file (bad magic)")
        assertReadFails([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1], "truncated: file ends inside the .npy preamble (7 bytes)")
        var future = npy(dict("<f8", "()"), data: [UInt8](repeating: 0, count: 8))
        future[6] = 4
        assertReadFails(future, "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)")
    }

    func testRejectsHeaderPastEnd() {
        let file = Array(npy(dict("<f8", "(1,)"))[0..<40])
        assertReadFails(file, "header length 118 goes past the end of the file (file has 40 bytes)")
    }

    func testRejectsMalformedHeaders() {
        let garbage = npy("hello")
        assertReadFails(garbage, "invalid .npy header (not a Python dict literal: expected '{'): hello")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': False}"), "invalid .npy header: missing key 'shape'")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
            "invalid .npy header (not a Python dict literal: unexpected value for 'extra'): "
                + "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': True}", data: [UInt8](repeating: 0, count: 8)),
            "invalid .npy header: unexpected key 'extra' (expected exactly 'descr', 'fortran_order', 'shape')")
        assertReadFails(
            npy("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"),
            "invalid .npy header: duplicate key 'descr'")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}"),
            "invalid .npy header (not a Python dict literal: unexpected value for 'fortran_order'): "
                + "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': '3'}"),
            "invalid .npy header: 'shape' must be a tuple of integers like (3, 4)")
        assertReadFails(
            npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}"),
            "structured dtypes (a list as 'descr') are not supported")
        assertReadFails(
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk"),
            "invalid .npy header (not a Python dict literal: unexpected text after '}'): "
                + "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk")
    }

    func testRejectsFortranOrder() {
        assertReadFails(
            npy(dict("<f8", "(2, 2)", fortran: "True"), data: [UInt8](repeating: 0, count: 32)),
            "Fortran-order arrays are not supported; save with np.ascontiguousarray")
    }

    func testRejectsBigEndianAndUnknownDtypes() {
        assertReadFails(
            npy(dict(">f8", "(1,)"), data: [UInt8](repeating: 0, count: 8)),
            "big-endian dtype '>f8' is not supported; convert with arr.astype('<f8')")
        let supported = "(supported: bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64)"
        for descr in ["<c16", "|O", "<U5", "<f2", "<M8[ns]"] {
            assertReadFails(npy(dict(descr, "(1,)"), data: [0]), "unsupported dtype '\(descr)' \(supported)")
        }
    }

    func testRejectsBadDimensions() {
        assertReadFails(npy(dict("<f8", "(2, -3)")), "negative dimension -3 in shape (2, -3)")
        assertReadFails(npy(dict("<f8", "(99999999999999999999,)")), "dimension 99999999999999999999 in shape is too large")
        assertReadFails(
            npy(dict("|u1", "(4294967296, 4294967296)")), "shape (4294967296, 4294967296) has too many elements")
        // The element count fits in Int but the byte count doesn't.
        assertReadFails(
            npy(dict("<f8", "(3037000499, 3037000499)")), "shape (3037000499, 3037000499) has too many elements",
            maxElements: Int.max)
    }

    func testRejectsTooManyElementsBeforeAllocating() {
        // The header claims 2^40 elements; the file is tiny, so the check must come before any allocation.
        assertReadFails(
            npy(dict("|u1", "(1048576, 1048576)")),
            "array has 1099511627776 elements (shape (1048576, 1048576)), over the limit of 2147483648")
        assertReadFails(
            npy(dict("|u1", "(10, 10)"), data: [UInt8](repeating: 0, count: 100)),
            "array has 100 elements (shape (10, 10)), over the limit of 99", maxElements: 99)
    }

    func testRejectsShortAndLongData() {
        assertReadFails(
            npy(dict("<f8", "(3, 4)"), data: [UInt8](repeating: 0, count: 95)),
            "truncated: header says 96 bytes of data, file has 95")
        assertReadFails(
            npy(dict("<i2", "(2,)"), data: [0, 0, 0, 0, 0]),
            "1 extra bytes after the array data (header says 4 bytes)")
    }

    // MARK: numpy interoperability (skipped when numpy is not installed)

    private func runPython(_ script: String) throws -> (status: Int32, output: String) {
        try runProcess("python3", ["-c", script])
    }

    private func requireNumpy() throws {
        let probe = try? runPython("import numpy")
        guard let probe, probe.status == 0 else { throw XCTSkip("python3 with numpy is not available") }
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testNumpyReadsWhatWeWrite() throws {
        try requireNumpy()
        let directory = try temporaryDirectory()
        let arrays: [String: NpyArray] = [
            "f8_2x3": NpyArray(shape: [2, 3], doubles: [0.5, -1, 2, 1e-300, 3.25, -0.0]),
            "i8_0d": NpyArray(shape: [], int64s: [-42]),
            "u1_empty": NpyArray(shape: [0], uint8s: []),
            "i1_4": NpyArray(shape: [4], int8s: [-128, -1, 0, 127]),
            "f4_2x1x2": NpyArray(shape: [2, 1, 2], dtype: .float32,
                                 bytes: [0, 0, 0xC0, 0x3F, 0, 0, 0x80, 0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0x41]),
            "b1_3": NpyArray(shape: [3], dtype: .bool, bytes: [1, 0, 1]),
            "u8_2": NpyArray(shape: [2], dtype: .uint64, bytes: [UInt8](repeating: 0xFF, count: 8) + [3, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (name, array) in arrays {
            try Data(NpyWriter.write(array)).write(to: directory.appendingPathComponent("\(name).npy"))
        }
        let script = """
            import numpy as np, sys
            d = sys.argv[1] if len(sys.argv) > 1 else '\(directory.path)'
            for name in sorted(['\(arrays.keys.sorted().joined(separator: "', '"))']):
                a = np.load(d + '/' + name + '.npy', allow_pickle=False)
                print(name, a.dtype.str, a.shape, a.tolist())
            """
        let (status, output) = try runPython(script)
        XCTAssertEqual(status, 0, output)
        let expected = """
            b1_3 |b1 (3,) [True, False, True]
            f4_2x1x2 <f4 (2, 1, 2) [[[1.5, -1.0]], [[0.0, 10.0]]]
            f8_2x3 <f8 (2, 3) [[0.5, -1.0, 2.0], [1e-300, 3.25, -0.0]]
            i1_4 |i1 (4,) [-128, -1, 0, 127]
            i8_0d <i8 () -42
            u1_empty |u1 (0,) []
            u8_2 <u8 (2,) [18446744073709551615, 3]

            """
        XCTAssertEqual(output, expected)
    }

    func testWeReadWhatNumpyWrites() throws {
        try requireNumpy()
        let directory = try temporaryDirectory()
        let script = """
            import numpy as np
            d = '\(directory.path)'
            np.save(d + '/f8.npy', np.arange(12, dtype='<f8').reshape(3, 4) / 4)
            np.save(d + '/f4.npy', np.array([[1.5], [-2.25]], dtype='<f4'))
            np.save(d + '/i4_0d.npy', np.array(-7, dtype='<i4'))
            np.save(d + '/u1_empty.npy', np.zeros((0,), dtype='u1'))
            np.save(d + '/i1.npy', np.array([[-1, 1], [1, -1]], dtype='i1'))
            np.save(d + '/u2.npy', np.array([65535, 1], dtype='<u2'))
            np.save(d + '/i8_3d.npy', np.arange(24, dtype='<i8').reshape(2, 3, 4) - 12)
            np.save(d + '/b1.npy', np.array([True, False]))
            np.save(d + '/fortran.npy', np.asfortranarray(np.ones((2, 3))))
            np.save(d + '/big.npy', np.ones(2, dtype='>f8'))
            np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(3, dtype='<i2'), version=(2, 0))
            np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.arange(3, dtype='<i2'), version=(3, 0))
            """
        let (status, output) = try runPython(script)
        XCTAssertEqual(status, 0, output)
        func load(_ name: String) throws -> NpyArray {
            try NpyReader.read([UInt8](Data(contentsOf: directory.appendingPathComponent(name))))
        }
        let f8 = try load("f8.npy")
        XCTAssertEqual(f8.shape, [3, 4])
        XCTAssertEqual(f8.doubles(), (0..<12).map { Double($0) / 4 })
        let f4 = try load("f4.npy")
        XCTAssertEqual(f4.dtype, .float32)
        XCTAssertEqual(f4.shape, [2, 1])
        XCTAssertEqual(f4.doubles(), [1.5, -2.25])
        let scalar = try load("i4_0d.npy")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.integers(), [-7])
        let empty = try load("u1_empty.npy")
        XCTAssertEqual(empty.shape, [0])
        XCTAssertEqual(empty.count, 0)
        XCTAssertEqual(empty.bytes, [])
        XCTAssertEqual(try load("i1.npy").integers(), [-1, 1, 1, -1])
        XCTAssertEqual(try load("u2.npy").integers(), [65535, 1])
        let i8 = try load("i8_3d.npy")
        XCTAssertEqual(i8.shape, [2, 3, 4])
        XCTAssertEqual(i8.integers(), (0..<24).map { Int64($0) - 12 })
        XCTAssertEqual(try load("b1.npy").integers(), [1, 0])
        XCTAssertEqual(try load("v2.npy").integers(), [0, 1, 2])
        XCTAssertEqual(try load("v3.npy").integers(), [0, 1, 2])
        XCTAssertThrowsError(try load("fortran.npy")) { error in
            XCTAssertEqual((error as? NpyError)?.message, "Fortran-order arrays are not supported; save with np.ascontiguousarray")
        }
        XCTAssertThrowsError(try load("big.npy")) { error in
            XCTAssertEqual((error as? NpyError)?.message, "big-endian dtype '>f8' is not supported; convert with arr.astype('<f8')")
        }
    }
}
