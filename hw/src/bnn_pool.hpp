// Pooling of feature maps (HWC streams, channels fastest), no padding, floor mode: max (or min)
// over binary elements or multi-bit codes, and sums of codes (avgpool2d; the next layer's exact
// map divides by the window size).
#ifndef BNN_POOL_HPP
#define BNN_POOL_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"
#include "bnn_rom.hpp"

namespace bnn {

// Lane-wise pooling step: OR (max of +-1) where andMask is 0, AND (min) where it is 1.
template <unsigned SIMD>
ap_uint<SIMD> PoolCombine(const ap_uint<SIMD> &a, const ap_uint<SIMD> &b,
                          const ap_uint<SIMD> &andMask) {
#pragma HLS INLINE
    const ap_uint<SIMD> orPart = (a | b) & ~andMask;
    const ap_uint<SIMD> andPart = a & b & andMask;
    return orPart | andPart;
}

// Pool operations for PoolWindows: the bits of an element on the input (IN_BITS) and output
// (OUT_BITS) streams, the first element of a window as its running value (first) and how a
// further one joins it (combine); the mask is the word's channel flags (ChannelFlags), which only
// the max operations read.

// Binary max-pool: OR, or AND on flagged channels (PoolCombine).
template <unsigned SIMD>
struct BinaryMaxOp {
    static const unsigned IN_BITS = 1;
    static const unsigned OUT_BITS = 1;

    static ap_uint<SIMD> first(const ap_uint<SIMD> &x) {
#pragma HLS INLINE
        return x;
    }
    static ap_uint<SIMD> combine(const ap_uint<SIMD> &a, const ap_uint<SIMD> &x, const ap_uint<SIMD> &andMask) {
#pragma HLS INLINE
        return PoolCombine<SIMD>(a, x, andMask);
    }
};

// Max-pool over unsigned BITS-bit codes: lane-wise maximum, or minimum on flagged channels.
template <unsigned SIMD, unsigned BITS>
struct CodeMaxOp {
    static const unsigned IN_BITS = BITS;
    static const unsigned OUT_BITS = BITS;
    typedef ap_uint<SIMD * BITS> Word;

    static Word first(const Word &x) {
#pragma HLS INLINE
        return x;
    }
    static Word combine(const Word &a, const Word &x, const ap_uint<SIMD> &minMask) {
#pragma HLS INLINE
        Word r = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_uint<BITS> u = GetElement<BITS>(a, s);
            const ap_uint<BITS> v = GetElement<BITS>(x, s);
            const bool takeV = (minMask[s] == 1) ? (v < u) : (v > u);
            OrElement<BITS>(r, s, takeV ? v : u);
        }
        return r;
    }
};

// Sum pool: each IN_BITS-bit code widened to OUT_BITS (enough for the window's sum) and added.
template <unsigned SIMD, unsigned IN, unsigned OUT>
struct CodeSumOp {
    static const unsigned IN_BITS = IN;
    static const unsigned OUT_BITS = OUT;
    typedef ap_uint<SIMD * OUT> Word;

    static Word first(const ap_uint<SIMD * IN> &x) {
#pragma HLS INLINE
        Word r = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            OrElement<OUT>(r, s, ap_uint<OUT>(GetElement<IN>(x, s)));
        }
        return r;
    }
    static Word combine(const Word &a, const Word &x, const ap_uint<SIMD> &) {
#pragma HLS INLINE
        Word r = 0;
        for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
            const ap_uint<OUT> sum = GetElement<OUT>(a, s) + GetElement<OUT>(x, s);  // never wraps
            OrElement<OUT>(r, s, sum);
        }
        return r;
    }
};

// Column slots back at the start of an input row (MaxPoolBinary): slot j's first window starts
// j * SW pixels in and is output column j.
template <unsigned NC, unsigned SW>
void PoolRestartColumns(int colPos[NC], unsigned colOut[NC]) {
#pragma HLS INLINE
    for (unsigned j = 0; j < NC; j++) {
#pragma HLS UNROLL
        colPos[j] = -static_cast<int>(j * SW);
        colOut[j] = j;
    }
}

// Per repetition: reads an IN_H x IN_W x CHANNELS image (IN_H * IN_W * CHANNELS / SIMD words of
// SIMD Op::IN_BITS-bit elements) and writes OUT_H * OUT_W * CHANNELS / SIMD words of
// Op::OUT_BITS-bit elements, OUT_H = (IN_H - PH) / SH + 1 and OUT_W = (IN_W - PW) / SW + 1: for
// each output pixel (row-major) and channel, the PH x PW window's elements combined by Op (the
// OR of bits, or their AND for channels flagged in andChannels where the compiler has turned a
// max into a min; the max or min of codes; their sum). Rows and columns beyond the last window
// are read and dropped.
//
// One input word per iteration (II=1), in two steps:
//   - horizontal: for the current input row, the OR/AND over the PW columns of each window.
//     Windows whose columns overlap (PW > SW) are open at once; output column ox uses slot
//     ox % NC (NC = ceil(PW / SW)), and a slot's windows never overlap. Each slot is a shift
//     register of one pixel (CF words) that advances every word, so its head is always the
//     partial result for the current channel word: registers, no addressing.
//   - vertical: when an input word completes window column ox, the row result meets the line
//     buffer of one output row's accumulators (OUT_W * CF words). With PH > SH, NR = ceil(PH / SH)
//     output rows are open at once, one bank each (bank oy % NR). The word that completes the
//     last row of a window is written out instead of stored; outputs leave in row-major order.
// An accumulator word is read, updated and written back once per input row, so consecutive
// visits are one row of iterations apart. A row takes max(IN_W * CF, MIN_REVISIT) iterations
// (idle ones only on maps narrower than MIN_REVISIT words), so the distance always exceeds the
// read-modify-write latency and DEPENDENCE inter false on the banks is safe (MIN_REVISIT comes
// from the generator, which also models the schedule).
// The caller need not partition andChannels: one word is read per cycle.
template <unsigned IN_H, unsigned IN_W, unsigned CHANNELS, unsigned PH, unsigned PW, unsigned SH,
          unsigned SW, unsigned SIMD, unsigned MIN_REVISIT, class Op>
void PoolWindows(hls::stream<ap_uint<SIMD * Op::IN_BITS> > &in,
                 hls::stream<ap_uint<SIMD * Op::OUT_BITS> > &out,
                 const ChannelFlags<SIMD, CHANNELS / SIMD> &andChannels, unsigned reps) {
    static_assert(IN_H >= 1 && IN_W >= 1 && CHANNELS >= 1, "the image must not be empty");
    static_assert(PH >= 1 && PW >= 1 && SH >= 1 && SW >= 1, "pool and strides must be positive");
    static_assert(SIMD >= 1, "SIMD must be positive");
    static_assert(MIN_REVISIT >= 1, "MIN_REVISIT must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");
    static_assert(PH <= IN_H && PW <= IN_W, "pool window larger than the input");

    typedef ap_uint<SIMD * Op::IN_BITS> InWord;
    typedef ap_uint<SIMD * Op::OUT_BITS> Word;
    const unsigned CF = CHANNELS / SIMD;           // words per pixel
    const unsigned OUT_W = (IN_W - PW) / SW + 1;
    const unsigned NR = (PH + SH - 1) / SH;        // output rows open at once
    const unsigned NC = (PW + SW - 1) / SW;        // output columns open at once
    const unsigned ROW_WORDS = OUT_W * CF;         // accumulators per output row
    const unsigned ROW_READS = IN_W * CF;          // input words per row
    const unsigned ROW_ITER = (ROW_READS > MIN_REVISIT) ? ROW_READS : MIN_REVISIT;

    Word rowAcc[NR][ROW_WORDS];
#pragma HLS ARRAY_PARTITION variable=rowAcc complete dim=1
    Word colAcc[NC][CF];
#pragma HLS ARRAY_PARTITION variable=colAcc complete dim=0
    // Slot state: position inside the slot's current window (negative before its first one),
    // and for column slots that window's output column. Windows past the last output row or
    // column never reach their last position before the row or image ends, so they need no
    // bounds check: they never complete.
    int colPos[NC];
    unsigned colOut[NC];
#pragma HLS ARRAY_PARTITION variable=colPos complete dim=1
#pragma HLS ARRAY_PARTITION variable=colOut complete dim=1
    int rowPos[NR];
#pragma HLS ARRAY_PARTITION variable=rowPos complete dim=1

    PoolRestartColumns<NC, SW>(colPos, colOut);
    for (unsigned j = 0; j < NC; j++) {
#pragma HLS UNROLL
        for (unsigned k = 0; k < CF; k++) {
#pragma HLS UNROLL
            colAcc[j][k] = 0;  // never read before written; keeps the registers defined
        }
    }
    for (unsigned r = 0; r < NR; r++) {
#pragma HLS UNROLL
        rowPos[r] = -static_cast<int>(r * SH);
    }

    unsigned cf = 0;
    unsigned t = 0;   // iteration within the input row
    unsigned iy = 0;
    const unsigned total = reps * IN_H * ROW_ITER;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
#pragma HLS DEPENDENCE variable=rowAcc inter false
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        if (t < ROW_READS) {
            const InWord raw = in.read();
            const Word x = Op::first(raw);
            const ap_uint<SIMD> andMask = andChannels.bits[cf];

            // Horizontal step.
            bool columnDone = false;
            Word columnValue = 0;
            unsigned columnOut = 0;
            for (unsigned j = 0; j < NC; j++) {
#pragma HLS UNROLL
                const Word head = colAcc[j][0];
                Word next = head;
                if (colPos[j] >= 0 && colPos[j] < static_cast<int>(PW)) {
                    next = (colPos[j] == 0) ? x : Op::combine(head, x, andMask);
                    if (colPos[j] == static_cast<int>(PW) - 1) {
                        columnDone = true;
                        columnValue = next;
                        columnOut = colOut[j];
                    }
                }
                for (unsigned k = 0; k + 1 < CF; k++) {
#pragma HLS UNROLL
                    colAcc[j][k] = colAcc[j][k + 1];
                }
                colAcc[j][CF - 1] = next;
            }

            // Vertical step.
            bool outDone = false;
            Word outValue = 0;
            if (columnDone) {
                const unsigned addr = columnOut * CF + cf;
                for (unsigned r = 0; r < NR; r++) {
#pragma HLS UNROLL
                    if (rowPos[r] >= 0 && rowPos[r] < static_cast<int>(PH)) {
                        const Word v = (rowPos[r] == 0)
                                           ? columnValue
                                           : Op::combine(rowAcc[r][addr], columnValue, andMask);
                        if (rowPos[r] == static_cast<int>(PH) - 1) {
                            outDone = true;
                            outValue = v;
                        } else {
                            rowAcc[r][addr] = v;
                        }
                    }
                }
            }
            if (outDone) out.write(outValue);

            // Next channel word; after the last one, the next pixel.
            if (cf == CF - 1) {
                cf = 0;
                for (unsigned j = 0; j < NC; j++) {
#pragma HLS UNROLL
                    if (colPos[j] == static_cast<int>(NC * SW) - 1) {
                        colPos[j] = 0;
                        colOut[j] += NC;
                    } else {
                        colPos[j]++;
                    }
                }
            } else {
                cf++;
            }
        }

        // End of an input row (and of the image after the last one).
        if (t == ROW_ITER - 1) {
            t = 0;
            PoolRestartColumns<NC, SW>(colPos, colOut);
            for (unsigned r = 0; r < NR; r++) {
#pragma HLS UNROLL
                if (iy == IN_H - 1) {
                    rowPos[r] = -static_cast<int>(r * SH);
                } else if (rowPos[r] == static_cast<int>(NR * SH) - 1) {
                    rowPos[r] = 0;
                } else {
                    rowPos[r]++;
                }
            }
            iy = (iy == IN_H - 1) ? 0 : iy + 1;
        } else {
            t++;
        }
    }
}

// Max-pool of binary maps: OR over the window, AND on the channels flagged in andChannels.
template <unsigned IN_H, unsigned IN_W, unsigned CHANNELS, unsigned PH, unsigned PW, unsigned SH,
          unsigned SW, unsigned SIMD, unsigned MIN_REVISIT>
void MaxPoolBinary(hls::stream<ap_uint<SIMD> > &in, hls::stream<ap_uint<SIMD> > &out,
                   const ChannelFlags<SIMD, CHANNELS / SIMD> &andChannels, unsigned reps) {
    PoolWindows<IN_H, IN_W, CHANNELS, PH, PW, SH, SW, SIMD, MIN_REVISIT, BinaryMaxOp<SIMD> >(
        in, out, andChannels, reps);
}

// Max-pool of BITS-bit codes: the largest code of the window, the smallest on the channels
// flagged in minChannels (where the chain after the pool falls).
template <unsigned IN_H, unsigned IN_W, unsigned CHANNELS, unsigned PH, unsigned PW, unsigned SH,
          unsigned SW, unsigned SIMD, unsigned BITS, unsigned MIN_REVISIT>
void MaxPoolCodes(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * BITS> > &out,
                  const ChannelFlags<SIMD, CHANNELS / SIMD> &minChannels, unsigned reps) {
    PoolWindows<IN_H, IN_W, CHANNELS, PH, PW, SH, SW, SIMD, MIN_REVISIT, CodeMaxOp<SIMD, BITS> >(
        in, out, minChannels, reps);
}

// Sum pool (avgpool2d) of IN_BITS-bit codes into OUT_BITS-bit sums; OUT_BITS must hold
// PH * PW * (2^IN_BITS - 1). No flags: noFlags is any ChannelFlags (its bits are ignored).
template <unsigned IN_H, unsigned IN_W, unsigned CHANNELS, unsigned PH, unsigned PW, unsigned SH,
          unsigned SW, unsigned SIMD, unsigned IN_BITS, unsigned OUT_BITS, unsigned MIN_REVISIT>
void SumPool(hls::stream<ap_uint<SIMD * IN_BITS> > &in, hls::stream<ap_uint<SIMD * OUT_BITS> > &out,
             unsigned reps) {
    static_assert(OUT_BITS >= IN_BITS && OUT_BITS <= 32 &&
                      (unsigned long long)PH * PW * ((1ULL << IN_BITS) - 1) < (1ULL << OUT_BITS),
                  "OUT_BITS must hold the window's largest sum");
    static const ChannelFlags<SIMD, CHANNELS / SIMD> noFlags = {};
    PoolWindows<IN_H, IN_W, CHANNELS, PH, PW, SH, SW, SIMD, MIN_REVISIT, CodeSumOp<SIMD, IN_BITS, OUT_BITS> >(
        in, out, noFlags, reps);
}

} // namespace bnn

#endif // BNN_POOL_HPP
