// Per-channel thresholding of an input stream into binary activations (1 = +1), or into
// multi-bit codes (a multi-level input quantizer).
#ifndef BNN_BINARIZE_HPP
#define BNN_BINARIZE_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"
#include "bnn_rom.hpp"
#include "bnn_activation.hpp"

namespace bnn {

// The loop Binarize and Quantize share. Per repetition: reads one frame of PIXELS * CHANNELS
// elements (HWC, channels fastest) as PIXELS * CHANNELS / SIMD words; word w carries channels
// (w % (CHANNELS / SIMD)) * SIMD + i, and lanes(word, w % (CHANNELS / SIMD)) is written out.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, unsigned IN_WIDTH, unsigned OUT_WIDTH, class Lanes>
void ThresholdWords(hls::stream<ap_uint<IN_WIDTH> > &in, hls::stream<ap_uint<OUT_WIDTH> > &out, const Lanes &lanes,
                    unsigned reps) {
#pragma HLS INLINE
    static_assert(SIMD >= 1 && PIXELS >= 1, "SIMD and PIXELS must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");

    const unsigned CF = CHANNELS / SIMD;

    unsigned cf = 0;
    const unsigned total = reps * PIXELS * CF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        out.write(lanes(in.read(), cf));
        cf = (cf == CF - 1) ? 0 : cf + 1;
    }
}

// Output bit i = value(lane i) >= threshold(channel).
template <unsigned SIMD, unsigned CF, class Value, typename TThr>
struct BinarizeLanes {
    const ChannelThresholds<SIMD, CF, TThr> &thresholds;

    ap_uint<SIMD> operator()(const ap_uint<SIMD * Value::WIDTH> &x, unsigned cf) const {
#pragma HLS INLINE
        ap_uint<SIMD> bits = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_uint<Value::WIDTH> lane = GetElement<Value::WIDTH>(x, s);
            bits[s] = (Value::value(lane) >= thresholds.values[s][cf]) ? 1 : 0;
        }
        return bits;
    }
};

// Lane i becomes the OUT_BITS-bit code count(value(lane i) >= t[l]) over the channel's LEVELS
// ascending thresholds.
template <unsigned SIMD, unsigned CF, class Value, typename TThr, unsigned LEVELS, unsigned OUT_BITS>
struct QuantizeLanes {
    const ChannelLevelThresholds<SIMD, CF, LEVELS, TThr> &thresholds;

    ap_uint<SIMD * OUT_BITS> operator()(const ap_uint<SIMD * Value::WIDTH> &x, unsigned cf) const {
#pragma HLS INLINE
        ap_uint<SIMD * OUT_BITS> codes = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_int<33> value = Value::value(GetElement<Value::WIDTH>(x, s));
            OrElement<OUT_BITS>(codes, s, LevelsReached<LEVELS, OUT_BITS>(value, false, thresholds.values[s][cf]));
        }
        return codes;
    }
};

// Binary activations (1 = +1) of a stream, framed as in ThresholdWords. The caller partitions
// thresholds.values along dim 1 so the SIMD lanes compare in parallel.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, class Value, typename TThr>
void Binarize(hls::stream<ap_uint<SIMD * Value::WIDTH> > &in, hls::stream<ap_uint<SIMD> > &out,
              const ChannelThresholds<SIMD, CHANNELS / SIMD, TThr> &thresholds, unsigned reps) {
    const BinarizeLanes<SIMD, CHANNELS / SIMD, Value, TThr> lanes = {thresholds};
    ThresholdWords<SIMD, CHANNELS, PIXELS, SIMD * Value::WIDTH, SIMD>(in, out, lanes, reps);
}

// The multi-level input quantizer: as Binarize, but with QuantizeLanes' codes
// (thresholds.values[ch % SIMD][ch / SIMD][l]). The caller partitions thresholds.values along
// dims 1 and 3 so every lane compares against every level in the same cycle.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, class Value, typename TThr,
          unsigned LEVELS, unsigned OUT_BITS>
void Quantize(hls::stream<ap_uint<SIMD * Value::WIDTH> > &in, hls::stream<ap_uint<SIMD * OUT_BITS> > &out,
              const ChannelLevelThresholds<SIMD, CHANNELS / SIMD, LEVELS, TThr> &thresholds, unsigned reps) {
    const QuantizeLanes<SIMD, CHANNELS / SIMD, Value, TThr, LEVELS, OUT_BITS> lanes = {thresholds};
    ThresholdWords<SIMD, CHANNELS, PIXELS, SIMD * Value::WIDTH, SIMD * OUT_BITS>(in, out, lanes, reps);
}

} // namespace bnn

#endif // BNN_BINARIZE_HPP
