// ROM containers and output activations for the matrix-vector unit.
// All are aggregates so the generator can emit brace-initialized static const ROMs.
#ifndef BNN_WEIGHTS_HPP
#define BNN_WEIGHTS_HPP

#include <ap_int.h>

namespace bnn {

// Binary weights in FINN's folded layout: neuron r lives in PE r % PE; column c of that
// neuron is bit c % SIMD of words[r % PE][(r / PE) * (MW / SIMD) + c / SIMD]. Bit 1 = +1.
// The first index is the PE so the top function can partition it (one ROM per PE).
template <unsigned SIMD, unsigned PE, unsigned TILES>
struct BinaryWeights {
    ap_uint<SIMD> words[PE][TILES];
};

// One threshold per neuron; neuron n at values[n % PE][n / PE]. Output is a single bit:
// 1 when the accumulator reaches the threshold.
template <unsigned PE, unsigned NF, typename T>
struct ThresholdActivation {
    T values[PE][NF];

    static const unsigned OUT_WIDTH = 1;

    template <typename TAcc>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TAcc &acc) const {
#pragma HLS INLINE
        // ap types compare true values even when sign and width differ.
        return (acc >= values[pe][nf]) ? ap_uint<1>(1) : ap_uint<1>(0);
    }
};

// No activation: the accumulator's two's complement bits go out unchanged (e.g. last layer).
template <typename TAcc>
struct PassThroughActivation {
    static const unsigned OUT_WIDTH = TAcc::width;

    template <typename TIn>
    ap_uint<OUT_WIDTH> activate(unsigned, unsigned, const TIn &acc) const {
#pragma HLS INLINE
        const TAcc v = acc;
        return ap_uint<OUT_WIDTH>(v);  // same width: the bits are kept
    }
};

} // namespace bnn

#endif // BNN_WEIGHTS_HPP
