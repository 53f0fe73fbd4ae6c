// Output activations of the matrix-vector unit: what an accumulator becomes on the output
// stream. Each has OUT_WIDTH (bits per neuron), a Position type (where the Mvau's output vector
// stands in its stream, for activations that depend on it) and activate(nf, pe, acc, position).
// The threshold tables are aggregates, brace-initialized by the generated params header.
#ifndef BNN_ACTIVATION_HPP
#define BNN_ACTIVATION_HPP

#include <ap_int.h>

namespace bnn {

// The Mvau holds one Activation::Position, passes it to every activate() and calls next() after
// the last neuron fold of each vector. NoPosition: the activation is the same for every vector.
struct NoPosition {
    void next() {}
};

// Output pixel of a convolution's Mvau: row and column counters, row-major, wrapping per frame.
template <unsigned OH, unsigned OW>
struct PixelPosition {
    unsigned row;
    unsigned col;

    PixelPosition() : row(0), col(0) {}

    void next() {
#pragma HLS INLINE
        if (col == OW - 1) {
            col = 0;
            row = (row == OH - 1) ? 0 : row + 1;
        } else {
            col++;
        }
    }
};

// One threshold per neuron; neuron n at values[n % PE][n / PE]. NF = ceil(MH / PE): a padded
// Mvau also has thresholds for its padding neurons, whose values do not matter. Output is a
// single bit: 1 when the accumulator reaches the threshold.
template <unsigned PE, unsigned NF, typename T>
struct ThresholdActivation {
    T values[PE][NF];

    static const unsigned OUT_WIDTH = 1;
    typedef NoPosition Position;

    template <typename TAcc>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TAcc &acc, const Position &) const {
#pragma HLS INLINE
        // ap types compare true values even when sign and width differ.
        return (acc >= values[pe][nf]) ? ap_uint<1>(1) : ap_uint<1>(0);
    }
};

// Thresholds by border class, for a convolution on 8-bit input padded with +-1: the padded taps
// hold the zero point (adding 0 to the accumulator) and their constant contribution P, which
// depends only on which kernel taps are padding and on the neuron, is folded into the threshold
// of the pixel's class. Output row r is in row class rowClass[r] (RC of them), column c in
// colClass[c] (CC); the pixel's class is rowClass * CC + colClass. Neuron n of class k is at
// values[n % PE][k * NF + n / PE], so partitioning dim 1 still gives one bank per PE. The class
// tables are small ROMs read once per output word (shared by the PE lanes).
template <unsigned PE, unsigned NF, typename T, unsigned OH, unsigned OW, unsigned RC, unsigned CC>
struct BorderThresholdActivation {
    static_assert(RC >= 1 && CC >= 1 && RC <= 65536 && CC <= 65536, "class indices must fit the unsigned short tables");
    T values[PE][RC * CC * NF];
    unsigned short rowClass[OH];
    unsigned short colClass[OW];

    static const unsigned OUT_WIDTH = 1;
    typedef PixelPosition<OH, OW> Position;

    template <typename TAcc>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TAcc &acc, const Position &at) const {
#pragma HLS INLINE
        const unsigned k = rowClass[at.row] * CC + colClass[at.col];
        return (acc >= values[pe][k * NF + nf]) ? ap_uint<1>(1) : ap_uint<1>(0);
    }
};

// Multi-level thresholds (FINN's MultiThreshold): the output code of a neuron is how many of its
// LEVELS ascending thresholds t[0..LEVELS-1] the value a reaches, count(a >= t[l]), all LEVELS
// comparators in parallel; a = acc for a rising neuron, -acc for a falling one (its decision falls
// as the accumulator grows). OUT_BITS: the smallest b with 2^b - 1 >= LEVELS.
template <unsigned LEVELS, unsigned OUT_BITS, typename T, typename TAcc>
ap_uint<OUT_BITS> LevelsReached(const TAcc &acc, bool falling, const T thresholds[LEVELS]) {
#pragma HLS INLINE
    static_assert(LEVELS >= 1 && OUT_BITS >= 1 && OUT_BITS <= 16 && ((1u << OUT_BITS) - 1) >= LEVELS,
                  "OUT_BITS must count to LEVELS");
    typedef ap_int<TAcc::width + 1> Oriented;  // holds acc and -acc of a signed or unsigned TAcc
    const Oriented up = acc;
    const Oriented down = -up;
    const Oriented a = falling ? down : up;
    ap_uint<OUT_BITS> code = 0;
    for (unsigned l = 0; l < LEVELS; l++) {
#pragma HLS UNROLL
        if (a >= thresholds[l]) code++;
    }
    return code;
}

// Neuron n's thresholds at values[n % PE][n / PE][0..LEVELS-1], its falling flag at
// falling[n % PE][n / PE]. The caller partitions values along dims 1 and 3 and falling along
// dim 1 (every PE lane compares against every level in the same cycle). Padding neurons hold
// anything; their outputs are dropped downstream.
template <unsigned PE, unsigned NF, unsigned LEVELS, unsigned OUT_BITS, typename T>
struct MultiThresholdActivation {
    T values[PE][NF][LEVELS];
    bool falling[PE][NF];

    static const unsigned OUT_WIDTH = OUT_BITS;
    typedef NoPosition Position;

    template <typename TAcc>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TAcc &acc, const Position &) const {
#pragma HLS INLINE
        return LevelsReached<LEVELS, OUT_BITS>(acc, falling[pe][nf], values[pe][nf]);
    }
};

// Multi-level thresholds by border class (see BorderThresholdActivation): neuron n of class k at
// values[n % PE][k * NF + n / PE][0..LEVELS-1]; the falling flags do not depend on the class.
template <unsigned PE, unsigned NF, unsigned LEVELS, unsigned OUT_BITS, typename T, unsigned OH,
          unsigned OW, unsigned RC, unsigned CC>
struct BorderMultiThresholdActivation {
    static_assert(RC >= 1 && CC >= 1 && RC <= 65536 && CC <= 65536, "class indices must fit the unsigned short tables");
    T values[PE][RC * CC * NF][LEVELS];
    bool falling[PE][NF];
    unsigned short rowClass[OH];
    unsigned short colClass[OW];

    static const unsigned OUT_WIDTH = OUT_BITS;
    typedef PixelPosition<OH, OW> Position;

    template <typename TAcc>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TAcc &acc, const Position &at) const {
#pragma HLS INLINE
        const unsigned k = rowClass[at.row] * CC + colClass[at.col];
        return LevelsReached<LEVELS, OUT_BITS>(acc, falling[pe][nf], values[pe][k * NF + nf]);
    }
};

// No activation: the accumulator's two's complement bits go out unchanged (e.g. last layer).
template <typename TAcc>
struct PassThroughActivation {
    static const unsigned OUT_WIDTH = TAcc::width;
    typedef NoPosition Position;

    template <typename TIn>
    ap_uint<OUT_WIDTH> activate(unsigned, unsigned, const TIn &acc, const Position &) const {
#pragma HLS INLINE
        const TAcc v = acc;
        return ap_uint<OUT_WIDTH>(v);  // same width: the bits are kept
    }
};

} // namespace bnn

#endif // BNN_ACTIVATION_HPP
