// Class selection at the end of the network: plain argmax over accumulators, or argmax over
// an affine/batch-norm mapping of them computed in double (to match a float reference).
#ifndef BNN_ARGMAX_HPP
#define BNN_ARGMAX_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_lanes.hpp"

namespace bnn {

// Element p of a stream word (PE elements of W bits) as a TAcc with the same bits.
template <typename TAcc, unsigned PE>
TAcc ExtractElement(const ap_uint<PE * TAcc::width> &word, unsigned p) {
#pragma HLS INLINE
    // Same-width conversion from ap_uint keeps the bits (two's complement for ap_int).
    return TAcc(GetElement<TAcc::width>(word, p));
}

// Reads NF = ceil(CLASSES/PE) words per repetition (element p of word f = class f*PE + p) and
// writes the index of the largest value; on ties the lowest index wins (only strictly greater
// replaces). Lanes with f*PE + p >= CLASSES are a padded Mvau's padding neurons and are ignored.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned INDEX_WIDTH>
void ArgMax(hls::stream<ap_uint<PE * TAcc::width> > &in, hls::stream<ap_uint<INDEX_WIDTH> > &out,
            unsigned reps) {
    static_assert(CLASSES >= 1 && PE >= 1, "CLASSES and PE must be positive");
    static_assert(INDEX_WIDTH >= 1 && (INDEX_WIDTH >= 32 || ((CLASSES - 1) >> INDEX_WIDTH) == 0),
                  "INDEX_WIDTH too small for CLASSES");

    const unsigned NF = (CLASSES + PE - 1) / PE;
    TAcc best = 0;
    ap_uint<INDEX_WIDTH> bestIndex = 0;
    unsigned f = 0;
    const unsigned total = reps * NF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        const ap_uint<PE * TAcc::width> word = in.read();
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            const unsigned c = f * PE + p;
            const TAcc v = ExtractElement<TAcc, PE>(word, p);
            if (c < CLASSES && (c == 0 || v > best)) {
                best = v;
                bestIndex = c;
            }
        }
        if (f == NF - 1) {
            out.write(bestIndex);
            f = 0;
        } else {
            f++;
        }
    }
}

// Maps an accumulator to the reference model's logit. Aggregate, initialized in field order.
struct LogitMap {
    int accScale;
    int accOffset;
    double inputScale;
    double alpha;
    double bias;
    bool batchnorm;
    double mean;
    double gamma;
    double stddev;
    double beta;
};

// One IEEE double rounding per step, in this order, so results match the reference bit for bit.
// Compile with -ffp-contract=off where the target has fused multiply-add.
template <typename TAcc>
double Logit(const TAcc &acc, const LogitMap &m) {
    const long long value = static_cast<long long>(acc);  // true (signed/unsigned) value
    const long long a = (long long)m.accScale * value + m.accOffset;
    const double s = m.inputScale * (double)a;
    const double t = s * m.alpha;
    double y = t + m.bias;
    if (m.batchnorm) {
        const double d = y - m.mean;
        const double n = m.gamma * d;
        const double q = n / m.stddev;
        y = q + m.beta;
    }
    return y;
}

// Argmax over Logit(acc_c, maps[c]); lowest index wins ties. Same words as ArgMax: padding lanes
// (class >= CLASSES) are ignored, and maps holds the CLASSES real classes only.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned INDEX_WIDTH>
void LogitArgMax(hls::stream<ap_uint<PE * TAcc::width> > &in,
                 hls::stream<ap_uint<INDEX_WIDTH> > &out, const LogitMap maps[CLASSES],
                 unsigned reps) {
    static_assert(CLASSES >= 1 && PE >= 1, "CLASSES and PE must be positive");
    static_assert(INDEX_WIDTH >= 1 && (INDEX_WIDTH >= 32 || ((CLASSES - 1) >> INDEX_WIDTH) == 0),
                  "INDEX_WIDTH too small for CLASSES");

    const unsigned NF = (CLASSES + PE - 1) / PE;
    double best = 0.0;
    ap_uint<INDEX_WIDTH> bestIndex = 0;
    unsigned f = 0;
    const unsigned total = reps * NF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE
        const ap_uint<PE * TAcc::width> word = in.read();
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            const unsigned c = f * PE + p;
            if (c < CLASSES) {  // padding lanes have no map: never read past maps[CLASSES - 1]
                const TAcc v = ExtractElement<TAcc, PE>(word, p);
                const double y = Logit(v, maps[c]);
                if (c == 0 || y > best) {
                    best = y;
                    bestIndex = c;
                }
            }
        }
        if (f == NF - 1) {
            out.write(bestIndex);
            f = 0;
        } else {
            f++;
        }
    }
}

} // namespace bnn

#endif // BNN_ARGMAX_HPP
