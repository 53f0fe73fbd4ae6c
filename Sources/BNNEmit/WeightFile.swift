/// The weights file `pack-weights` writes and the generated loaders read (bnn_weight_file.hpp
/// checks the same things with the same words): little-endian "BNNW", u32 format version, u64
/// signature of the topology and folding, u32 word count, then the words, nothing after.
public enum WeightFile {
    public static let magic: [UInt8] = Array("BNNW".utf8)
    public static let version: UInt32 = 1
    public static let headerBytes = 20

    /// Why a file is refused; `message` is one line without the file name.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func encode(_ image: RuntimeWeights.Image) -> [UInt8] {
        var bytes = magic
        append(UInt64(version), bytes: 4, to: &bytes)
        append(image.signature, bytes: 8, to: &bytes)
        append(UInt64(image.words.count), bytes: 4, to: &bytes)
        bytes.reserveCapacity(headerBytes + 4 * image.words.count)
        for word in image.words { append(UInt64(word), bytes: 4, to: &bytes) }
        return bytes
    }

    /// The image in `bytes`, when it is a whole file for a design of `signature` taking
    /// `expectedWords` words; else the reason, the check order and wording of the C++ loader.
    public static func decode(_ bytes: [UInt8], signature: UInt64, expectedWords: Int) throws(Refusal) -> RuntimeWeights.Image {
        guard bytes.count >= headerBytes else {
            throw Refusal(message: "truncated header (\(bytes.count) bytes, a weights file starts with \(headerBytes))")
        }
        guard Array(bytes[0..<4]) == magic else { throw Refusal(message: "corrupted header: not a bnn-hls weights file (magic is not \"BNNW\")") }
        let fileVersion = read(bytes, at: 4, bytes: 4)
        let fileSignature = read(bytes, at: 8, bytes: 8)
        let count = Int(read(bytes, at: 16, bytes: 4))
        guard fileVersion == UInt64(version) else {
            throw Refusal(message: "corrupted header or newer format: version \(fileVersion), this design reads version \(version)")
        }
        guard fileSignature == signature else {
            throw Refusal(message: "weights of another topology or folding (signature 0x\(hex(fileSignature)), this design is 0x\(hex(signature)))")
        }
        guard count == expectedWords else { throw Refusal(message: "corrupted header: \(count) words, this design takes \(expectedWords)") }
        let payload = bytes.count - headerBytes
        guard payload == 4 * count else {
            throw Refusal(message: "\(payload < 4 * count ? "truncated" : "trailing bytes"): the header promises \(count) words (\(4 * count) bytes), the file holds \(payload) bytes after it")
        }
        let words = (0..<count).map { UInt32(read(bytes, at: headerBytes + 4 * $0, bytes: 4)) }
        return RuntimeWeights.Image(signature: fileSignature, words: words)
    }

    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64(8 * $1) }
    }
}
