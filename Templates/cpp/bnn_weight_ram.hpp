// Runtime-writable weights (bnn-hls compile --runtime-weights): the tables bnn_rom.hpp and
// bnn_activation.hpp describe become RAMs that the top function fills from one AXI4-Stream of
// 32-bit words before inference. Every element of BITS bits takes ceil(BITS / 32) words, lowest
// bits first; the tables follow each other in the order the generated top calls the loaders
// (the same order `bnn-hls pack-weights` writes). One word per cycle: every loop is II=1.
#ifndef BNN_WEIGHT_RAM_HPP
#define BNN_WEIGHT_RAM_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_rom.hpp"

namespace bnn {

typedef hls::stream<ap_uint<32> > WeightStream;

// Shifts the next 32-bit word in at the top of an N-word buffer (the element's first word ends
// lowest). N == 1 is apart: a shift by the whole width is not portable across ap_int versions.
template <unsigned N>
struct ShiftIn {
    static ap_uint<N * 32> next(const ap_uint<N * 32> &buffer, const ap_uint<32> &word) {
#pragma HLS INLINE
        ap_uint<N * 32> shifted = buffer >> 32;
        shifted.range(N * 32 - 1, (N - 1) * 32) = word;
        return shifted;
    }
};
template <>
struct ShiftIn<1> {
    static ap_uint<32> next(const ap_uint<32> &, const ap_uint<32> &word) { return word; }
};

// Gathers the words of one BITS-bit element.
template <unsigned BITS>
struct WordAssembler {
    static const unsigned N = (BITS + 31) / 32;
    ap_uint<N * 32> buffer;
    unsigned part;

    WordAssembler() : buffer(0), part(0) {}

    // Takes the next word; true when it completes an element (value() holds it).
    bool take(const ap_uint<32> &word) {
#pragma HLS INLINE
        buffer = ShiftIn<N>::next(buffer, word);
        if (part == N - 1) {
            part = 0;
            return true;
        }
        part++;
        return false;
    }

    ap_uint<BITS> value() const { return ap_uint<BITS>(buffer.range(BITS - 1, 0)); }
};

// Stores an element's bits into a table entry: same-width ap types keep the bits (two's
// complement for ap_int); C simulation's plain-integer weight words (bnn::RomWord) take them as
// an integer.
template <int W, int B>
void StoreBits(ap_uint<W> &dst, const ap_uint<B> &bits) { dst = bits; }
template <int W, int B>
void StoreBits(ap_int<W> &dst, const ap_uint<B> &bits) { dst = ap_uint<W>(bits); }
template <int B>
void StoreBits(bool &dst, const ap_uint<B> &bits) { dst = bits != 0; }
template <int B>
void StoreBits(unsigned char &dst, const ap_uint<B> &bits) { dst = (unsigned char)bits.to_uint64(); }
template <int B>
void StoreBits(unsigned short &dst, const ap_uint<B> &bits) { dst = (unsigned short)bits.to_uint64(); }
template <int B>
void StoreBits(unsigned int &dst, const ap_uint<B> &bits) { dst = (unsigned int)bits.to_uint64(); }
template <int B>
void StoreBits(unsigned long long &dst, const ap_uint<B> &bits) { dst = bits.to_uint64(); }

// Fills table[R][C] row-major, BITS bits per entry.
template <unsigned BITS, unsigned R, unsigned C, typename T>
void LoadTable(WeightStream &src, T (&table)[R][C]) {
    WordAssembler<BITS> element;
    unsigned r = 0, c = 0;
    for (unsigned i = 0; i < R * C * WordAssembler<BITS>::N; i++) {
#pragma HLS PIPELINE II=1
        if (element.take(src.read())) {
            StoreBits(table[r][c], element.value());
            if (c == C - 1) {
                c = 0;
                r++;
            } else {
                c++;
            }
        }
    }
}

// Fills table[R][C][L] row-major (multi-thresholds: bank, neuron, level).
template <unsigned BITS, unsigned R, unsigned C, unsigned L, typename T>
void LoadTable(WeightStream &src, T (&table)[R][C][L]) {
    WordAssembler<BITS> element;
    unsigned r = 0, c = 0, l = 0;
    for (unsigned i = 0; i < R * C * L * WordAssembler<BITS>::N; i++) {
#pragma HLS PIPELINE II=1
        if (element.take(src.read())) {
            StoreBits(table[r][c][l], element.value());
            if (l == L - 1) {
                l = 0;
                if (c == C - 1) {
                    c = 0;
                    r++;
                } else {
                    c++;
                }
            } else {
                l++;
            }
        }
    }
}

// Fills table[R] (pool flags: one word of lanes per fold).
template <unsigned BITS, unsigned R, typename T>
void LoadTable(WeightStream &src, T (&table)[R]) {
    WordAssembler<BITS> element;
    unsigned r = 0;
    for (unsigned i = 0; i < R * WordAssembler<BITS>::N; i++) {
#pragma HLS PIPELINE II=1
        if (element.take(src.read())) {
            StoreBits(table[r], element.value());
            r++;
        }
    }
}

// A float64 from its IEEE 754 bits (a union, as HLS code reinterprets bits).
inline double DoubleFromBits(const ap_uint<64> &bits) {
#pragma HLS INLINE
    union {
        unsigned long long u;
        double d;
    } v;
    v.u = bits.to_uint64();
    return v.d;
}

// One field of a LogitMap from its words: field f of the map, in declaration order; ints and
// bools take one word, doubles two (low word first). `low` is the previous word.
inline void SetLogitMapWord(LogitMap &m, unsigned word, const ap_uint<32> &w, const ap_uint<32> &low) {
#pragma HLS INLINE
    const ap_uint<64> bits = (ap_uint<64>(w) << 32) | ap_uint<64>(low);
    switch (word) {
    case 0: m.accScale = (int)w.to_uint(); break;
    case 1: m.accOffset = (int)w.to_uint(); break;
    case 3: m.inputScale = DoubleFromBits(bits); break;
    case 5: m.alpha = DoubleFromBits(bits); break;
    case 7: m.bias = DoubleFromBits(bits); break;
    case 8: m.batchnorm = w != 0; break;
    case 10: m.mean = DoubleFromBits(bits); break;
    case 12: m.gamma = DoubleFromBits(bits); break;
    case 14: m.stddev = DoubleFromBits(bits); break;
    case 16: m.beta = DoubleFromBits(bits); break;
    default: break;  // the low word of a double: kept in `low`
    }
}
static const unsigned LOGIT_MAP_WORDS = 17;

inline void SetLogitMapWord(ShiftedLogitMap &m, unsigned word, const ap_uint<32> &w, const ap_uint<32> &low) {
#pragma HLS INLINE
    if (word < LOGIT_MAP_WORDS) {
        SetLogitMapWord(m.map, word, w, low);
    } else if (word == LOGIT_MAP_WORDS) {
        m.shifted = w != 0;
    } else if (word == LOGIT_MAP_WORDS + 2) {
        m.shift = DoubleFromBits((ap_uint<64>(w) << 32) | ap_uint<64>(low));
    }
}

// A DividedLogitMap: the ShiftedLogitMap's words, then the divisor (two words).
inline void SetLogitMapWord(DividedLogitMap &m, unsigned word, const ap_uint<32> &w, const ap_uint<32> &low) {
#pragma HLS INLINE
    if (word < LOGIT_MAP_WORDS + 3) {
        SetLogitMapWord(m.shifted, word, w, low);
    } else if (word == LOGIT_MAP_WORDS + 4) {
        m.divisor = DoubleFromBits((ap_uint<64>(w) << 32) | ap_uint<64>(low));
    }
}

template <typename Map>
struct LogitMapWords {
    static const unsigned COUNT = LOGIT_MAP_WORDS;
};
template <>
struct LogitMapWords<ShiftedLogitMap> {
    static const unsigned COUNT = LOGIT_MAP_WORDS + 3;
};
template <>
struct LogitMapWords<DividedLogitMap> {
    static const unsigned COUNT = LOGIT_MAP_WORDS + 5;
};

// Fills the per-class logit maps (LogitMap, ShiftedLogitMap or DividedLogitMap), one word per cycle.
template <unsigned CLASSES, typename Map>
void LoadLogitMaps(WeightStream &src, Map (&maps)[CLASSES]) {
    const unsigned K = LogitMapWords<Map>::COUNT;
    ap_uint<32> low = 0;
    unsigned word = 0, c = 0;
    for (unsigned i = 0; i < CLASSES * K; i++) {
#pragma HLS PIPELINE II=1
        const ap_uint<32> w = src.read();
        SetLogitMapWord(maps[c], word, w, low);
        low = w;
        if (word == K - 1) {
            word = 0;
            c++;
        } else {
            word++;
        }
    }
}

} // namespace bnn

#endif // BNN_WEIGHT_RAM_HPP
