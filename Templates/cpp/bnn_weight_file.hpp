// Host side of runtime-writable weights (testbench, C-simulation driver; never synthesized):
// reads a `bnn-hls pack-weights` file and checks it against the design before a single word
// reaches the weights port. File layout, little-endian: "BNNW", u32 format version, u64 signature
// of the topology and folding, u32 word count, then the words (u32 each), nothing after.
#ifndef BNN_WEIGHT_FILE_HPP
#define BNN_WEIGHT_FILE_HPP

#include <cstdio>
#include <string>
#include <vector>

namespace bnn {

static const unsigned WEIGHT_FILE_VERSION = 1;
static const unsigned WEIGHT_FILE_HEADER_BYTES = 20;

inline unsigned long long LittleEndian(const unsigned char *p, unsigned bytes) {
    unsigned long long v = 0;
    for (unsigned i = 0; i < bytes; i++) v |= (unsigned long long)p[i] << (8 * i);
    return v;
}

// Reads `path` into `words`; returns "" when it holds `expectedWords` words for the design
// whose signature is `signature`, else the reason (one line, naming the file).
inline std::string ReadWeightFile(const std::string &path, unsigned long long signature, unsigned long long expectedWords,
                                  std::vector<unsigned> &words) {
    words.clear();
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return path + ": cannot open the weights file";
    std::vector<unsigned char> bytes;
    unsigned char chunk[65536];
    size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    std::fclose(f);
    char text[256];
    if (bytes.size() < WEIGHT_FILE_HEADER_BYTES) {
        std::snprintf(text, sizeof text, ": truncated header (%zu bytes, a weights file starts with %u)", bytes.size(),
                      WEIGHT_FILE_HEADER_BYTES);
        return path + text;
    }
    if (bytes[0] != 'B' || bytes[1] != 'N' || bytes[2] != 'N' || bytes[3] != 'W') {
        return path + ": corrupted header: not a bnn-hls weights file (magic is not \"BNNW\")";
    }
    const unsigned long long version = LittleEndian(&bytes[4], 4);
    const unsigned long long fileSignature = LittleEndian(&bytes[8], 8);
    const unsigned long long count = LittleEndian(&bytes[16], 4);
    if (version != WEIGHT_FILE_VERSION) {
        std::snprintf(text, sizeof text, ": corrupted header or newer format: version %llu, this design reads version %u",
                      version, WEIGHT_FILE_VERSION);
        return path + text;
    }
    if (fileSignature != signature) {
        std::snprintf(text, sizeof text,
                      ": weights of another topology or folding (signature 0x%016llx, this design is 0x%016llx)",
                      fileSignature, signature);
        return path + text;
    }
    if (count != expectedWords) {
        std::snprintf(text, sizeof text, ": corrupted header: %llu words, this design takes %llu", count, expectedWords);
        return path + text;
    }
    const unsigned long long payload = (unsigned long long)bytes.size() - WEIGHT_FILE_HEADER_BYTES;
    if (payload != count * 4) {
        std::snprintf(text, sizeof text, ": %s: the header promises %llu words (%llu bytes), the file holds %llu bytes after it",
                      payload < count * 4 ? "truncated" : "trailing bytes", count, count * 4, payload);
        return path + text;
    }
    words.resize(count);
    for (unsigned long long i = 0; i < count; i++) {
        words[i] = (unsigned)LittleEndian(&bytes[WEIGHT_FILE_HEADER_BYTES + 4 * i], 4);
    }
    return "";
}

} // namespace bnn

#endif // BNN_WEIGHT_FILE_HPP
