// Unit tests of StreamWidthConverter, Binarize, ArgMax, ArgMaxScan, Logit/LogitArgMax, and a small
// generated-style top function that uses the exact spellings the code generator emits.

#include "test_common.hpp"

using namespace bnntest;

namespace {

// ---------------------------------------------------------------- StreamWidthConverter
template <unsigned IN_W, unsigned OUT_W, unsigned IN_WORDS>
void testWidth(Reporter &rep, uint64_t seed, unsigned reps) {
    rep.begin("StreamWidthConverter " + str(IN_W) + "->" + str(OUT_W) + " IN_WORDS=" + str(IN_WORDS) +
              " reps=" + str(reps));
    Lcg rng(seed);
    const unsigned OUT_WORDS = IN_WORDS * IN_W / OUT_W;
    std::vector<int> bits;  // the whole stream, LSB of word 0 first
    hls::stream<ap_uint<IN_W> > in("in");
    hls::stream<ap_uint<OUT_W> > out("out");
    for (unsigned k = 0; k < reps * IN_WORDS; k++) {
        ap_uint<IN_W> word = 0;
        for (unsigned b = 0; b < IN_W; b++) {
            const int bit = rng.below(2);
            word[b] = bit;
            bits.push_back(bit);
        }
        in.write(word);
    }
    addSentinel(in);
    bnn::StreamWidthConverter<IN_W, OUT_W, IN_WORDS>(in, out, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned k = 0; k < reps * OUT_WORDS; k++) {
        ap_uint<OUT_W> word;
        if (!rep.check(readChecked(out, word), "too few output words (" + str(k) + ")")) break;
        for (unsigned b = 0; b < OUT_W; b++)
            if (!rep.check(static_cast<int>(word[b]) == bits[k * OUT_W + b],
                           "word " + str(k) + " bit " + str(b)))
                break;
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

// ---------------------------------------------------------------- Binarize
struct BipolarModel {
    typedef bnn::BipolarValue Value;
    static const unsigned BITS = 1;
    static long long value(uint64_t x) { return x ? 1 : -1; }
};

template <unsigned B, bool S>
struct IntegerValueModel {
    typedef bnn::IntegerValue<B, S> Value;
    static const unsigned BITS = B;
    static long long value(uint64_t x) {
        long long q = static_cast<long long>(x);
        if (S && ((x >> (B - 1)) & 1)) q -= (1LL << B);
        return q;
    }
};

// reps frames of PIXELS pixels: channels restart at every pixel and frame.
template <unsigned SIMD, unsigned CHANNELS, unsigned PIXELS, class Model, typename TThr>
void testBinarize(Reporter &rep, const char *name, uint64_t seed, unsigned reps, long long thrLo,
                  long long thrHi) {
    rep.begin(std::string(name) + " PIXELS=" + str(PIXELS) + " reps=" + str(reps));
    Lcg rng(seed);
    const unsigned CF = CHANNELS / SIMD;
    const unsigned numWords = reps * PIXELS * CF;
    const unsigned B = Model::BITS;
    bnn::ChannelThresholds<SIMD, CF, TThr> thr;
    std::vector<long long> t(CHANNELS);
    for (unsigned ch = 0; ch < CHANNELS; ch++) {
        t[ch] = rng.range(thrLo, thrHi);
        thr.values[ch % SIMD][ch / SIMD] = TThr(t[ch]);
    }
    hls::stream<ap_uint<SIMD * B> > in("in");
    hls::stream<ap_uint<SIMD> > out("out");
    std::vector<int> expect;
    for (unsigned w = 0; w < numWords; w++) {
        ap_uint<SIMD * B> word = 0;
        for (unsigned i = 0; i < SIMD; i++) {
            const uint64_t x = rng.bits(B);
            setField(word, i, B, x);
            const unsigned ch = (w * SIMD + i) % CHANNELS;
            expect.push_back(Model::value(x) >= t[ch] ? 1 : 0);
        }
        in.write(word);
    }
    addSentinel(in);
    bnn::Binarize<SIMD, CHANNELS, PIXELS, typename Model::Value, TThr>(in, out, thr, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned w = 0; w < numWords; w++) {
        ap_uint<SIMD> word;
        if (!rep.check(readChecked(out, word), "too few output words")) break;
        for (unsigned i = 0; i < SIMD; i++)
            rep.check(static_cast<int>(word[i]) == expect[w * SIMD + i],
                      "word " + str(w) + " lane " + str(i));
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

// ---------------------------------------------------------------- ArgMax
// The largest value of TAcc, as raw bits: what the padding lanes of a padded last Mvau carry in
// these tests (the worst case: larger than every real class).
template <typename TAcc>
uint64_t maxRaw() {
    const unsigned W = TAcc::width;
    const bool sgn = TAcc(-1) < TAcc(0);
    return (1ULL << (sgn ? W - 1 : W)) - 1;
}

// One repetition's class accumulators v as the last Mvau writes them: NF = ceil(CLASSES / PE)
// words of PE lanes, lanes past CLASSES holding maxRaw.
template <unsigned CLASSES, unsigned PE, typename TAcc>
void writeClassWords(hls::stream<ap_uint<PE * TAcc::width> > &in, const std::vector<long long> &v) {
    const unsigned W = TAcc::width;
    const unsigned NF = (CLASSES + PE - 1) / PE;
    for (unsigned f = 0; f < NF; f++) {
        ap_uint<PE * W> word = 0;
        for (unsigned p = 0; p < PE; p++) {
            const unsigned c = f * PE + p;
            setField(word, p, W, c < CLASSES ? static_cast<uint64_t>(v[c]) : maxRaw<TAcc>());
        }
        in.write(word);
    }
}

// The class indices out carries: one per repetition, expect[k], and no more.
template <int IW>
void checkIndices(Reporter &rep, hls::stream<ap_uint<IW> > &out, const std::vector<unsigned> &expect,
                  unsigned reps) {
    for (unsigned k = 0; k < reps; k++) {
        ap_uint<IW> idx;
        if (!rep.check(readChecked(out, idx), "too few outputs")) break;
        rep.check(idx.to_uint() == expect[k],
                  "rep " + str(k) + ": got " + str(idx.to_uint()) + " want " + str(expect[k]));
    }
    rep.check(out.empty(), "extra outputs");
}

// Lanes past CLASSES hold maxRaw and must be ignored.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned IW>
void testArgMax(Reporter &rep, const char *name, uint64_t seed, unsigned reps, long long lo, long long hi) {
    rep.begin(name);
    Lcg rng(seed);
    const unsigned W = TAcc::width;
    const unsigned NF = (CLASSES + PE - 1) / PE;
    if (NF * PE > CLASSES)
        rep.check(hi < static_cast<long long>(maxRaw<TAcc>()), "padding must exceed the real values");
    hls::stream<ap_uint<PE * W> > in("in");
    hls::stream<ap_uint<IW> > out("out");
    std::vector<unsigned> expect;
    unsigned ties = 0;
    for (unsigned k = 0; k < reps; k++) {
        std::vector<long long> v(CLASSES);
        for (unsigned c = 0; c < CLASSES; c++) v[c] = rng.range(lo, hi);  // narrow range: many ties
        unsigned best = 0;
        for (unsigned c = 1; c < CLASSES; c++)
            if (v[c] > v[best]) best = c;
        for (unsigned c = best + 1; c < CLASSES; c++) ties += v[c] == v[best];
        expect.push_back(best);
        writeClassWords<CLASSES, PE, TAcc>(in, v);
    }
    rep.check(ties > 0, "test data has no ties");
    addSentinel(in);
    bnn::ArgMax<CLASSES, PE, TAcc, IW>(in, out, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    checkIndices(rep, out, expect, reps);
    rep.end();
}

// ---------------------------------------------------------------- Logit / LogitArgMax
double randomDouble(Lcg &rng) {
    // Awkward mantissas so that rounding matters.
    return (static_cast<double>(rng.next()) / 4294967296.0 - 0.5) * 3.7 + 1e-3 * rng.below(7);
}

void testLogitScalar(Reporter &rep) {
    rep.begin("Logit example map, ap_int/ap_uint/int accumulators, bit-exact");
    const bnn::LogitMap m = {2, -256, 1.0, 1.0, 0.0, true, 0.5, -1.25, 1.0000049999875, 0.1};
    for (int v = -300; v <= 300; v++) {
        const double want = naiveLogit(v, m);
        rep.check(sameBits(bnn::Logit(ap_int<10>(v), m), want), "ap_int<10> " + str(v));
        rep.check(sameBits(bnn::Logit(v, m), want), "int " + str(v));
        if (v >= 0) rep.check(sameBits(bnn::Logit(ap_uint<9>(v), m), want), "ap_uint<9> " + str(v));
    }
    // ap_uint whose top bit is set must stay positive.
    rep.check(sameBits(bnn::Logit(ap_uint<8>(200), m), naiveLogit(200, m)), "ap_uint<8>(200)");
    Lcg rng(77);
    for (unsigned trial = 0; trial < 2000; trial++) {
        bnn::LogitMap r = {static_cast<int>(rng.range(-5, 5)), static_cast<int>(rng.range(-1000, 1000)),
                           randomDouble(rng), randomDouble(rng), randomDouble(rng), rng.below(2) == 1,
                           randomDouble(rng), randomDouble(rng), 0.5 + rng.below(1000) / 997.0,
                           randomDouble(rng)};
        const long long v = rng.range(-2048, 2047);
        rep.check(sameBits(bnn::Logit(ap_int<12>(v), r), naiveLogit(v, r)), "random map trial " + str(trial));
    }
    rep.end();
}

// Padding lanes (class >= CLASSES) carry maxRaw; maps has CLASSES real entries followed by PE
// poison entries (a huge bias) that win if the unit ever reads a map for a padding lane.
template <unsigned CLASSES, unsigned PE, typename TAcc, unsigned IW>
void testLogitArgMax(Reporter &rep, const char *name, uint64_t seed, unsigned reps) {
    rep.begin(name);
    Lcg rng(seed);
    const unsigned W = TAcc::width;
    bnn::LogitMap maps[CLASSES + PE];
    for (unsigned c = CLASSES; c < CLASSES + PE; c++) {
        const bnn::LogitMap poison = {1, 0, 1.0, 1.0, 1e300, false, 0.0, 1.0, 1.0, 0.0};
        maps[c] = poison;
    }
    for (unsigned c = 0; c < CLASSES; c++) {
        bnn::LogitMap m = {static_cast<int>(rng.range(1, 3)), static_cast<int>(rng.range(-20, 20)),
                           randomDouble(rng), randomDouble(rng), randomDouble(rng), rng.below(2) == 1,
                           randomDouble(rng), randomDouble(rng), 0.5 + rng.below(100) / 97.0,
                           randomDouble(rng)};
        maps[c] = m;
    }
    // Identical maps on some classes, so equal accumulators give exactly equal logits.
    maps[CLASSES - 1] = maps[0];
    if (CLASSES > 3) maps[2] = maps[1];
    const bool sgn = TAcc(-1) < TAcc(0);
    const long long lo = sgn ? -(1LL << (W - 1)) : 0;
    const long long hi = sgn ? (1LL << (W - 1)) - 1 : (1LL << W) - 1;
    hls::stream<ap_uint<PE * W> > in("in");
    hls::stream<ap_uint<IW> > out("out");
    std::vector<unsigned> expect;
    unsigned ties = 0;
    for (unsigned k = 0; k < reps; k++) {
        std::vector<long long> v(CLASSES);
        for (unsigned c = 0; c < CLASSES; c++) v[c] = rng.range(lo, hi);
        if (k % 2 == 0) v[CLASSES - 1] = v[0];
        if (k % 3 == 0 && CLASSES > 3) v[2] = v[1];
        unsigned best = 0;
        double bestY = naiveLogit(v[0], maps[0]);
        for (unsigned c = 1; c < CLASSES; c++) {
            const double y = naiveLogit(v[c], maps[c]);
            if (y > bestY) {
                bestY = y;
                best = c;
            }
        }
        for (unsigned c = best + 1; c < CLASSES; c++) ties += sameBits(naiveLogit(v[c], maps[c]), bestY);
        expect.push_back(best);
        writeClassWords<CLASSES, PE, TAcc>(in, v);
    }
    rep.check(ties > 0, "test data has no ties");
    addSentinel(in);
    bnn::LogitArgMax<CLASSES, PE, TAcc, IW>(in, out, maps, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    checkIndices(rep, out, expect, reps);
    rep.end();
}

// ---------------------------------------------------------------- ArgMaxScan with its own score
// The skeleton ArgMax and LogitArgMax share, driven directly with a third score (the negated
// value, so the smallest accumulator wins): scores are what the scan compares, padding lanes are
// never scored, ties keep the lowest class, and one index leaves per NF words.
template <typename TAcc>
struct NegatedScore {
    typedef long long type;
    unsigned *scored;  // lanes scored, to see padding skipped
    type operator()(const TAcc &acc, unsigned) const {
        (*scored)++;
        return -static_cast<long long>(acc);
    }
};

void testArgMaxScanScore(Reporter &rep) {
    rep.begin("ArgMaxScan with a custom score: argmin, ties low, padding never scored");
    typedef ap_int<6> TAcc;
    const unsigned CLASSES = 5, PE = 2, NF = 3;  // last word: one real lane, one padding lane
    unsigned scored = 0;
    const NegatedScore<TAcc> score = {&scored};
    bnn::ArgMaxScan<CLASSES, PE, TAcc, 3, NegatedScore<TAcc> > scan(score);
    rep.check(scan.NF == NF, "NF");
    // Frame 1: minimum -7 at classes 2 and 4 (tie: 2). Frame 2: minimum 0 at class 0 only;
    // the padding lane holds -32, smaller than every real class, and must be ignored.
    const long long frames[2][CLASSES + 1] = {{3, 5, -7, 0, -7, -32}, {0, 9, 4, 1, 2, -32}};
    const unsigned expect[2] = {2, 0};
    hls::stream<ap_uint<PE * 6> > in("in");
    hls::stream<ap_uint<3> > out("out");
    for (unsigned k = 0; k < 2; k++) {
        for (unsigned f = 0; f < NF; f++) {
            ap_uint<PE * 6> word = 0;
            for (unsigned p = 0; p < PE; p++) setField(word, p, 6, static_cast<uint64_t>(frames[k][f * PE + p]));
            in.write(word);
        }
        for (unsigned f = 0; f < NF; f++) {
            rep.check(out.empty(), "index written before the frame's last word");
            scan.step(in, out);
        }
        ap_uint<3> idx;
        if (!rep.check(readChecked(out, idx), "no index after a frame")) break;
        rep.check(idx.to_uint() == expect[k], "frame " + str(k) + ": got " + str(idx.to_uint()) + " want " + str(expect[k]));
    }
    rep.check(scored == 2 * CLASSES, "scored " + str(scored) + " lanes, want " + str(2 * CLASSES));
    rep.check(out.empty(), "extra outputs");
    rep.end();
}

// ---------------------------------------------------------------- generated-style top
// Spelled like the generator's output: static const aggregate ROMs with brace initializers,
// partition pragmas in the top, a PassThroughActivation temporary. 8 binary inputs -> 4 hidden
// (threshold) -> 2 outputs (pass-through) -> argmax.
static const bnn::BinaryWeights<4, 2, 4> t_layer0_weights = {{
    {0x5, 0xa, 0xf, 0x0},
    {0x3, 0xc, 0x9, 0x6},
}};
static const bnn::ThresholdActivation<2, 2, ap_uint<4> > t_layer0_thresholds = {{
    {ap_uint<4>(4), ap_uint<4>(5)},
    {ap_uint<4>(3), ap_uint<4>(6)},
}};
static const bnn::BinaryWeights<2, 1, 4> t_layer1_weights = {{
    {0x1, 0x3, 0x2, 0x0},
}};
static const bnn::BinaryWeights<70, 1, 1> t_wide_weights = {{
    {ap_uint<70>("0x3ffabc0123456789a", 16)},
}};

void t_top(hls::stream<ap_uint<8> > &in, hls::stream<ap_uint<2> > &out, unsigned reps) {
#pragma HLS DATAFLOW
#pragma HLS ARRAY_PARTITION variable=t_layer0_weights.words complete dim=1
#pragma HLS ARRAY_PARTITION variable=t_layer0_thresholds.values complete dim=1
#pragma HLS ARRAY_PARTITION variable=t_layer1_weights.words complete dim=1
    hls::stream<ap_uint<4> > s0("s0");
    hls::stream<ap_uint<2> > s1("s1");
    hls::stream<ap_uint<2> > s2("s2");
    hls::stream<ap_uint<5> > s3("s3");
#pragma HLS STREAM variable=s0 depth=2
    bnn::StreamWidthConverter<8, 4, 1>(in, s0, reps);
    bnn::Mvau<8, 4, 4, 2, bnn::XnorLane, ap_uint<4>, bnn::ThresholdActivation<2, 2, ap_uint<4> > >(
        s0, s1, t_layer0_weights, t_layer0_thresholds, reps);
    bnn::StreamWidthConverter<2, 2, 2>(s1, s2, reps);
    bnn::Mvau<4, 2, 2, 1, bnn::XnorLane, ap_int<5>, bnn::PassThroughActivation<ap_int<5> > >(
        s2, s3, t_layer1_weights, bnn::PassThroughActivation<ap_int<5> >(), reps);
    bnn::ArgMax<2, 1, ap_int<5>, 2>(s3, out, reps);
}

int weightBit(const ap_uint<4> &w, unsigned i) { return w[i]; }

void testGeneratedStyle(Reporter &rep) {
    rep.begin("generated-style top (aggregate ROMs, SWC -> Mvau -> Mvau -> ArgMax)");
    // Wide literal spelled as the generator does.
    ap_uint<70> wide = 0;
    const uint64_t low = 0xabc0123456789aULL;  // low 56 bits
    for (unsigned b = 0; b < 56; b++) wide[b] = (low >> b) & 1;
    for (unsigned b = 56; b < 66; b++) wide[b] = 1;  // 0x3ff above them
    rep.check(t_wide_weights.words[0][0] == wide, "wide initializer parsed as " +
                                                      t_wide_weights.words[0][0].to_string(16));
    hls::stream<ap_uint<8> > in("in");
    hls::stream<ap_uint<2> > out("out");
    const unsigned reps = 256;
    for (unsigned v = 0; v < reps; v++) in.write(ap_uint<8>(v));
    addSentinel(in);
    t_top(in, out, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned v = 0; v < reps; v++) {
        // Layer 0: neuron r = nf*2 + p, column c -> words[p][nf*2 + c/4] bit c%4.
        int hidden[4];
        for (unsigned r = 0; r < 4; r++) {
            int acc = 0;
            for (unsigned c = 0; c < 8; c++) {
                const int w = weightBit(t_layer0_weights.words[r % 2][(r / 2) * 2 + c / 4], c % 4);
                acc += w == static_cast<int>((v >> c) & 1);
            }
            hidden[r] = acc >= t_layer0_thresholds.values[r % 2][r / 2].to_int();
        }
        int logit[2];
        for (unsigned r = 0; r < 2; r++) {
            int acc = 0;
            for (unsigned c = 0; c < 4; c++) {
                const int w = ap_uint<2>(t_layer1_weights.words[0][r * 2 + c / 2])[c % 2];
                acc += w == hidden[c];
            }
            logit[r] = acc;
        }
        const unsigned want = logit[1] > logit[0] ? 1 : 0;
        ap_uint<2> got;
        if (!rep.check(readChecked(out, got), "too few outputs")) break;
        rep.check(got.to_uint() == want, "input " + str(v) + ": got " + str(got.to_uint()) + " want " + str(want));
    }
    rep.check(out.empty(), "extra outputs");
    rep.end();
}

} // namespace

int main() {
    Reporter rep;

    testWidth<1, 8, 8>(rep, 1, 3);
    testWidth<8, 1, 2>(rep, 2, 3);
    testWidth<3, 4, 4>(rep, 3, 3);
    testWidth<4, 3, 3>(rep, 4, 3);
    testWidth<48, 32, 2>(rep, 5, 3);
    testWidth<32, 48, 3>(rep, 6, 3);
    testWidth<16, 64, 4>(rep, 7, 3);
    testWidth<64, 16, 1>(rep, 8, 3);
    testWidth<5, 5, 3>(rep, 9, 3);
    testWidth<70, 7, 1>(rep, 10, 3);
    testWidth<7, 70, 10>(rep, 11, 2);
    testWidth<6, 4, 2>(rep, 12, 4);

    testBinarize<4, 12, 3, BipolarModel, ap_int<3> >(rep, "Binarize bipolar SIMD=4 CHANNELS=12", 20, 2, -2, 2);
    testBinarize<1, 1, 5, BipolarModel, int>(rep, "Binarize bipolar SIMD=1 CHANNELS=1 int thresholds", 21, 1, -1, 1);
    testBinarize<3, 6, 4, IntegerValueModel<8, true>, ap_int<10> >(
        rep, "Binarize int8 signed SIMD=3 CHANNELS=6", 22, 3, -140, 140);
    testBinarize<2, 4, 5, IntegerValueModel<8, false>, ap_uint<9> >(
        rep, "Binarize int8 unsigned SIMD=2 CHANNELS=4 unsigned thresholds", 23, 1, 0, 300);
    testBinarize<5, 5, 1, IntegerValueModel<8, false>, ap_int<10> >(
        rep, "Binarize int8 unsigned SIMD=CHANNELS=5 signed thresholds", 24, 6, -20, 270);
    testBinarize<16, 32, 2, IntegerValueModel<4, true>, int>(
        rep, "Binarize int4 signed SIMD=16 CHANNELS=32 int thresholds", 25, 4, -9, 8);

    testArgMax<10, 2, ap_int<12>, 4>(rep, "ArgMax CLASSES=10 PE=2 ap_int<12> with ties", 30, 50, -3, 3);
    testArgMax<10, 1, ap_int<6>, 4>(rep, "ArgMax PE=1 negative values with ties", 31, 40, -32, -29);
    testArgMax<8, 8, ap_uint<8>, 3>(rep, "ArgMax PE=CLASSES ap_uint<8> (top bit set)", 32, 40, 126, 130);
    testArgMax<3, 3, ap_int<4>, 8>(rep, "ArgMax CLASSES=3 wide index", 33, 30, -8, 7);

    // Padded: CLASSES % PE != 0, padding lanes larger than every real class.
    testArgMax<10, 4, ap_int<12>, 4>(rep, "ArgMax padded CLASSES=10 PE=4 (2 padding lanes) with ties", 34,
                                     50, -3, 3);
    testArgMax<10, 3, ap_int<6>, 4>(rep, "ArgMax padded CLASSES=10 PE=3 negative values with ties", 35, 50,
                                    -32, -29);
    testArgMax<10, 4, ap_uint<8>, 4>(rep, "ArgMax padded CLASSES=10 PE=4 ap_uint<8> (top bit set)", 36, 50,
                                     126, 130);
    testArgMax<3, 4, ap_int<5>, 2>(rep, "ArgMax padded PE=4 > CLASSES=3", 37, 40, -2, 2);

    testArgMaxScanScore(rep);

    testLogitScalar(rep);
    testLogitArgMax<10, 5, ap_int<10>, 4>(rep, "LogitArgMax CLASSES=10 PE=5 ap_int<10>", 40, 60);
    testLogitArgMax<4, 1, ap_uint<6>, 2>(rep, "LogitArgMax CLASSES=4 PE=1 ap_uint<6>", 41, 60);
    testLogitArgMax<10, 4, ap_int<10>, 4>(rep, "LogitArgMax padded CLASSES=10 PE=4 ap_int<10>", 42, 60);
    testLogitArgMax<10, 3, ap_uint<6>, 4>(rep, "LogitArgMax padded CLASSES=10 PE=3 ap_uint<6>", 44, 60);

    testGeneratedStyle(rep);
    return rep.finish();
}
