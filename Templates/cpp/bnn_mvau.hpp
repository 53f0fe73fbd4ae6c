// Streaming matrix-vector-activation unit (binary or integer weights), folded FINN-style:
// PE neurons in parallel, SIMD input elements per neuron per cycle.
#ifndef BNN_MVAU_HPP
#define BNN_MVAU_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"
#include "bnn_activation.hpp"
#include "bnn_rom.hpp"

namespace bnn {

// One repetition consumes an MW-element input vector as SF = ceil(MW/SIMD) words and produces
// NF * PE outputs as NF = ceil(MH/PE) words (word f, element p = neuron f*PE + p). Weights for PE p
// at fold (nf, sf) are weights.words[p][nf * SF + sf]: a BinaryWeights or IntegerWeights ROM
// (bnn_rom.hpp), whose WEIGHT_BITS per lane the Lane's contribution receives. The caller
// partitions weights.words (and activation ROMs) along dim 1 so the PE lanes read in parallel.
// That pragma is not repeated here: Vitis HLS (UG1399) wants ARRAY_PARTITION in the function where
// the array is defined, and the ROMs are globals named by the top function; here they are only
// reference parameters.
//
// Padding (SIMD need not divide MW, PE need not divide MH) needs no logic here: the unit computes
// SF * SIMD columns and NF * PE neurons. Lanes >= MW of a vector's last input word are padding
// that the upstream repack stage (bnn_repack.hpp) fills with the lane's neutral value, and the
// compiler stores weight bit 1 (integer weight 0) in padding columns, so every padding lane adds
// exactly 0:
//   XnorLane              pad 0, weight 1: the bits differ, so the XNOR popcount skips it;
//   MaskedXnorLane        pad 00: not valid, adds 0 whatever the weight;
//   IntegerLane<B,S,ZP>   pad ZP: q - ZP = 0, adds 0 (ZP must be representable in B bits);
//   CodeLane<B>           pad code 0: adds w * 0.
// Neurons >= MH (padding rows, in the last word of each vector) are computed from whatever the
// ROMs hold there and go out anyway; consumers drop them. Activation ROMs have NF columns too.
// Each repetition is one output vector (a pixel of a convolution); activations whose thresholds
// depend on the pixel (BorderThresholdActivation) follow it through their Position.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, class Lane, typename TAcc,
          class Activation, class Weights>
void Mvau(hls::stream<ap_uint<SIMD * Lane::WIDTH> > &in,
          hls::stream<ap_uint<PE * Activation::OUT_WIDTH> > &out, const Weights &weights,
          const Activation &activation, unsigned reps) {
    static_assert(SIMD >= 1 && PE >= 1, "SIMD and PE must be positive");
    static_assert(MW >= 1 && MH >= 1, "MW and MH must be positive");

    const unsigned SF = (MW + SIMD - 1) / SIMD;  // input words per vector (synapse folds)
    const unsigned NF = (MH + PE - 1) / PE;      // output words per vector (neuron folds)
    static_assert(Weights::LANES == SIMD && Weights::BANKS == PE && Weights::WORDS == NF * SF,
                  "the weight ROM's shape must be SIMD lanes, PE banks of NF * SF words");
    const unsigned WB = Weights::WEIGHT_BITS;
    const unsigned LW = Lane::WIDTH;
    const unsigned OW = Activation::OUT_WIDTH;
    typedef ap_uint<SIMD * LW> InWord;

    // The input vector is read once (during neuron fold 0) and replayed for later folds.
    InWord inputBuffer[SF];
    TAcc acc[PE];
#pragma HLS ARRAY_PARTITION variable=acc complete dim=1
    for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
        acc[p] = TAcc(0);  // ap types are not zero by default
    }

    typename Activation::Position position;
    unsigned sf = 0;
    unsigned nf = 0;
    const unsigned total = reps * NF * SF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        InWord x;
        if (nf == 0) {
            x = in.read();
            inputBuffer[sf] = x;
        } else {
            x = inputBuffer[sf];
        }

        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            const ap_uint<SIMD * WB> w = weights.words[p][nf * SF + sf];
            TAcc sum = (sf == 0) ? TAcc(0) : acc[p];
            for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
                const ap_uint<LW> lane = GetElement<LW>(x, s);
                sum += Lane::template contribution<TAcc>(GetElement<WB>(w, s), lane);
            }
            acc[p] = sum;
        }

        if (sf == SF - 1) {
            ap_uint<PE * OW> result = 0;
            for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
                OrElement<OW>(result, p, activation.activate(nf, p, acc[p], position));
            }
            out.write(result);
            if (nf == NF - 1) position.next();
            sf = 0;
            nf = (nf == NF - 1) ? 0 : nf + 1;
        } else {
            sf++;
        }
    }
}

} // namespace bnn

#endif // BNN_MVAU_HPP
