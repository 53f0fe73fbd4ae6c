// Residual graphs: a stream read by two consumers (Duplicate), and the join of a long branch
// with its shortcut (JoinThresholds), both II=1.
#ifndef BNN_JOIN_HPP
#define BNN_JOIN_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_activation.hpp"
#include "bnn_lanes.hpp"
#include "bnn_threaded_csim.hpp"

namespace bnn {

// Copies every word of `in` to both outputs: one read and two writes per iteration, so it only
// moves when both consumers have room (the shortcut FIFO must absorb the long branch's lag).
template <unsigned WIDTH, unsigned WORDS>
void Duplicate(hls::stream<ap_uint<WIDTH> > &in, hls::stream<ap_uint<WIDTH> > &out0,
               hls::stream<ap_uint<WIDTH> > &out1, unsigned reps) {
    static_assert(WIDTH >= 1 && WORDS >= 1, "sizes must be positive");
    const unsigned total = reps * WORDS;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();
        const ap_uint<WIDTH> x = in.read();
        out0.write(x);
        out1.write(x);
    }
}

// Multi-level thresholds indexed by the shortcut's code (MultiThresholdActivation with one set
// per code value, like BorderMultiThresholdActivation's classes): neuron n with shortcut code k
// compares against values[n % PE][k * NF + n / PE][0..LEVELS-1]; its falling flag
// falling[n % PE][n / PE] does not depend on k (the add only shifts the decision). The caller
// partitions values along dims 1 and 3 and falling along dim 1.
template <unsigned PE, unsigned NF, unsigned CODES, unsigned LEVELS, unsigned OUT_BITS, typename T>
struct CodeIndexedThresholds {
    T values[PE][CODES * NF][LEVELS];
    bool falling[PE][NF];

    static const unsigned OUT_WIDTH = OUT_BITS;

    template <typename TMain>
    ap_uint<OUT_WIDTH> activate(unsigned nf, unsigned pe, const TMain &main, unsigned code) const {
#pragma HLS INLINE
        return LevelsReached<LEVELS, OUT_BITS>(main, falling[pe][nf], values[pe][code * NF + nf]);
    }
};

// Where ThresholdWords takes each word's shortcut codes: a join reads them from its shortcut
// stream; a requantization has none (NoShortcut) and uses code 0 in every lane.
struct NoShortcut {};

template <unsigned W>
ap_uint<W> NextShortcutWord(hls::stream<ap_uint<W> > &shortcut) {
#pragma HLS INLINE
    return shortcut.read();
}

template <unsigned W>
ap_uint<W> NextShortcutWord(NoShortcut &) {
#pragma HLS INLINE
    return 0;
}

// The loop of JoinThresholds and Requantize. Per pixel, NF = ceil(CHANNELS / PE) words on each
// input: word f lane p is channel f * PE + p. `main` carries TMain values (an Mvau's raw
// accumulators, two's complement for an ap_int, or unsigned codes), `shortcut` SHORTCUT_BITS-bit
// codes in the same lanes. Each iteration reads one word of each and writes PE output codes,
// every lane and level compared in parallel. Padding channels (PE not dividing CHANNELS) compute
// whatever their thresholds give; consumers drop them.
template <unsigned CHANNELS, unsigned PE, unsigned PIXELS, typename TMain, unsigned SHORTCUT_BITS, class Thresholds,
          class Shortcut>
void ThresholdWords(hls::stream<ap_uint<PE * TMain::width> > &main, Shortcut &shortcut,
                    hls::stream<ap_uint<PE * Thresholds::OUT_WIDTH> > &out, const Thresholds &thresholds,
                    unsigned reps) {
#pragma HLS INLINE
    static_assert(CHANNELS >= 1 && PE >= 1 && PIXELS >= 1 && SHORTCUT_BITS >= 1 && SHORTCUT_BITS <= 16,
                  "sizes must be positive, shortcut codes at most 16 bits");
    const unsigned NF = (CHANNELS + PE - 1) / PE;
    const unsigned MW = TMain::width;
    const unsigned OW = Thresholds::OUT_WIDTH;

    unsigned nf = 0;
    const unsigned total = reps * PIXELS * NF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();
        const ap_uint<PE * MW> m = main.read();
        const ap_uint<PE * SHORTCUT_BITS> s = NextShortcutWord<PE * SHORTCUT_BITS>(shortcut);
        ap_uint<PE * OW> result = 0;
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            const TMain value = GetElement<MW>(m, p);  // same width: the bits are kept
            const unsigned code = GetElement<SHORTCUT_BITS>(s, p).to_uint();
            OrElement<OW>(result, p, thresholds.activate(nf, p, value, code));
        }
        out.write(result);
        nf = (nf == NF - 1) ? 0 : nf + 1;
    }
}

// The join of a long branch (`main`) with its shortcut: see ThresholdWords.
template <unsigned CHANNELS, unsigned PE, unsigned PIXELS, typename TMain, unsigned SHORTCUT_BITS, class Thresholds>
void JoinThresholds(hls::stream<ap_uint<PE * TMain::width> > &main,
                    hls::stream<ap_uint<PE * SHORTCUT_BITS> > &shortcut,
                    hls::stream<ap_uint<PE * Thresholds::OUT_WIDTH> > &out, const Thresholds &thresholds,
                    unsigned reps) {
    ThresholdWords<CHANNELS, PE, PIXELS, TMain, SHORTCUT_BITS, Thresholds>(main, shortcut, out, thresholds, reps);
}

// A quantizer after a quantizer (no shortcut): JoinThresholds with shortcut code 0 throughout
// (thresholds of CodeIndexedThresholds<..., CODES = 1, ...>).
template <unsigned CHANNELS, unsigned PE, unsigned PIXELS, typename TMain, class Thresholds>
void Requantize(hls::stream<ap_uint<PE * TMain::width> > &main,
                hls::stream<ap_uint<PE * Thresholds::OUT_WIDTH> > &out, const Thresholds &thresholds, unsigned reps) {
    NoShortcut none;
    ThresholdWords<CHANNELS, PE, PIXELS, TMain, 1, Thresholds>(main, none, out, thresholds, reps);
}

} // namespace bnn

#endif // BNN_JOIN_HPP
