// The constant tables (ROMs) the generated params header fills: weights, per-channel thresholds and
// flags, and the class logit maps. All are aggregates, so the generator emits brace-initialized
// static const ROMs; the first index of a table read by parallel lanes is the lane, so the top
// function can partition it (one ROM per lane).
#ifndef BNN_ROM_HPP
#define BNN_ROM_HPP

#include <ap_int.h>

namespace bnn {

// The first of A and B when C holds, else the second (std::conditional without <type_traits>).
template <bool C, typename A, typename B>
struct Select {
    typedef A type;
};
template <typename A, typename B>
struct Select<false, A, B> {
    typedef B type;
};

// How a weight ROM word is stored. Synthesis: ap_uint<SIMD>, a ROM exactly SIMD bits wide. C
// simulation: words up to 64 bits as the narrowest unsigned integer holding them. The values are
// the same (the Mvau reads each word into an ap_uint<SIMD>), but a ROM of plain integers is a
// constant that g++ lays out as data, where an ap_uint ROM runs a constructor per word at start-up:
// hundreds of thousands of narrow words (a padded CNV folding) then take g++ minutes to compile
// instead of seconds.
template <unsigned SIMD, bool NARROW = (SIMD <= 64)>
struct RomWord {
    typedef ap_uint<SIMD> type;
};
#ifndef __SYNTHESIS__
template <unsigned SIMD>
struct RomWord<SIMD, true> {
    typedef typename Select<(SIMD <= 8), unsigned char,
            typename Select<(SIMD <= 16), unsigned short,
            typename Select<(SIMD <= 32), unsigned int, unsigned long long>::type>::type>::type type;
};
#endif

// Binary weights in FINN's folded layout: neuron r lives in PE r % PE; column c of that
// neuron is bit c % SIMD of words[r % PE][(r / PE) * SF + c / SIMD], SF = ceil(MW / SIMD).
// Bit 1 = +1. With padding, TILES = ceil(MH / PE) * SF: padding columns hold 1 (see bnn_mvau.hpp)
// and padding rows hold anything.
template <unsigned SIMD, unsigned PE, unsigned TILES>
struct BinaryWeights {
    static const unsigned LANES = SIMD;
    static const unsigned BANKS = PE;
    static const unsigned WORDS = TILES;
    static const unsigned WEIGHT_BITS = 1;
    typename RomWord<SIMD>::type words[PE][TILES];
};

// Integer weights (multi-bit, weight_bits 2..8) in the same folded layout: column c of neuron r
// is lane c % SIMD of words[r % PE][(r / PE) * SF + c / SIMD], lane s being the WB bits at bit
// s * WB, a two's complement integer. Padding rows and columns hold 0 (adds nothing whatever the
// input lane).
template <unsigned SIMD, unsigned PE, unsigned TILES, unsigned WB>
struct IntegerWeights {
    static_assert(WB >= 2 && WB <= 8, "integer weights have 2..8 bits");
    static const unsigned LANES = SIMD;
    static const unsigned BANKS = PE;
    static const unsigned WORDS = TILES;
    static const unsigned WEIGHT_BITS = WB;
    typename RomWord<SIMD * WB>::type words[PE][TILES];
};

// Binarize's thresholds: channel ch's at values[ch % SIMD][ch / SIMD], lane-major.
template <unsigned SIMD, unsigned CF, typename T>
struct ChannelThresholds {
    T values[SIMD][CF];
};

// A multi-level input quantizer's thresholds: channel ch's LEVELS ascending thresholds at
// values[ch % SIMD][ch / SIMD][0..LEVELS-1]. The caller partitions dims 1 and 3 (every lane
// compares against every level in the same cycle).
template <unsigned SIMD, unsigned CF, unsigned LEVELS, typename T>
struct ChannelLevelThresholds {
    T values[SIMD][CF][LEVELS];
};

// One flag bit per channel; channel ch's flag is bits[ch / SIMD][ch % SIMD], i.e. word cf holds
// the flags of the channels stream word cf carries (one word read per cycle: no partitioning).
template <unsigned SIMD, unsigned CF>
struct ChannelFlags {
    ap_uint<SIMD> bits[CF];
};

// Maps an accumulator to the reference model's logit (see Logit in bnn_argmax.hpp). Initialized
// in field order.
struct LogitMap {
    int accScale;
    int accOffset;
    double inputScale;
    double alpha;
    double bias;
    bool batchnorm;
    double mean;
    double gamma;
    double stddev;
    double beta;
};

// A LogitMap followed by a `shift` (version 2): y + shift, added last (one more rounding), when
// `shifted`. Holds the plain map (not derived from it: C++14 aggregates have no bases), so it is
// brace-initialized as {{plain map fields}, shifted, shift, divisor}; PlainLogitMap reads either
// alike. A nonzero `divisor` divides inputScale * sum (exact there) once, right after it: the
// exact sum after an average pool whose window is not a power of two; 0 divides by nothing.
struct ShiftedLogitMap {
    LogitMap map;
    bool shifted;
    double shift;
    double divisor;
};

// The plain map's fields of a LogitMap or ShiftedLogitMap (Logit and the testbench read both).
inline const LogitMap &PlainLogitMap(const LogitMap &m) { return m; }
inline const LogitMap &PlainLogitMap(const ShiftedLogitMap &m) { return m.map; }

} // namespace bnn

#endif // BNN_ROM_HPP
