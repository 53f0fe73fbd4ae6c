// Unit tests of StreamRepack: its output against a plain lane-list model, and its per-iteration
// read/write schedule against an independent replay of the documented rule (the schedule the
// Swift cycle model assumes).
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <vector>

// Records every loop iteration of StreamRepack as (read, write) flags through the header's test
// hook. Defined before the library is included so the hook is compiled in.
namespace repacktrace {
inline std::vector<unsigned char> &log() {
    static std::vector<unsigned char> v;
    return v;
}
// A runaway loop aborts instead of hanging the test run.
inline size_t &limit() {
    static size_t n = 0;
    return n;
}
inline void iteration(bool didRead, bool didWrite) {
    log().push_back(static_cast<unsigned char>((didRead ? 1 : 0) | (didWrite ? 2 : 0)));
    if (log().size() > limit()) {
        std::fprintf(stderr, "StreamRepack ran more than %zu iterations\n", limit());
        std::abort();
    }
}
} // namespace repacktrace
#define BNN_REPACK_TRACE(didRead, didWrite) repacktrace::iteration(didRead, didWrite)

#include "test_common.hpp"

using namespace bnntest;

namespace {

// The documented schedule, replayed with lane positions (not word counters): per iteration, read
// if input words remain and at most OUT_LANES lanes are buffered, appending min(IN_LANES, lanes
// left in the input vector); then write if at least need = min(OUT_LANES, lanes left in the
// output vector) are buffered. Returns the flags of each iteration (1 = read, 2 = write), or an
// empty list with ok = false if the rule deadlocks or ends with lanes left over.
std::vector<unsigned char> scheduleModel(unsigned inLanes, unsigned inVector, unsigned outLanes,
                                         unsigned outVector, unsigned frame, unsigned reps, bool &ok) {
    const unsigned inWords = (inVector + inLanes - 1) / inLanes;
    const unsigned outWords = (outVector + outLanes - 1) / outLanes;
    const unsigned long long totalReads = 1ULL * reps * (frame / inVector) * inWords;
    const unsigned long long totalWrites = 1ULL * reps * (frame / outVector) * outWords;
    std::vector<unsigned char> flags;
    unsigned long long reads = 0, writes = 0;
    unsigned buffered = 0, inPos = 0, outPos = 0;
    ok = true;
    while (writes < totalWrites) {
        unsigned char f = 0;
        if (reads < totalReads && buffered <= outLanes) {
            const unsigned n = std::min(inLanes, inVector - inPos);
            buffered += n;
            inPos = (inPos + n == inVector) ? 0 : inPos + n;
            reads++;
            f |= 1;
        }
        const unsigned need = std::min(outLanes, outVector - outPos);
        if (buffered >= need) {
            buffered -= need;
            outPos = (outPos + need == outVector) ? 0 : outPos + need;
            writes++;
            f |= 2;
        }
        if (f == 0) {  // neither: the loop would spin forever
            ok = false;
            return std::vector<unsigned char>();
        }
        flags.push_back(f);
    }
    ok = reads == totalReads && buffered == 0;
    return flags;
}

template <unsigned LB, unsigned IN_LANES, unsigned IN_VECTOR, unsigned OUT_LANES, unsigned OUT_VECTOR,
          unsigned FRAME, unsigned PAD>
void testRepack(Reporter &rep, uint64_t seed, unsigned reps) {
    const unsigned IN_WORDS = (IN_VECTOR + IN_LANES - 1) / IN_LANES;
    const unsigned OUT_WORDS = (OUT_VECTOR + OUT_LANES - 1) / OUT_LANES;
    const bool inPadded = IN_WORDS * IN_LANES != IN_VECTOR;
    const bool outPadded = OUT_WORDS * OUT_LANES != OUT_VECTOR;
    rep.begin("StreamRepack lane=" + str(LB) + "b in " + str(IN_VECTOR) + "/" + str(IN_LANES) + " -> out " +
              str(OUT_VECTOR) + "/" + str(OUT_LANES) + " frame=" + str(FRAME) + " pad=" + str(PAD) +
              (inPadded ? (outPadded ? " (both padded)" : " (input padded)")
                        : (outPadded ? " (output padded)" : " (no padding)")) +
              " reps=" + str(reps));
    Lcg rng(seed);
    typedef ap_uint<IN_LANES * LB> InWord;
    typedef ap_uint<OUT_LANES * LB> OutWord;

    // The valid lanes of all repetitions, in stream order.
    std::vector<uint64_t> lanes(static_cast<size_t>(reps) * FRAME);
    for (size_t i = 0; i < lanes.size(); i++) lanes[i] = rng.bits(LB);

    // Input: each vector's lanes, then garbage (never PAD-like on purpose) in its last word.
    hls::stream<InWord> in("in");
    size_t next = 0;
    for (unsigned v = 0; v < reps * (FRAME / IN_VECTOR); v++)
        for (unsigned w = 0; w < IN_WORDS; w++) {
            InWord word = 0;
            for (unsigned l = 0; l < IN_LANES; l++) {
                const unsigned pos = w * IN_LANES + l;
                setField(word, l, LB, pos < IN_VECTOR ? lanes[next++] : rng.bits(LB) | 1);
            }
            in.write(word);
        }
    rep.check(next == lanes.size(), "model: input does not cover the lanes");
    addSentinel(in);

    // Expected output: each vector's lanes, then PAD up to the end of its last word.
    std::vector<OutWord> expect;
    next = 0;
    for (unsigned v = 0; v < reps * (FRAME / OUT_VECTOR); v++)
        for (unsigned w = 0; w < OUT_WORDS; w++) {
            OutWord word = 0;
            for (unsigned l = 0; l < OUT_LANES; l++) {
                const unsigned pos = w * OUT_LANES + l;
                setField(word, l, LB, pos < OUT_VECTOR ? lanes[next++] : PAD);
            }
            expect.push_back(word);
        }

    bool modelOk = false;
    const std::vector<unsigned char> schedule =
        scheduleModel(IN_LANES, IN_VECTOR, OUT_LANES, OUT_VECTOR, FRAME, reps, modelOk);
    rep.check(modelOk, "schedule model deadlocks or leaves lanes behind");

    hls::stream<OutWord> out("out");
    repacktrace::log().clear();
    repacktrace::limit() = 2 * schedule.size() + 16;
    bnn::StreamRepack<LB, IN_LANES, IN_VECTOR, OUT_LANES, OUT_VECTOR, FRAME, PAD>(in, out, reps);
    const std::vector<unsigned char> trace = repacktrace::log();

    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (size_t k = 0; k < expect.size(); k++) {
        OutWord word;
        if (!rep.check(readChecked(out, word), "too few output words (" + str(k) + ")")) break;
        if (word != expect[k]) {
            for (unsigned l = 0; l < OUT_LANES; l++) {
                const uint64_t got = field(word, l, LB), want = field(expect[k], l, LB);
                if (!rep.check(got == want, "word " + str(k) + " lane " + str(l) + ": got " + str(got) +
                                                " want " + str(want)))
                    break;
            }
        }
    }
    rep.check(out.empty(), "extra output words");

    rep.check(trace.size() == schedule.size(), "iterations: got " + str(trace.size()) + " want " +
                                                   str(schedule.size()));
    for (size_t i = 0; i < trace.size() && i < schedule.size(); i++)
        if (!rep.check(trace[i] == schedule[i], "iteration " + str(i) + ": flags " + str(trace[i]) +
                                                    " want " + str(schedule[i]) + " (1 read, 2 write)"))
            break;
    rep.end();
}

// One configuration at reps 1 and 3 (different data per call).
template <unsigned LB, unsigned IN_LANES, unsigned IN_VECTOR, unsigned OUT_LANES, unsigned OUT_VECTOR,
          unsigned FRAME, unsigned PAD>
void testRepackReps(Reporter &rep, uint64_t seed) {
    testRepack<LB, IN_LANES, IN_VECTOR, OUT_LANES, OUT_VECTOR, FRAME, PAD>(rep, seed, 1);
    testRepack<LB, IN_LANES, IN_VECTOR, OUT_LANES, OUT_VECTOR, FRAME, PAD>(rep, seed + 1000, 3);
}

} // namespace

int main() {
    Reporter rep;

    // Per-pixel strip into a padded frame-level vector: a 64-channel pixel leaves a PE=22 Mvau as
    // 3 words (2 padding lanes); the next layer reads 9 pixels (576 lanes) with SIMD=10 (58 words,
    // 4 padding lanes).
    testRepackReps<1, 22, 64, 10, 576, 576, 0>(rep, 1);
    testRepackReps<1, 22, 64, 10, 576, 1152, 1>(rep, 2);
    // 22 -> 64: input padding only.
    testRepackReps<1, 22, 64, 64, 64, 128, 0>(rep, 3);
    // 64 -> 17: output padding only (64 = 3 * 17 + 13), nonzero pad; and both sides.
    testRepackReps<1, 64, 64, 17, 64, 192, 1>(rep, 4);
    testRepackReps<1, 64, 60, 17, 60, 120, 0>(rep, 5);
    // 3 -> 4: no padding (a plain width conversion); both padded, 2-bit lanes.
    testRepackReps<2, 3, 12, 4, 12, 24, 0>(rep, 6);
    testRepackReps<2, 3, 7, 4, 7, 14, 2>(rep, 7);
    // 17 -> 5, 8-bit lanes, zero point 0x80 as PAD: both padded (40 = 2*17 + 6, 12 = 2*5 + 2);
    // output padding only; input padding only.
    testRepackReps<8, 17, 40, 5, 12, 120, 0x80>(rep, 8);
    testRepackReps<8, 17, 34, 5, 34, 34, 0x80>(rep, 9);
    testRepackReps<8, 17, 20, 5, 20, 40, 0x80>(rep, 10);
    // Equal word widths: same padded vectors (pads are rewritten), different vectors, none.
    testRepackReps<8, 4, 10, 4, 10, 20, 0x80>(rep, 11);
    testRepackReps<8, 4, 10, 4, 5, 10, 0x80>(rep, 12);
    testRepackReps<8, 4, 8, 4, 8, 16, 0x80>(rep, 13);
    // Vectors shorter than a word, on either side.
    testRepackReps<8, 16, 10, 4, 30, 30, 0x80>(rep, 14);
    testRepackReps<1, 1, 3, 64, 9, 9, 1>(rep, 15);
    testRepackReps<8, 17, 17, 3, 1, 17, 0x80>(rep, 16);
    testRepackReps<2, 4, 1, 3, 5, 5, 0>(rep, 17);
    // 2-bit (masked) lanes into a padded Mvau vector: 27 = 3 * 9 lanes in, SIMD=4 out (7 words).
    testRepackReps<2, 9, 27, 4, 27, 54, 0>(rep, 18);
    // Extreme ratios.
    testRepackReps<1, 64, 64, 1, 64, 64, 0>(rep, 19);
    testRepackReps<1, 1, 64, 64, 64, 64, 0>(rep, 20);
    testRepackReps<8, 64, 100, 17, 50, 100, 0x80>(rep, 21);
    testRepackReps<1, 5, 9, 22, 45, 45, 1>(rep, 22);
    // reps = 0: nothing read or written.
    testRepack<1, 22, 64, 10, 576, 576, 0>(rep, 23, 0);

    return rep.finish();
}
