// Re-slices a stream of IN_WIDTH-bit words into OUT_WIDTH-bit words (any ratio).
#ifndef BNN_STREAM_WIDTH_HPP
#define BNN_STREAM_WIDTH_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

namespace bnn {

// Each frame of IN_WORDS words (LSB first, word 0 first) becomes IN_WORDS * IN_WIDTH / OUT_WIDTH
// words. A shift buffer of IN_WIDTH + OUT_WIDTH bits holds the not-yet-written bits.
// Per iteration: read when fewer than OUT_WIDTH bits are buffered, then write when at least
// OUT_WIDTH are. That takes exactly max(IN_WORDS, OUT_WORDS) iterations per frame and leaves
// the buffer empty at every frame boundary, so one flat loop covers all repetitions.
template <unsigned IN_WIDTH, unsigned OUT_WIDTH, unsigned IN_WORDS>
void StreamWidthConverter(hls::stream<ap_uint<IN_WIDTH> > &in,
                          hls::stream<ap_uint<OUT_WIDTH> > &out, unsigned reps) {
    static_assert(IN_WIDTH >= 1 && OUT_WIDTH >= 1 && IN_WORDS >= 1, "widths must be positive");
    static_assert((IN_WORDS * IN_WIDTH) % OUT_WIDTH == 0,
                  "frame size must be a multiple of OUT_WIDTH");

    const unsigned OUT_WORDS = IN_WORDS * IN_WIDTH / OUT_WIDTH;
    const unsigned STEPS = (IN_WORDS > OUT_WORDS) ? IN_WORDS : OUT_WORDS;
    const unsigned BW = IN_WIDTH + OUT_WIDTH;
    typedef ap_uint<BW> Buffer;

    Buffer buffer = 0;   // bits at and above `count` are kept zero
    unsigned count = 0;  // valid bits in buffer
    const unsigned total = reps * STEPS;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        if (count < OUT_WIDTH) {
            const ap_uint<IN_WIDTH> x = in.read();
            buffer |= Buffer(x) << count;
            count += IN_WIDTH;
        }
        if (count >= OUT_WIDTH) {
            out.write(ap_uint<OUT_WIDTH>(buffer));  // narrowing keeps the low OUT_WIDTH bits
            buffer >>= OUT_WIDTH;
            count -= OUT_WIDTH;
        }
    }
}

} // namespace bnn

#endif // BNN_STREAM_WIDTH_HPP
