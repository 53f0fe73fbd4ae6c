// Re-slices a stream of lanes into vectors of another length and word width, dropping and adding
// padding lanes on the way.
#ifndef BNN_REPACK_HPP
#define BNN_REPACK_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

namespace bnn {

// The stage between padded units: it strips the padding lanes a padded Mvau or pool leaves at the
// end of each pixel (input side), and pads an Mvau's input vector to SF * SIMD lanes with the
// neutral lane value PAD (output side). With no padding on either side it is just a width
// converter; bnn_stream_width.hpp stays the stage for that case.
//
// A lane is LANE_BITS bits, lane 0 in the least significant bits of a word. Each repetition
// carries FRAME valid lanes, in order:
//   input:  FRAME / IN_VECTOR vectors of ceil(IN_VECTOR / IN_LANES) words each; the lanes of a
//           vector's last word past IN_VECTOR are padding and are dropped;
//   output: FRAME / OUT_VECTOR vectors of ceil(OUT_VECTOR / OUT_LANES) words each; the lanes of
//           a vector's last word past OUT_VECTOR hold PAD.
// Schedule (a cycle model replays it, so keep it exact): one iteration per cycle, until every
// output word is written. A shift buffer of IN_LANES + OUT_LANES lanes holds `buffered` valid
// lanes. Each iteration first reads a word, if input words remain and buffered <= OUT_LANES,
// appending its valid lanes above the buffered ones; then writes a word if the buffer holds the
// `need` lanes the current output word takes (OUT_LANES, or what is left of the vector).
// Reading only while buffered <= OUT_LANES keeps the buffer from overflowing; every iteration
// reads or writes, and the buffer ends empty. Vector positions are word counters (no division).
template <unsigned LANE_BITS, unsigned IN_LANES, unsigned IN_VECTOR, unsigned OUT_LANES,
          unsigned OUT_VECTOR, unsigned FRAME, unsigned PAD>
void StreamRepack(hls::stream<ap_uint<IN_LANES * LANE_BITS> > &in,
                  hls::stream<ap_uint<OUT_LANES * LANE_BITS> > &out, unsigned reps) {
    static_assert(LANE_BITS >= 1 && IN_LANES >= 1 && IN_VECTOR >= 1 && OUT_LANES >= 1 &&
                      OUT_VECTOR >= 1 && FRAME >= 1,
                  "all sizes must be positive");
    static_assert(FRAME % IN_VECTOR == 0 && FRAME % OUT_VECTOR == 0,
                  "a frame must be whole input and output vectors");
    // LANE_BITS % 32 is LANE_BITS whenever the shift is evaluated; it only avoids a shift warning.
    static_assert(LANE_BITS >= 32 || (PAD >> (LANE_BITS % 32)) == 0, "PAD must fit in a lane");

    const unsigned LB = LANE_BITS;
    const unsigned IN_WORDS = (IN_VECTOR + IN_LANES - 1) / IN_LANES;     // words per input vector
    const unsigned OUT_WORDS = (OUT_VECTOR + OUT_LANES - 1) / OUT_LANES;  // words per output vector
    const unsigned IN_LAST = IN_VECTOR - (IN_WORDS - 1) * IN_LANES;     // valid lanes, last word
    const unsigned OUT_LAST = OUT_VECTOR - (OUT_WORDS - 1) * OUT_LANES;
    typedef ap_uint<IN_LANES * LANE_BITS> InWord;
    typedef ap_uint<OUT_LANES * LANE_BITS> OutWord;
    typedef ap_uint<(IN_LANES + OUT_LANES) * LANE_BITS> Buffer;

    // Constant masks: the valid lanes of a last input word, the vector's lanes of a last output
    // word, and PAD in the lanes after them. The shifts are below the word width (IN_LAST,
    // OUT_LAST >= 1).
    const InWord inLastMask = (~InWord(0)) >> ((IN_LANES - IN_LAST) * LB);
    const OutWord outLastMask = (~OutWord(0)) >> ((OUT_LANES - OUT_LAST) * LB);
    OutWord padFill = 0;
    for (unsigned l = OUT_LAST; l < OUT_LANES; l++) {
#pragma HLS UNROLL
        padFill |= OutWord(PAD) << (l * LB);
    }

    const unsigned totalReads = reps * (FRAME / IN_VECTOR) * IN_WORDS;
    const unsigned totalWrites = reps * (FRAME / OUT_VECTOR) * OUT_WORDS;
    Buffer buffer = 0;      // lanes at and above `buffered` are kept zero
    unsigned buffered = 0;  // valid lanes in buffer
    unsigned reads = 0;
    unsigned writes = 0;
    unsigned inWord = 0;    // word index in the current input vector
    unsigned outWord = 0;   // word index in the current output vector
    while (writes < totalWrites) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        const bool doRead = reads < totalReads && buffered <= OUT_LANES;
        if (doRead) {
            const bool last = inWord == IN_WORDS - 1;
            const InWord x = in.read();
            const InWord valid = last ? InWord(x & inLastMask) : x;  // padding lanes dropped
            buffer |= Buffer(valid) << (buffered * LB);
            buffered += last ? IN_LAST : IN_LANES;
            inWord = last ? 0 : inWord + 1;
            reads++;
        }

        const bool lastOut = outWord == OUT_WORDS - 1;
        const unsigned need = lastOut ? OUT_LAST : OUT_LANES;
        const bool doWrite = buffered >= need;
        if (doWrite) {
            const OutWord low = OutWord(buffer);  // narrowing keeps the lowest OUT_LANES lanes
            out.write(lastOut ? OutWord((low & outLastMask) | padFill) : low);
            buffer = lastOut ? Buffer(buffer >> (OUT_LAST * LB))
                             : Buffer(buffer >> (OUT_LANES * LB));
            buffered -= need;
            outWord = lastOut ? 0 : outWord + 1;
            writes++;
        }
#ifdef BNN_REPACK_TRACE
        BNN_REPACK_TRACE(doRead, doWrite);  // unit-test hook (Tests/cpp/test_repack.cpp)
#endif
    }
}

} // namespace bnn

#endif // BNN_REPACK_HPP
