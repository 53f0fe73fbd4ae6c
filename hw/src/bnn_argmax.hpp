// Class selection at the end of the network: plain argmax over accumulators, or argmax over
// an affine/batch-norm mapping of them computed in double (to match a float reference).
#ifndef BNN_ARGMAX_HPP
#define BNN_ARGMAX_HPP

#include <ap_int.h>
#include <hls_stream.h>

#include "bnn_threaded_csim.hpp"

#include "bnn_lanes.hpp"
#include "bnn_rom.hpp"

namespace bnn {

// Element p of a stream word (PE elements of W bits) as a TAcc with the same bits.
template <typename TAcc, unsigned PE>
TAcc ExtractElement(const ap_uint<PE * TAcc::width> &word, unsigned p) {
#pragma HLS INLINE
    // Same-width conversion from ap_uint keeps the bits (two's complement for ap_int).
    return TAcc(GetElement<TAcc::width>(word, p));
}

// The last step of a logit map: none for a LogitMap, the shift for a ShiftedLogitMap.
inline double LogitShift(double y, const LogitMap &) { return y; }
inline double LogitShift(double y, const ShiftedLogitMap &m) { return m.shifted ? y + m.shift : y; }
inline double LogitShift(double y, const DividedLogitMap &m) { return LogitShift(y, m.shifted); }
// The division right after the scale: only a DividedLogitMap has one.
inline double LogitDivide(double s, const LogitMap &) { return s; }
inline double LogitDivide(double s, const ShiftedLogitMap &) { return s; }
inline double LogitDivide(double s, const DividedLogitMap &m) { return s / m.divisor; }

// One IEEE double rounding per step, in this order, so results match the reference bit for bit.
// Compile with -ffp-contract=off where the target has fused multiply-add. Map: LogitMap,
// ShiftedLogitMap or DividedLogitMap (bnn_rom.hpp).
template <typename TAcc, class Map>
double Logit(const TAcc &acc, const Map &map) {
    const LogitMap &m = PlainLogitMap(map);
    const long long value = static_cast<long long>(acc);  // true (signed/unsigned) value
    const long long a = (long long)m.accScale * value + m.accOffset;
    const double s = LogitDivide(m.inputScale * (double)a, map);
    const double t = s * m.alpha;
    double y = t + m.bias;
    if (m.batchnorm) {
        const double d = y - m.mean;
        const double n = m.gamma * d;
        const double q = n / m.stddev;
        y = q + m.beta;
    }
    return LogitShift(y, map);
}

// What an arg-max compares for class c: the accumulator itself (AccumulatorScore) or its logit
// (LogitScore, one map per real class).
template <typename TAcc>
struct AccumulatorScore {
    typedef TAcc type;
    type operator()(const TAcc &acc, unsigned) const {
#pragma HLS INLINE
        return acc;
    }
};

template <class Map>
struct LogitScore {
    typedef double type;
    const Map *maps;
    template <typename TAcc>
    type operator()(const TAcc &acc, unsigned c) const {
#pragma HLS INLINE
        return Logit(acc, maps[c]);
    }
};

// The arg-max skeleton both functions below share: one call consumes one stream word. The words
// come NF = ceil(CLASSES/PE) per repetition (element p of word f = class f*PE + p); after the
// last the index of the largest score goes out, the lowest index winning ties (only strictly
// greater replaces). Lanes with f*PE + p >= CLASSES are a padded Mvau's padding neurons and are
// never scored. The caller owns the loop and its PIPELINE pragma.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned INDEX_WIDTH, class Score>
struct ArgMaxScan {
    static_assert(CLASSES >= 1 && PE >= 1, "CLASSES and PE must be positive");
    static_assert(INDEX_WIDTH >= 1 && (INDEX_WIDTH >= 32 || ((CLASSES - 1) >> INDEX_WIDTH) == 0),
                  "INDEX_WIDTH too small for CLASSES");
    static const unsigned NF = (CLASSES + PE - 1) / PE;

    Score score;
    typename Score::type best;
    ap_uint<INDEX_WIDTH> bestIndex;
    unsigned f;

    explicit ArgMaxScan(const Score &s) : score(s), best(0), bestIndex(0), f(0) {}

    void step(hls::stream<ap_uint<PE * TAcc::width> > &in, hls::stream<ap_uint<INDEX_WIDTH> > &out) {
#pragma HLS INLINE
        const ap_uint<PE * TAcc::width> word = in.read();
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            const unsigned c = f * PE + p;
            if (c < CLASSES) {
                const typename Score::type v = score(ExtractElement<TAcc, PE>(word, p), c);
                if (c == 0 || v > best) {
                    best = v;
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
};

// Argmax over the accumulators: integer compares, one word per cycle.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned INDEX_WIDTH>
void ArgMax(hls::stream<ap_uint<PE * TAcc::width> > &in, hls::stream<ap_uint<INDEX_WIDTH> > &out,
            unsigned reps) {
    ArgMaxScan<CLASSES, PE, TAcc, INDEX_WIDTH, AccumulatorScore<TAcc> > scan((AccumulatorScore<TAcc>()));
    const unsigned total = reps * scan.NF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE II=1
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        scan.step(in, out);
    }
}

// Argmax over Logit(acc_c, maps[c]) (LogitMap or ShiftedLogitMap); maps holds the CLASSES
// real classes only. The double
// arithmetic sets its own II: the pipeline requests none.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned INDEX_WIDTH, class Map>
void LogitArgMax(hls::stream<ap_uint<PE * TAcc::width> > &in,
                 hls::stream<ap_uint<INDEX_WIDTH> > &out, const Map maps[CLASSES],
                 unsigned reps) {
    const LogitScore<Map> score = {maps};
    ArgMaxScan<CLASSES, PE, TAcc, INDEX_WIDTH, LogitScore<Map> > scan(score);
    const unsigned total = reps * scan.NF;
    for (unsigned i = 0; i < total; i++) {
#pragma HLS PIPELINE
        BNN_CSIM_TICK();  // threaded C-sim: one cycle per iteration
        scan.step(in, out);
    }
}

} // namespace bnn

#endif // BNN_ARGMAX_HPP
