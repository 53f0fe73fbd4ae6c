// Unit tests of bnn::Mvau against a naive dot-product model, including padded foldings (SIMD not
// dividing MW, PE not dividing MH) fed with the neutral pad lanes a repack stage writes.
#include <memory>

#include "test_common.hpp"

using namespace bnntest;

namespace {

// Naive models of the lanes: the contribution of one (weight bit, input element) pair, and the
// neutral value a padding lane carries (it meets weight bit 1).
struct XnorModel {
    typedef bnn::XnorLane Lane;
    static const unsigned BITS = 1;
    static uint64_t pad() { return 0; }
    static long long contribution(int w, uint64_t x) { return (w == static_cast<int>(x)) ? 1 : 0; }
    static long long minContribution() { return 0; }
    static long long maxContribution() { return 1; }
};

// Bit 1 = valid, bit 0 = activation: a padded (invalid) element adds 0 whatever its bit 0.
struct MaskedXnorModel {
    typedef bnn::MaskedXnorLane Lane;
    static const unsigned BITS = 2;
    static uint64_t pad() { return 0; }  // not valid
    static long long contribution(int w, uint64_t x) {
        if (((x >> 1) & 1) == 0) return 0;
        return (w == static_cast<int>(x & 1)) ? 1 : -1;
    }
    static long long minContribution() { return -1; }
    static long long maxContribution() { return 1; }
};

template <unsigned B, bool S, int ZP>
struct IntegerModel {
    typedef bnn::IntegerLane<B, S, ZP> Lane;
    static const unsigned BITS = B;
    static_assert(S ? (ZP >= -(1LL << (B - 1)) && ZP < (1LL << (B - 1))) : (ZP >= 0 && ZP < (1LL << B)),
                  "the zero point must be representable to pad with it");
    // The raw bits of q = ZP.
    static uint64_t pad() { return static_cast<uint64_t>(static_cast<long long>(ZP)) & ((1ULL << B) - 1); }
    static long long decode(uint64_t x) {
        long long q = static_cast<long long>(x);
        if (S && ((x >> (B - 1)) & 1)) q -= (1LL << B);
        return q;
    }
    static long long contribution(int w, uint64_t x) {
        const long long d = decode(x) - ZP;
        return w ? d : -d;
    }
    static long long maxContribution() {
        const long long lo = S ? -(1LL << (B - 1)) : 0;
        const long long hi = S ? (1LL << (B - 1)) - 1 : (1LL << B) - 1;
        const long long a = lo - ZP < 0 ? ZP - lo : lo - ZP;
        const long long b = hi - ZP < 0 ? ZP - hi : hi - ZP;
        return a > b ? a : b;
    }
    static long long minContribution() { return -maxContribution(); }
};

// Random weights and inputs for one layer, plus the exact accumulators.
template <unsigned MW, unsigned MH, class Model>
struct LayerCase {
    std::vector<std::vector<int> > w;          // [MH][MW] weight bits
    std::vector<std::vector<uint64_t> > x;     // [reps][MW] input elements
    std::vector<std::vector<long long> > acc;  // [reps][MH]

    LayerCase(Lcg &rng, unsigned reps) : w(MH, std::vector<int>(MW)), x(reps), acc(reps) {
        for (unsigned r = 0; r < MH; r++)
            for (unsigned c = 0; c < MW; c++) w[r][c] = rng.below(2);
        for (unsigned k = 0; k < reps; k++) {
            x[k].resize(MW);
            for (unsigned c = 0; c < MW; c++) x[k][c] = rng.bits(Model::BITS);
            acc[k].resize(MH);
            for (unsigned r = 0; r < MH; r++) {
                long long a = 0;
                for (unsigned c = 0; c < MW; c++) a += Model::contribution(w[r][c], x[k][c]);
                acc[k][r] = a;
            }
        }
    }

    // FINN layout; words wider than 64 bits go through the "0x..." string constructor, as the
    // generator emits them. Padding columns (c >= MW) hold 1, as the compiler stores them;
    // padding rows (r >= MH) hold an arbitrary pattern.
    template <unsigned SIMD, unsigned PE, unsigned TILES>
    void fillWeights(bnn::BinaryWeights<SIMD, PE, TILES> &rom) const {
        const unsigned SF = (MW + SIMD - 1) / SIMD;
        for (unsigned p = 0; p < PE; p++)
            for (unsigned t = 0; t < TILES; t++) {
                std::vector<int> bits(SIMD);
                const unsigned r = (t / SF) * PE + p;
                for (unsigned s = 0; s < SIMD; s++) {
                    const unsigned c = (t % SF) * SIMD + s;
                    bits[s] = c >= MW ? 1 : r >= MH ? static_cast<int>((r * 7 + c) % 3 == 0) : w[r][c];
                }
                if (SIMD > 64) {
                    rom.words[p][t] = ap_uint<SIMD>(hexLiteral(bits).c_str(), 16);
                } else {
                    uint64_t v = 0;
                    for (unsigned s = 0; s < SIMD; s++) v |= static_cast<uint64_t>(bits[s]) << s;
                    rom.words[p][t] = ap_uint<SIMD>(v);
                }
            }
    }

    // SF words per vector; lanes past MW carry the neutral pad value.
    template <unsigned SIMD>
    void writeInputs(hls::stream<ap_uint<SIMD * Model::BITS> > &in) const {
        for (unsigned k = 0; k < x.size(); k++)
            for (unsigned sf = 0; sf < (MW + SIMD - 1) / SIMD; sf++) {
                ap_uint<SIMD * Model::BITS> word = 0;
                for (unsigned s = 0; s < SIMD; s++) {
                    const unsigned c = sf * SIMD + s;
                    setField(word, s, Model::BITS, c < MW ? x[k][c] : Model::pad());
                }
                in.write(word);
            }
    }
};

// Shared driver: run Mvau and compare every real output element with expected(rep, neuron);
// padding neurons (>= MH) in the last word of each vector are skipped, as consumers drop them.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, class Model, typename TAcc,
          class Activation, class Expected>
void runMvau(Reporter &rep, const LayerCase<MW, MH, Model> &layer, const Activation &act,
             Expected expected) {
    const unsigned NF = (MH + PE - 1) / PE;
    const unsigned TILES = NF * ((MW + SIMD - 1) / SIMD);
    const unsigned OW = Activation::OUT_WIDTH;
    const unsigned reps = static_cast<unsigned>(layer.x.size());
    std::unique_ptr<bnn::BinaryWeights<SIMD, PE, TILES> > rom(new bnn::BinaryWeights<SIMD, PE, TILES>);
    layer.fillWeights(*rom);

    hls::stream<ap_uint<SIMD * Model::BITS> > in("in");
    hls::stream<ap_uint<PE * OW> > out("out");
    layer.template writeInputs<SIMD>(in);
    addSentinel(in);
    bnn::Mvau<MW, MH, SIMD, PE, typename Model::Lane, TAcc, Activation>(in, out, *rom, act, reps);

    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned k = 0; k < reps; k++)
        for (unsigned f = 0; f < NF; f++) {
            ap_uint<PE * OW> word;
            if (!rep.check(readChecked(out, word), "too few output words")) return;
            for (unsigned p = 0; p < PE; p++) {
                const unsigned n = f * PE + p;
                if (n >= MH) continue;
                const uint64_t got = field(word, p, OW);
                const uint64_t want = expected(k, n);
                rep.check(got == want, "rep " + str(k) + " neuron " + str(n) + ": got " + str(got) +
                                           " want " + str(want) + " (acc " + str(layer.acc[k][n]) + ")");
            }
        }
    rep.check(out.empty(), "extra output words");
}

// Threshold activation: thresholds are mostly near the real accumulators (to hit equality),
// some below and some above anything reachable.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, class Model, typename TAcc,
          typename TThr>
void testThreshold(Reporter &rep, const char *name, uint64_t seed, unsigned reps) {
    rep.begin(name);
    Lcg rng(seed);
    LayerCase<MW, MH, Model> layer(rng, reps);
    const long long lo = static_cast<long long>(MW) * Model::minContribution();
    const long long hi = static_cast<long long>(MW) * Model::maxContribution();
    const bool thrSigned = TThr(-1) < TThr(0);
    const long long thrMin = thrSigned ? lo - 3 : 0;  // unsigned thresholds cannot go below 0
    const unsigned NF = (MH + PE - 1) / PE;
    std::unique_ptr<bnn::ThresholdActivation<PE, NF, TThr> > act(new bnn::ThresholdActivation<PE, NF, TThr>);
    for (unsigned p = 0; p < PE; p++)
        for (unsigned f = 0; f < NF; f++) act->values[p][f] = TThr(thrMin);  // padding neurons too
    std::vector<long long> thr(MH);
    for (unsigned n = 0; n < MH; n++) {
        const unsigned kind = rng.below(8);
        long long t;
        if (kind == 0) t = thrMin;
        else if (kind == 1) t = hi + 1 + rng.below(3);
        else t = layer.acc[rng.below(reps)][n] + rng.range(-1, 1);
        if (t < thrMin) t = thrMin;
        thr[n] = t;
        act->values[n % PE][n / PE] = TThr(t);
        rep.check(static_cast<long long>(act->values[n % PE][n / PE]) == t, "threshold type too narrow");
    }
    runMvau<MW, MH, SIMD, PE, Model, TAcc>(rep, layer, *act, [&](unsigned k, unsigned n) -> uint64_t {
        return layer.acc[k][n] >= thr[n] ? 1 : 0;
    });
    rep.end();
}

// Border-class thresholds: repetition k is output pixel k % (OH * OW), row-major; each pixel's
// class comes from random row and column class tables, and each (class, neuron) threshold is
// drawn near the accumulators so equality is hit. Two frames check the position wraps.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, class Model, typename TAcc,
          typename TThr, unsigned OH, unsigned OW, unsigned RC, unsigned CC>
void testBorderThreshold(Reporter &rep, const char *name, uint64_t seed) {
    rep.begin(name);
    Lcg rng(seed);
    const unsigned reps = 2 * OH * OW;
    LayerCase<MW, MH, Model> layer(rng, reps);
    const unsigned NF = (MH + PE - 1) / PE;
    typedef bnn::BorderThresholdActivation<PE, NF, TThr, OH, OW, RC, CC> Act;
    std::unique_ptr<Act> act(new Act);
    for (unsigned r = 0; r < OH; r++) act->rowClass[r] = static_cast<unsigned short>(rng.below(RC));
    for (unsigned c = 0; c < OW; c++) act->colClass[c] = static_cast<unsigned short>(rng.below(CC));
    std::vector<std::vector<long long> > thr(RC * CC, std::vector<long long>(MH));
    for (unsigned p = 0; p < PE; p++)
        for (unsigned a = 0; a < RC * CC * NF; a++) act->values[p][a] = TThr(0);
    for (unsigned k = 0; k < RC * CC; k++)
        for (unsigned n = 0; n < MH; n++) {
            const long long t = layer.acc[rng.below(reps)][n] + rng.range(-1, 1);
            thr[k][n] = t;
            act->values[n % PE][k * NF + n / PE] = TThr(t);
            rep.check(static_cast<long long>(act->values[n % PE][k * NF + n / PE]) == t, "threshold type too narrow");
        }
    runMvau<MW, MH, SIMD, PE, Model, TAcc>(rep, layer, *act, [&](unsigned k, unsigned n) -> uint64_t {
        const unsigned pixel = k % (OH * OW);
        const unsigned cls = act->rowClass[pixel / OW] * CC + act->colClass[pixel % OW];
        return layer.acc[k][n] >= thr[cls][n] ? 1 : 0;
    });
    rep.end();
}

// Pass-through: the output is the accumulator's two's complement bits.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, class Model, typename TAcc>
void testPassThrough(Reporter &rep, const char *name, uint64_t seed, unsigned reps) {
    rep.begin(name);
    Lcg rng(seed);
    LayerCase<MW, MH, Model> layer(rng, reps);
    const unsigned W = TAcc::width;
    const uint64_t mask = W >= 64 ? ~0ULL : ((1ULL << W) - 1);
    runMvau<MW, MH, SIMD, PE, Model, TAcc>(rep, layer, bnn::PassThroughActivation<TAcc>(),
                                           [&](unsigned k, unsigned n) -> uint64_t {
                                               return static_cast<uint64_t>(layer.acc[k][n]) & mask;
                                           });
    rep.end();
}

// The generator spells >64-bit ROM words as ap_uint<N>("0x...", 16): check that spelling,
// with and without leading zeros, against a bit-by-bit construction.
void testWideLiteral(Reporter &rep) {
    rep.begin("ap_uint<70>(\"0x...\", 16) literal");
    Lcg rng(99);
    for (unsigned trial = 0; trial < 200; trial++) {
        std::vector<int> bits(70);
        const unsigned top = trial % 71;  // bits at and above `top` are zero: exercises short literals
        for (unsigned i = 0; i < 70; i++) bits[i] = i < top ? static_cast<int>(rng.below(2)) : 0;
        if (trial == 1) for (unsigned i = 0; i < 70; i++) bits[i] = 1;
        ap_uint<70> expect = 0;
        for (unsigned i = 0; i < 70; i++) expect[i] = bits[i];
        std::string full = hexLiteral(bits);
        std::string trimmed = full.substr(2);
        while (trimmed.size() > 1 && trimmed[0] == '0') trimmed.erase(0, 1);
        trimmed = "0x" + trimmed;
        const ap_uint<70> a(full.c_str(), 16);
        const ap_uint<70> b(trimmed.c_str(), 16);
        rep.check(a == expect, "full literal " + full + " parsed as " + a.to_string(16));
        rep.check(b == expect, "trimmed literal " + trimmed + " parsed as " + b.to_string(16));
    }
    rep.end();
}

} // namespace

int main() {
    Reporter rep;
    testWideLiteral(rep);

    typedef IntegerModel<8, false, 128> U8Zp128;
    typedef IntegerModel<8, false, 0> U8;
    typedef IntegerModel<8, true, -3> S8Zm3;
    typedef IntegerModel<8, true, 0> S8;
    typedef IntegerModel<4, true, 5> S4Zp5;

    testThreshold<64, 32, 8, 4, XnorModel, ap_uint<7>, ap_uint<8> >(
        rep, "Mvau xnor+threshold MW=64 MH=32 SIMD=8 PE=4 reps=3", 1, 3);
    testThreshold<12, 6, 1, 1, XnorModel, ap_uint<4>, ap_int<10> >(
        rep, "Mvau xnor+threshold SIMD=1 PE=1 signed thresholds", 2, 2);
    testThreshold<16, 8, 16, 8, XnorModel, ap_uint<5>, ap_uint<11> >(
        rep, "Mvau xnor+threshold SIMD=MW PE=MH reps=4", 3, 4);
    testThreshold<140, 10, 70, 5, XnorModel, ap_uint<8>, ap_uint<9> >(
        rep, "Mvau xnor+threshold SIMD=70 (string-initialized words) reps=2", 4, 2);
    testThreshold<70, 3, 70, 1, XnorModel, ap_int<9>, ap_int<12> >(
        rep, "Mvau xnor+threshold SIMD=MW=70 PE=1 ap_int acc", 5, 3);
    testThreshold<30, 9, 3, 9, XnorModel, ap_uint<5>, int>(
        rep, "Mvau xnor+threshold PE=MH int thresholds", 6, 2);

    testPassThrough<48, 10, 16, 2, XnorModel, ap_uint<6> >(
        rep, "Mvau xnor+passthrough ap_uint<6> acc reps=3", 7, 3);
    testPassThrough<5, 4, 1, 4, XnorModel, ap_uint<3> >(
        rep, "Mvau xnor+passthrough SIMD=1 PE=MH", 8, 2);

    testThreshold<36, 8, 4, 2, MaskedXnorModel, ap_int<7>, ap_int<8> >(
        rep, "Mvau masked xnor + threshold (signed sums, padded lanes add 0) reps=3", 17, 3);
    testThreshold<18, 6, 1, 3, MaskedXnorModel, ap_int<6>, int>(
        rep, "Mvau masked xnor + threshold SIMD=1 int thresholds", 18, 2);
    testThreshold<75, 4, 75, 4, MaskedXnorModel, ap_int<8>, ap_int<9> >(
        rep, "Mvau masked xnor + threshold SIMD=MW=75 (150-bit input words) PE=MH", 19, 2);
    testPassThrough<20, 6, 5, 3, MaskedXnorModel, ap_int<6> >(
        rep, "Mvau masked xnor + passthrough ap_int<6> (exact signed sums) reps=3", 20, 3);

    testThreshold<27, 16, 3, 4, U8Zp128, ap_int<18>, ap_int<20> >(
        rep, "Mvau int8u zp=128 + threshold ap_int acc", 9, 2);
    testThreshold<32, 12, 4, 3, S8Zm3, ap_int<18>, ap_int<20> >(
        rep, "Mvau int8s zp=-3 + threshold ap_int acc", 10, 3);
    testThreshold<16, 4, 16, 1, U8, ap_int<14>, ap_uint<14> >(
        rep, "Mvau int8u zp=0 + unsigned thresholds vs signed acc", 11, 2);
    testThreshold<10, 5, 1, 5, S4Zp5, ap_int<10>, ap_int<12> >(
        rep, "Mvau int4s zp=5 + threshold SIMD=1 PE=MH", 12, 2);
    testThreshold<140, 4, 70, 2, S8, ap_int<16>, ap_int<18> >(
        rep, "Mvau int8s SIMD=70 (560-bit input words)", 13, 2);

    testPassThrough<20, 10, 5, 5, S8, ap_int<16> >(
        rep, "Mvau int8s + passthrough ap_int<16> reps=3", 14, 3);
    testPassThrough<24, 6, 8, 1, U8Zp128, ap_int<14> >(
        rep, "Mvau int8u zp=128 + passthrough PE=1", 15, 2);
    testPassThrough<9, 3, 9, 3, S8Zm3, ap_int<13> >(
        rep, "Mvau int8s zp=-3 + passthrough SIMD=MW PE=MH", 16, 4);

    // Padded foldings: SIMD does not divide MW and/or PE does not divide MH. The pad lanes (0,
    // 00, ZP) meet weight 1 and must add nothing; padding neurons are skipped.
    testThreshold<27, 10, 4, 3, XnorModel, ap_uint<5>, ap_uint<6> >(
        rep, "Mvau padded xnor+threshold MW=27 SIMD=4 MH=10 PE=3 reps=3", 30, 3);
    testThreshold<64, 64, 17, 22, XnorModel, ap_uint<7>, ap_uint<8> >(
        rep, "Mvau padded xnor+threshold MW=64 SIMD=17 MH=64 PE=22 reps=2", 31, 2);
    testPassThrough<27, 10, 4, 3, XnorModel, ap_uint<5> >(
        rep, "Mvau padded xnor+passthrough MW=27 SIMD=4 MH=10 PE=3 reps=3", 32, 3);
    testPassThrough<64, 64, 17, 22, XnorModel, ap_uint<7> >(
        rep, "Mvau padded xnor+passthrough MW=64 SIMD=17 MH=64 PE=22 reps=2", 33, 2);
    testThreshold<30, 8, 4, 4, XnorModel, ap_uint<5>, ap_uint<6> >(
        rep, "Mvau padded xnor+threshold MW=30 SIMD=4 (MW only) MH=8 PE=4", 34, 2);
    testPassThrough<32, 10, 8, 4, XnorModel, ap_uint<6> >(
        rep, "Mvau padded xnor+passthrough MW=32 SIMD=8 MH=10 PE=4 (MH only)", 35, 2);
    testThreshold<5, 3, 8, 4, XnorModel, ap_uint<3>, ap_uint<4> >(
        rep, "Mvau padded xnor+threshold SIMD=8 > MW=5, PE=4 > MH=3", 36, 3);

    testThreshold<27, 10, 4, 3, MaskedXnorModel, ap_int<6>, ap_int<7> >(
        rep, "Mvau padded masked xnor+threshold MW=27 SIMD=4 MH=10 PE=3 reps=3", 40, 3);
    testThreshold<64, 64, 17, 22, MaskedXnorModel, ap_int<8>, ap_int<9> >(
        rep, "Mvau padded masked xnor+threshold MW=64 SIMD=17 MH=64 PE=22 reps=2", 41, 2);
    testPassThrough<27, 10, 4, 3, MaskedXnorModel, ap_int<6> >(
        rep, "Mvau padded masked xnor+passthrough MW=27 SIMD=4 MH=10 PE=3 reps=3", 42, 3);
    testPassThrough<64, 64, 17, 22, MaskedXnorModel, ap_int<8> >(
        rep, "Mvau padded masked xnor+passthrough MW=64 SIMD=17 MH=64 PE=22 reps=2", 43, 2);

    testThreshold<27, 10, 4, 3, U8Zp128, ap_int<14>, ap_int<16> >(
        rep, "Mvau padded int8u zp=128 (pad 0x80) +threshold MW=27 SIMD=4 MH=10 PE=3", 50, 3);
    testThreshold<64, 64, 17, 22, S8Zm3, ap_int<15>, ap_int<16> >(
        rep, "Mvau padded int8s zp=-3 (pad 0xfd) +threshold MW=64 SIMD=17 MH=64 PE=22", 51, 2);
    testPassThrough<27, 10, 4, 3, S4Zp5, ap_int<10> >(
        rep, "Mvau padded int4s zp=5 +passthrough MW=27 SIMD=4 MH=10 PE=3", 52, 3);
    testPassThrough<64, 64, 17, 22, U8Zp128, ap_int<15> >(
        rep, "Mvau padded int8u zp=128 +passthrough MW=64 SIMD=17 MH=64 PE=22", 53, 2);

    testBorderThreshold<27, 10, 4, 3, U8Zp128, ap_int<14>, ap_int<16>, 4, 5, 3, 2>(
        rep, "Mvau int8u border-class thresholds 4x5 pixels, 3x2 classes, MW=27 SIMD=4 MH=10 PE=3", 60);
    testBorderThreshold<18, 4, 18, 4, S8Zm3, ap_int<14>, ap_int<15>, 3, 3, 3, 3>(
        rep, "Mvau int8s border-class thresholds 3x3 pixels, 3x3 classes, MW=SIMD=18 MH=PE=4", 61);

    return rep.finish();
}
