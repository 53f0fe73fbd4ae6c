// Per-channel thresholding of an input stream into binary activations (1 = +1), or into
// multi-bit codes (a multi-level input quantizer).
#ifndef BNN_BINARIZE_HPP
#define BNN_BINARIZE_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_lanes.hpp"
#include "bnn_rom.hpp"
#include "bnn_activation.hpp"

namespace bnn {

// Per repetition: reads one frame of PIXELS * CHANNELS elements (HWC, channels fastest) as
// PIXELS * CHANNELS / SIMD words; word w carries channels (w % (CHANNELS / SIMD)) * SIMD + i.
// Output bit i = value(lane i) >= threshold(channel). The caller partitions thresholds.values
// along dim 1 so the SIMD lanes compare in parallel.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, class Value, typename TThr>
void Binarize(hls::stream<ap_uint<SIMD * Value::WIDTH> > &in, hls::stream<ap_uint<SIMD> > &out,
              const ChannelThresholds<SIMD, CHANNELS / SIMD, TThr> &thresholds, unsigned reps) {
    static_assert(SIMD >= 1 && PIXELS >= 1, "SIMD and PIXELS must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");

    const unsigned CF = CHANNELS / SIMD;
    const unsigned VW = Value::WIDTH;

    unsigned cf = 0;
    const unsigned total = reps * PIXELS * CF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        const ap_uint<SIMD * VW> x = in.read();
        ap_uint<SIMD> bits = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_uint<VW> lane = GetElement<VW>(x, s);
            bits[s] = (Value::value(lane) >= thresholds.values[s][cf]) ? 1 : 0;
        }
        out.write(bits);
        cf = (cf == CF - 1) ? 0 : cf + 1;
    }
}

// The multi-level input quantizer: as Binarize, but lane i becomes the OUT_BITS-bit code
// count(value(lane i) >= t[l]) over the channel's LEVELS ascending thresholds
// (thresholds.values[ch % SIMD][ch / SIMD][l]). The caller partitions thresholds.values along
// dims 1 and 3 so every lane compares against every level in the same cycle.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, class Value, typename TThr,
          unsigned LEVELS, unsigned OUT_BITS>
void Quantize(hls::stream<ap_uint<SIMD * Value::WIDTH> > &in, hls::stream<ap_uint<SIMD * OUT_BITS> > &out,
              const ChannelLevelThresholds<SIMD, CHANNELS / SIMD, LEVELS, TThr> &thresholds, unsigned reps) {
    static_assert(SIMD >= 1 && PIXELS >= 1, "SIMD and PIXELS must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");

    const unsigned CF = CHANNELS / SIMD;
    const unsigned VW = Value::WIDTH;

    unsigned cf = 0;
    const unsigned total = reps * PIXELS * CF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        const ap_uint<SIMD * VW> x = in.read();
        ap_uint<SIMD * OUT_BITS> codes = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_int<33> value = Value::value(GetElement<VW>(x, s));
            OrElement<OUT_BITS>(codes, s, LevelsReached<LEVELS, OUT_BITS>(value, false, thresholds.values[s][cf]));
        }
        out.write(codes);
        cf = (cf == CF - 1) ? 0 : cf + 1;
    }
}

} // namespace bnn

#endif // BNN_BINARIZE_HPP
