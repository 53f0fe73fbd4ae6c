// bnn-hls layer library: how one input element meets one binary weight.
//
// A "lane" policy tells the MVAU how wide one input element is and what one (weight, input) pair
// adds to the accumulator. A "value" policy tells the Binarize stage how to read one input
// element as a number to compare with a threshold. All are stateless structs of static functions
// so they cost nothing in hardware beyond the arithmetic they describe.
#ifndef BNN_LANES_HPP
#define BNN_LANES_HPP

#include <ap_int.h>

namespace bnn {

// Reads the raw integer q carried by BITS bits: unsigned, or two's complement when SIGNED. The
// result is one bit wider than the input so both kinds fit the same type.
template <unsigned BITS, bool SIGNED>
struct RawInteger {
    static_assert(BITS >= 1, "an element has at least one bit");
    typedef ap_int<BITS + 1> type;

    static type decode(ap_uint<BITS> x) {
#pragma HLS INLINE
        type q = 0;
        if (SIGNED) {
            // Same-width unsigned -> signed conversion keeps the bits: the two's complement reading.
            q = ap_int<BITS>(x);
        } else {
            q = x;
        }
        return q;
    }
};

// Binary activations (1 bit, 1 = +1, 0 = -1) against binary weights. The product of two +-1
// values is +1 exactly when the bits agree, so counting agreements (XNOR popcount) is enough:
// the accumulator runs 0..MW and the signed sum is 2 * acc - MW, which the compiler folds into
// the thresholds.
struct XnorLane {
    static const unsigned WIDTH = 1;

    template <typename TAcc>
    static TAcc contribution(ap_uint<1> w, ap_uint<1> x) {
#pragma HLS INLINE
        const TAcc one = 1;
        const TAcc zero = 0;
        return w == x ? one : zero;
    }
};

// Integer activations of BITS bits (the network input, uint8 or int8) against binary weights:
// the weight only chooses the sign of (q - ZERO_POINT), so no multiplier is needed.
template <unsigned BITS, bool SIGNED, int ZERO_POINT>
struct IntegerLane {
    static const unsigned WIDTH = BITS;
    static_assert(BITS >= 1 && BITS <= 32, "integer lanes carry 1..32 bits");
    // With the zero point inside the encoding's range, |q - ZERO_POINT| < 2^BITS, so BITS + 2
    // signed bits hold the difference and its negation exactly.
    static_assert(SIGNED ? ((long long)ZERO_POINT >= -(1LL << (BITS - 1)) &&
                            (long long)ZERO_POINT < (1LL << (BITS - 1)))
                         : ((long long)ZERO_POINT >= 0 && (long long)ZERO_POINT < (1LL << BITS)),
                  "ZERO_POINT must lie in the range of the input encoding");

    template <typename TAcc>
    static TAcc contribution(ap_uint<1> w, ap_uint<BITS> x) {
#pragma HLS INLINE
        const ap_int<BITS + 2> q = RawInteger<BITS, SIGNED>::decode(x);
        const ap_int<BITS + 2> centered = q - ZERO_POINT;
        const ap_int<BITS + 2> negated = -centered;
        const TAcc plus = centered;
        const TAcc minus = negated;
        return w == 1 ? plus : minus;
    }
};

// Value policies for Binarize: the number a thresholded input element stands for.

// One bit: +1 or -1.
struct BipolarValue {
    static const unsigned WIDTH = 1;
    typedef ap_int<2> type;

    static type value(ap_uint<1> x) {
#pragma HLS INLINE
        const type plus = 1;
        const type minus = -1;
        return x == 1 ? plus : minus;
    }
};

// BITS bits: the raw integer q (the zero point is already folded into the thresholds). Returned
// as an ap_int so it compares by true value with thresholds of any ap_int/ap_uint type.
template <unsigned BITS, bool SIGNED>
struct IntegerValue {
    static const unsigned WIDTH = BITS;
    typedef typename RawInteger<BITS, SIGNED>::type type;

    static type value(ap_uint<BITS> x) {
#pragma HLS INLINE
        return RawInteger<BITS, SIGNED>::decode(x);
    }
};

}  // namespace bnn

#endif  // BNN_LANES_HPP
