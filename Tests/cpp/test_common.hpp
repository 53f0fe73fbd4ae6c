// Shared helpers for the bnn HLS library unit tests (C simulation with g++).
#ifndef BNN_TEST_COMMON_HPP
#define BNN_TEST_COMMON_HPP

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bnn_library.hpp"

namespace bnntest {

// The schedule constants SlidingWindow (GUARD) and MaxPoolBinary (MIN_REVISIT) take from the
// generator, which gives them once in Swift. Any positive value gives the same outputs (only the
// idle iterations change), so the tests use this one and a few others.
const unsigned SCHEDULE_SLACK = 4;

// Deterministic 64-bit LCG (Knuth's MMIX constants); the high bits are the usable ones.
struct Lcg {
    uint64_t state;
    explicit Lcg(uint64_t seed) : state(seed * 2862933555777941757ULL + 3037000493ULL) {}
    uint32_t next() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<uint32_t>(state >> 32);
    }
    // Uniform-ish in [0, n).
    uint32_t below(uint32_t n) { return n == 0 ? 0 : next() % n; }
    // Uniform-ish in [lo, hi].
    long long range(long long lo, long long hi) {
        return lo + static_cast<long long>(next() % static_cast<uint64_t>(hi - lo + 1));
    }
    uint64_t bits(unsigned n) {
        uint64_t v = (static_cast<uint64_t>(next()) << 32) | next();
        return n >= 64 ? v : (v & ((1ULL << n) - 1));
    }
};

// Collects the first failure message of the current test and prints one line per test.
struct Reporter {
    int passed = 0;
    int failed = 0;
    std::string current;
    std::string failure;

    void begin(const std::string &name) {
        current = name;
        failure.clear();
    }
    bool check(bool ok, const std::string &what) {
        if (!ok && failure.empty()) failure = what;
        return ok;
    }
    void end() {
        if (failure.empty()) {
            passed++;
            std::printf("PASS: %s\n", current.c_str());
        } else {
            failed++;
            std::printf("FAIL: %s: %s\n", current.c_str(), failure.c_str());
        }
        std::fflush(stdout);
    }
    int finish() const { return failed == 0 ? 0 : 1; }
};

inline std::string str(long long v) { return std::to_string(v); }

// Reads one word only if present; never performs a blocking read on an empty stream.
template <typename T>
bool readChecked(hls::stream<T> &s, T &value) {
    if (s.empty()) return false;
    value = s.read();
    return true;
}

// Over-read guard. A unit under test gets one extra word after its real input; afterwards exactly
// that word must remain. An over-read then shows up as a missing sentinel: the hls4ml stream model
// would otherwise hand back a default value with only a warning, and the current Xilinx model
// would block or abort instead of failing the test.
template <typename T>
void addSentinel(hls::stream<T> &s) {
    T word = 0;
    word = ~word;
    s.write(word);
}

// True when exactly the sentinel is left (no under- or over-read); drains it either way.
template <typename T>
bool consumedExactly(hls::stream<T> &s) {
    const bool ok = s.size() == 1;
    while (!s.empty()) s.read();
    return ok;
}

// Element i (W bits each) of a wide word as an unsigned 64-bit value (W <= 64).
template <int N>
uint64_t field(const ap_uint<N> &word, unsigned i, unsigned w) {
    ap_uint<64> v = 0;
    for (unsigned b = 0; b < w; b++) v[b] = word[i * w + b];
    return v.to_uint64();
}

template <int N>
void setField(ap_uint<N> &word, unsigned i, unsigned w, uint64_t value) {
    for (unsigned b = 0; b < w; b++) word[i * w + b] = (value >> b) & 1;
}

// Builds a hex literal "0x..." of bits (bit 0 = LSB) the way the generator spells wide words.
inline std::string hexLiteral(const std::vector<int> &bits) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    const unsigned n = static_cast<unsigned>(bits.size());
    const unsigned nibbles = (n + 3) / 4;
    for (unsigned k = nibbles; k-- > 0;) {
        unsigned d = 0;
        for (unsigned b = 0; b < 4; b++) {
            const unsigned idx = k * 4 + b;
            if (idx < n && bits[idx]) d |= 1u << b;
        }
        s += digits[d];
    }
    return "0x" + s;
}

// Naive Logit reference, written independently of bnn::Logit: each step stored in a volatile
// double so that no step can be fused or kept in extended precision. naiveLogitScaled is the
// accumulator's scaling, naiveLogitAffine the steps after it (a DividedLogitMap divides between).
inline double naiveLogitScaled(long long acc, const bnn::LogitMap &m) {
    const long long a = static_cast<long long>(m.accScale) * acc + m.accOffset;
    volatile double y = m.inputScale * static_cast<double>(a);
    return y;
}

inline double naiveLogitAffine(double scaled, const bnn::LogitMap &m) {
    volatile double y = scaled;
    y = y * m.alpha;
    y = y + m.bias;
    if (m.batchnorm) {
        y = y - m.mean;
        y = m.gamma * y;
        y = y / m.stddev;
        y = y + m.beta;
    }
    return y;
}

inline double naiveLogit(long long acc, const bnn::LogitMap &m) { return naiveLogitAffine(naiveLogitScaled(acc, m), m); }

// Bit equality of doubles (tells -0.0 from 0.0).
inline bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

} // namespace bnntest

#endif // BNN_TEST_COMMON_HPP
