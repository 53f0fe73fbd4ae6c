// bnn-hls layer library: how one input element meets one weight, plus packing helpers.
//
// A "lane" policy tells the MVAU how wide one input element is and what one (weight, input) pair
// adds to the accumulator: contribution<TAcc>(ap_uint<WB> weight, ap_uint<WIDTH> element), WB
// the weight ROM's bits per lane (XnorLane and MaskedXnorLane take 1-bit weights only). A "value" policy tells Binarize how to read one input element as a
// number to compare with a threshold. All are stateless structs of static functions, so they cost
// nothing in hardware beyond the arithmetic they describe.
#ifndef BNN_LANES_HPP
#define BNN_LANES_HPP

#include <ap_int.h>

#include "bnn_rom.hpp"

namespace bnn {

// Element i (W bits) of a packed stream word (element 0 in the lowest bits). Shifts rather than
// range(): with loop-dependent indices g++ cannot rule out range()'s reversed-bits path on words
// over 64 bits and warns (-Waggressive-loop-optimizations) inside ap_private.h. In hardware both
// are plain wiring once the loop is unrolled.
template <unsigned W, int N>
ap_uint<W> GetElement(const ap_uint<N> &word, unsigned i) {
#pragma HLS INLINE
    return ap_uint<W>(word >> (i * W));  // narrowing keeps the low W bits
}

// Ors element i into a word whose bits at that position are still zero.
template <unsigned W, int N>
void OrElement(ap_uint<N> &word, unsigned i, const ap_uint<W> &value) {
#pragma HLS INLINE
    word |= ap_uint<N>(value) << (i * W);
}

// Reads the raw integer q carried by BITS bits: unsigned, or two's complement when SIGNED. One
// bit wider than the input so both readings fit the same type.
template <unsigned BITS, bool SIGNED>
struct RawInteger {
    static_assert(BITS >= 1, "an element has at least one bit");
    typedef ap_int<BITS + 1> type;

    static type decode(ap_uint<BITS> x) {
#pragma HLS INLINE
        type q = 0;
        if (SIGNED) {
            q = ap_int<BITS>(x);  // same-width unsigned -> signed keeps the bits
        } else {
            q = x;
        }
        return q;
    }
};

// Binary activations (1 bit, 1 = +1, 0 = -1) against binary weights. The product of two +-1
// values is +1 exactly when the bits agree, so counting agreements (XNOR popcount) is enough:
// the accumulator runs 0..MW and the signed sum is 2 * acc - MW, folded into the thresholds.
// Padding lane (bnn_mvau.hpp): x = 0 against weight 1 disagrees and adds 0, so acc and MW stay
// those of the real columns.
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

// Binary activations with a valid bit, for zero-padded binary convolutions: x bit 0 is the
// activation (1 = +1), x bit 1 says whether the position is real (1) or padding (0). A real
// position adds the signed product, +1 when the bits agree and -1 otherwise; padding adds 0. The
// accumulator is the true signed sum (TAcc must be signed), so it runs -MW..MW.
// Padding lane (bnn_mvau.hpp): x = 00 is not valid and adds 0 whatever the weight.
struct MaskedXnorLane {
    static const unsigned WIDTH = 2;

    template <typename TAcc>
    static TAcc contribution(ap_uint<1> w, ap_uint<2> x) {
#pragma HLS INLINE
        const TAcc one = 1;
        const TAcc minusOne = -1;
        const TAcc zero = 0;
        const ap_uint<1> bit = x[0];
        const ap_uint<1> valid = x[1];
        if (valid == 0) return zero;
        return w == bit ? one : minusOne;
    }
};

// w * v for one weight lane of WB bits (bnn_rom.hpp) and a signed lane value v. No DSP unless
// asked for: WB = 1 (bit 1 = +1) adds or subtracts v; WB = 2 (two's complement -2..1, ternary
// weights use -1..1) adds, subtracts, skips or subtracts twice; wider weights multiply in a small
// LUT multiplier (BIND_OP impl=fabric, UG1399).
template <unsigned WB>
struct WeightTimes {
    template <typename TAcc, int VW>
    static TAcc apply(ap_uint<WB> w, const ap_int<VW> &v) {
#pragma HLS INLINE
        const ap_int<WB> weight = w;  // same width: the two's complement bits are kept
        const ap_int<WB + VW> product = weight * v;
#pragma HLS BIND_OP variable=product op=mul impl=fabric
        return TAcc(product);
    }
};

template <>
struct WeightTimes<1> {
    template <typename TAcc, int VW>
    static TAcc apply(ap_uint<1> w, const ap_int<VW> &v) {
#pragma HLS INLINE
        const ap_int<VW + 1> negated = -v;
        const TAcc plus = v;
        const TAcc minus = negated;
        return w == 1 ? plus : minus;
    }
};

template <>
struct WeightTimes<2> {
    template <typename TAcc, int VW>
    static TAcc apply(ap_uint<2> w, const ap_int<VW> &v) {
#pragma HLS INLINE
        const ap_int<VW + 2> once = v;
        const ap_int<VW + 2> negated = -once;
        const ap_int<VW + 2> twiceNegated = negated - once;
        TAcc r = 0;
        if (w == 1) r = once;           // +1
        if (w == 3) r = negated;        // -1
        if (w == 2) r = twiceNegated;   // -2
        return r;                       // 0: skipped
    }
};

// Integer activations of BITS bits (e.g. a uint8/int8 network input) against binary weights:
// the weight only picks the sign of (q - ZERO_POINT), so no multiplier is needed. Against
// integer weights of WB bits (an 8-bit first layer): w * (q - ZERO_POINT) (WeightTimes).
// Padding lane (bnn_mvau.hpp): x encodes q = ZERO_POINT, so it adds 0 whatever the weight.
template <unsigned BITS, bool SIGNED, int ZERO_POINT>
struct IntegerLane {
    static_assert(BITS >= 1 && BITS <= 32, "integer lanes carry 1..32 bits");
    static const unsigned WIDTH = BITS;
    // Whether ZERO_POINT is itself a BITS-bit value (then q - ZERO_POINT fits BITS + 2 bits).
    static const bool NARROW_ZERO_POINT =
        SIGNED ? (ZERO_POINT >= -(1LL << (BITS - 1)) && ZERO_POINT < (1LL << (BITS - 1)))
               : (ZERO_POINT >= 0 && ZERO_POINT < (1LL << BITS));

    template <typename TAcc, int WB>
    static TAcc contribution(ap_uint<WB> w, ap_uint<BITS> x) {
#pragma HLS INLINE
        static_assert(WB == 1 || NARROW_ZERO_POINT, "integer weights need a BITS-bit zero point");
        // BITS + 35 signed bits hold q - ZERO_POINT and its negation exactly for any int zero
        // point (1-bit weights: no multiplier, HLS trims the unused top bits); a multiplier gets
        // the narrow BITS + 2.
        typedef typename Select<(WB == 1), ap_int<BITS + 35>, ap_int<BITS + 2> >::type Centered;
        typedef ap_int<BITS + 35> Wide;
        const Wide q = RawInteger<BITS, SIGNED>::decode(x);
        const Centered centered = q - Wide(ZERO_POINT);
        return WeightTimes<WB>::template apply<TAcc>(w, centered);
    }
};

// Unsigned BITS-bit codes u of a multi-bit activation (bnn_activation.hpp's
// MultiThresholdActivation, a pool over codes or the input quantizer): each lane adds w * u
// (WeightTimes: +-u for 1-bit weights, add/subtract/skip for ternary, a small multiplier wider).
// Padding lane (bnn_mvau.hpp): code 0 adds 0 whatever the weight.
template <unsigned BITS>
struct CodeLane {
    static_assert(BITS >= 1 && BITS <= 32, "code lanes carry 1..32 bits");
    static const unsigned WIDTH = BITS;

    template <typename TAcc, int WB>
    static TAcc contribution(ap_uint<WB> w, ap_uint<BITS> x) {
#pragma HLS INLINE
        const ap_int<BITS + 1> u = x;  // the code, non-negative
        return WeightTimes<WB>::template apply<TAcc>(w, u);
    }
};

// Value policies for Binarize: the number a thresholded input element stands for. An int
// compares by true value with thresholds of any ap_int/ap_uint type or int.

// One bit: +1 or -1.
struct BipolarValue {
    static const unsigned WIDTH = 1;

    static int value(ap_uint<1> x) {
#pragma HLS INLINE
        return x == 1 ? 1 : -1;
    }
};

// BITS bits: the raw integer q (any zero point is already folded into the thresholds).
template <unsigned BITS, bool SIGNED>
struct IntegerValue {
    static_assert(BITS >= 1 && (BITS <= 31 || (SIGNED && BITS == 32)),
                  "the raw value must fit in an int");
    static const unsigned WIDTH = BITS;

    static int value(ap_uint<BITS> x) {
#pragma HLS INLINE
        return RawInteger<BITS, SIGNED>::decode(x).to_int();
    }
};

}  // namespace bnn

#endif  // BNN_LANES_HPP
