// Sliding-window generator for convolutions: turns an image stream (HWC order, channels fastest)
// into the stream of flattened KH x KW x CHANNELS windows that an Mvau consumes as its input
// vectors (MW = KH * KW * CHANNELS, columns in (ky, kx, c) order), with padding and strides.
#ifndef BNN_WINDOW_HPP
#define BNN_WINDOW_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"

namespace bnn {

// Padding policies: how a real input element enters the window stream (real) and what a position
// outside the image holds (padded(iy, ix), iy and ix its input coordinates, negative above and
// left of the image). IN_WIDTH is the element width on the input stream, OUT_WIDTH on the window
// stream.

// The element passes unchanged; padding is the constant bit pattern PAD_BITS_VALUE
// (ConstantPad<1, 1>: binary +1; ConstantPad<1, 0>: binary -1; ConstantPad<8, zp & 0xff>: an
// 8-bit input padded with its zero point).
template <unsigned BITS, unsigned PAD_BITS_VALUE>
struct ConstantPad {
    static_assert(BITS >= 1, "an element has at least one bit");
    static_assert(BITS >= 32 || (PAD_BITS_VALUE >> (BITS % 32)) == 0,
                  "PAD_BITS_VALUE does not fit in BITS bits");
    static const unsigned IN_WIDTH = BITS;
    static const unsigned OUT_WIDTH = BITS;

    static ap_uint<BITS> real(ap_uint<BITS> x) {
#pragma HLS INLINE
        return x;
    }
    static ap_uint<BITS> padded(int, int) {
#pragma HLS INLINE
        return PAD_BITS_VALUE;
    }
};

// pad_value "odd_even" on BITS-bit codes: the padded element at input row iy, column ix holds
// code EVEN where iy + ix is even and ODD where it is odd (the codes of +1 and -1), in every
// channel. Real elements pass unchanged.
template <unsigned BITS, unsigned EVEN, unsigned ODD>
struct ParityPad {
    static_assert(BITS >= 1 && BITS < 32 && (EVEN >> BITS) == 0 && (ODD >> BITS) == 0,
                  "EVEN and ODD must be BITS-bit codes");
    static const unsigned IN_WIDTH = BITS;
    static const unsigned OUT_WIDTH = BITS;

    static ap_uint<BITS> real(ap_uint<BITS> x) {
#pragma HLS INLINE
        return x;
    }
    static ap_uint<BITS> padded(int iy, int ix) {
#pragma HLS INLINE
        // Two's complement: bit 0 of a negative sum is its parity too.
        return ((iy + ix) & 1) ? ap_uint<BITS>(ODD) : ap_uint<BITS>(EVEN);
    }
};

// Binary input for MaskedXnorLane: a real bit x becomes (valid = 1, bit0 = x); a padded position
// is 0 (not valid), so it adds nothing to the accumulator.
struct MaskedPad {
    static const unsigned IN_WIDTH = 1;
    static const unsigned OUT_WIDTH = 2;

    static ap_uint<2> real(ap_uint<1> x) {
#pragma HLS INLINE
        return ap_uint<2>(2) | ap_uint<2>(x);
    }
    static ap_uint<2> padded(int, int) {
#pragma HLS INLINE
        return 0;
    }
};

// Per repetition: reads one IN_H x IN_W x CHANNELS image as IN_H * IN_W * CHANNELS / SIMD words
// and writes, for each output pixel (oy, ox) in row-major order, its KH * KW * CHANNELS window
// elements in (ky, kx, c) order as KH * KW * CHANNELS / SIMD words. Element (ky, kx, c) is input
// (oy * SH + ky - PAD_T, ox * SW + kx - PAD_L, c) through Pad::real, or Pad::padded(iy, ix)
// outside the image. OUT_H = (IN_H + PAD_T + PAD_B - KH) / SH + 1 (floor), likewise OUT_W; input rows and
// columns no window reaches are read and dropped.
//
// Line buffer: NB = KH + SH input rows of RW = IN_W * CHANNELS / SIMD words each; input row r
// is kept in slot r % NB. One flat II=1 loop runs a fixed schedule of phases:
//   - preload (FIRST_ROWS * RW + GUARD iterations): take in the rows the first output row needs;
//   - one phase per output row oy (ROW_ITER iterations): its first WR iterations emit oy's
//     windows from rows oy * SH - PAD_T .. + KH - 1 (all taken in by earlier phases) while its
//     first R iterations take in the further rows output row oy + 1 needs (at most SH rows; the
//     last phase takes in the rows no window uses, fewer than SH).
// The rows a phase emits from and the rows it stores lie within KH + SH consecutive rows, so they
// occupy distinct slots: per cycle one buffer read and one buffer write to different rows (a
// simple dual-port RAM). Each phase ends with at least GUARD iterations without input, so a
// stored word is read back no sooner than GUARD + 1 iterations later whatever the geometry: that
// makes DEPENDENCE inter false safe (GUARD comes from the generator, which also models the
// schedule). ROW_ITER = max(WR, SH * RW + GUARD): in a stride-1 3x3 layer WR dominates and the
// input rides along for free; the preload costs once per image.
template <unsigned IN_H, unsigned IN_W, unsigned CHANNELS, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned PAD_T, unsigned PAD_B, unsigned PAD_L, unsigned PAD_R, unsigned SIMD,
          class Pad, unsigned GUARD>
void SlidingWindow(hls::stream<ap_uint<SIMD * Pad::IN_WIDTH> > &in,
                   hls::stream<ap_uint<SIMD * Pad::OUT_WIDTH> > &out, unsigned reps) {
    static_assert(IN_H >= 1 && IN_W >= 1 && CHANNELS >= 1, "the image must not be empty");
    static_assert(KH >= 1 && KW >= 1 && SH >= 1 && SW >= 1, "kernel and strides must be positive");
    static_assert(SIMD >= 1, "SIMD must be positive");
    static_assert(GUARD >= 1, "GUARD must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");
    static_assert(KH <= IN_H + PAD_T + PAD_B, "kernel taller than the padded input");
    static_assert(KW <= IN_W + PAD_L + PAD_R, "kernel wider than the padded input");

    const unsigned IW = Pad::IN_WIDTH;
    const unsigned OW = Pad::OUT_WIDTH;
    typedef ap_uint<SIMD * IW> InWord;
    typedef ap_uint<SIMD * OW> OutWord;

    const unsigned CF = CHANNELS / SIMD;                       // words per pixel
    const unsigned OUT_H = (IN_H + PAD_T + PAD_B - KH) / SH + 1;
    const unsigned OUT_W = (IN_W + PAD_L + PAD_R - KW) / SW + 1;
    const unsigned RW = IN_W * CF;                             // words per input row
    const unsigned NB = KH + SH;                               // rows in the line buffer
    const unsigned WR = OUT_W * KH * KW * CF;                  // words written per output row
    const unsigned ROW_ITER = (WR > SH * RW + GUARD) ? WR : SH * RW + GUARD;
    const unsigned FIRST_ROWS = (KH <= PAD_T) ? 0 : ((KH - PAD_T < IN_H) ? KH - PAD_T : IN_H);
    const unsigned PRE_ITER = FIRST_ROWS * RW + GUARD;
    const unsigned ITER = PRE_ITER + OUT_H * ROW_ITER;         // iterations per image
    const unsigned TOP_SLOT = (NB - PAD_T % NB) % NB;          // slot of row -PAD_T (mod NB)

    InWord lineBuffer[NB][RW];

    // Phase state.
    unsigned phase = 0;            // 0: preload; 1 + oy: output row oy
    unsigned t = 0;                // iteration within the phase
    unsigned phaseLen = PRE_ITER;
    unsigned readEnd = FIRST_ROWS * RW;  // this phase reads in iterations t < readEnd
    unsigned rowsRead = FIRST_ROWS;      // input rows read by the end of this phase
    // Input side: where the next input word goes.
    unsigned wrSlot = 0;
    unsigned wrPos = 0;
    // Output side: the window element written next.
    int rowTop = -static_cast<int>(PAD_T);   // input row of ky = 0 for the current output row
    unsigned slotTop = TOP_SLOT;              // its slot
    int colLeft = -static_cast<int>(PAD_L);  // input column of kx = 0 for the current pixel
    unsigned ox = 0;
    unsigned ky = 0;
    unsigned kx = 0;
    unsigned cf = 0;

    const unsigned total = reps * ITER;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
#pragma HLS DEPENDENCE variable=lineBuffer inter false
#pragma HLS DEPENDENCE variable=lineBuffer intra false
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        if (t < readEnd) {
            const InWord x = in.read();
            lineBuffer[wrSlot][wrPos] = x;
            if (wrPos == RW - 1) {
                wrPos = 0;
                wrSlot = (wrSlot == NB - 1) ? 0 : wrSlot + 1;
            } else {
                wrPos++;
            }
        }

        if (phase != 0 && t < WR) {
            const int iy = rowTop + static_cast<int>(ky);
            const int ix = colLeft + static_cast<int>(kx);
            const bool inside = iy >= 0 && iy < static_cast<int>(IN_H) && ix >= 0 &&
                                ix < static_cast<int>(IN_W);
            unsigned slot = slotTop + ky;
            if (slot >= NB) slot -= NB;
            InWord x = 0;
            if (inside) x = lineBuffer[slot][static_cast<unsigned>(ix) * CF + cf];
            OutWord word = 0;
            for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
                const ap_uint<IW> element = GetElement<IW>(x, s);
                const ap_uint<OW> value = inside ? Pad::real(element) : Pad::padded(iy, ix);
                OrElement<OW>(word, s, value);
            }
            out.write(word);

            if (cf == CF - 1) {
                cf = 0;
                if (kx == KW - 1) {
                    kx = 0;
                    if (ky == KH - 1) {
                        ky = 0;
                        if (ox == OUT_W - 1) {
                            ox = 0;
                            colLeft = -static_cast<int>(PAD_L);
                        } else {
                            ox++;
                            colLeft += static_cast<int>(SW);
                        }
                    } else {
                        ky++;
                    }
                } else {
                    kx++;
                }
            } else {
                cf++;
            }
        }

        if (t == phaseLen - 1) {
            t = 0;
            if (phase == OUT_H) {
                // Image done: back to the preload of the next one.
                phase = 0;
                phaseLen = PRE_ITER;
                readEnd = FIRST_ROWS * RW;
                rowsRead = FIRST_ROWS;
                wrSlot = 0;
                wrPos = 0;
                rowTop = -static_cast<int>(PAD_T);
                slotTop = TOP_SLOT;
            } else {
                if (phase != 0) {
                    rowTop += static_cast<int>(SH);
                    slotTop = (slotTop + SH >= NB) ? slotTop + SH - NB : slotTop + SH;
                }
                phase++;
                phaseLen = ROW_ITER;
                // Read up to the last row output row oy + 1 needs; after the last output row,
                // the rest of the image.
                unsigned target = IN_H;
                if (phase != OUT_H) {
                    const int need = rowTop + static_cast<int>(SH + KH);
                    target = (need <= 0) ? 0
                                         : (need >= static_cast<int>(IN_H) ? IN_H
                                                                           : static_cast<unsigned>(need));
                }
                readEnd = (target - rowsRead) * RW;
                rowsRead = target;
            }
        } else {
            t++;
        }
    }
}

} // namespace bnn

#endif // BNN_WINDOW_HPP
