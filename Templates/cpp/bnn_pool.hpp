// Max-pooling of binary feature maps (HWC streams, channels fastest), no padding, floor mode.
#ifndef BNN_POOL_HPP
#define BNN_POOL_HPP

#include <ap_int.h>
#include <hls_stream.h>

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

// Per repetition: reads an IN_H x IN_W x CHANNELS binary image (IN_H * IN_W * CHANNELS / SIMD
// words) and writes OUT_H * OUT_W * CHANNELS / SIMD words, OUT_H = (IN_H - PH) / SH + 1 and
// OUT_W = (IN_W - PW) / SW + 1: for each output pixel (row-major) and channel the OR of the
// PH x PW window's bits, or their AND for channels flagged in andChannels (where the compiler has
// turned a max into a min). Rows and columns beyond the last window are read and dropped.
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
          unsigned SW, unsigned SIMD, unsigned MIN_REVISIT>
void MaxPoolBinary(hls::stream<ap_uint<SIMD> > &in, hls::stream<ap_uint<SIMD> > &out,
                   const ChannelFlags<SIMD, CHANNELS / SIMD> &andChannels, unsigned reps) {
    static_assert(IN_H >= 1 && IN_W >= 1 && CHANNELS >= 1, "the image must not be empty");
    static_assert(PH >= 1 && PW >= 1 && SH >= 1 && SW >= 1, "pool and strides must be positive");
    static_assert(SIMD >= 1, "SIMD must be positive");
    static_assert(MIN_REVISIT >= 1, "MIN_REVISIT must be positive");
    static_assert(CHANNELS % SIMD == 0, "CHANNELS must be a multiple of SIMD");
    static_assert(PH <= IN_H && PW <= IN_W, "pool window larger than the input");

    typedef ap_uint<SIMD> Word;
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
        if (t < ROW_READS) {
            const Word x = in.read();
            const Word andMask = andChannels.bits[cf];

            // Horizontal step.
            bool columnDone = false;
            Word columnValue = 0;
            unsigned columnOut = 0;
            for (unsigned j = 0; j < NC; j++) {
#pragma HLS UNROLL
                const Word head = colAcc[j][0];
                Word next = head;
                if (colPos[j] >= 0 && colPos[j] < static_cast<int>(PW)) {
                    next = (colPos[j] == 0) ? x : PoolCombine<SIMD>(head, x, andMask);
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
                                           : PoolCombine<SIMD>(rowAcc[r][addr], columnValue, andMask);
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

} // namespace bnn

#endif // BNN_POOL_HPP
