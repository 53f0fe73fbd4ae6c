// Unit tests of the multi-bit parts of the library against naive models written here: integer
// weight lanes (WeightTimes, CodeLane, IntegerLane with integer weights), the Mvau over
// IntegerWeights ROMs (padded foldings too), multi-level thresholds (with falling neurons and
// border classes), max and sum pools over codes, the multi-level input quantizer and shifted
// logit maps. Expected values come from plain long long arithmetic, never from the library.
#include <algorithm>
#include <memory>

#include "test_common.hpp"

using namespace bnntest;

namespace {

// Two's complement value of the low `bits` bits of raw.
long long signedOf(uint64_t raw, unsigned bits) {
    const long long v = static_cast<long long>(raw & ((1ULL << bits) - 1));
    return (v >> (bits - 1)) & 1 ? v - (1LL << bits) : v;
}

// ---------------------------------------------------------------- lanes

// Every weight of WB bits against every code of 4 bits and a few 8-bit inputs.
template <unsigned WB>
void checkWeightTimes(Reporter &rep) {
    for (uint64_t raw = 0; raw < (1ULL << WB); raw++) {
        const long long w = WB == 1 ? (raw ? 1 : -1) : signedOf(raw, WB);
        for (uint64_t u = 0; u < 16; u++) {
            const long long got = bnn::CodeLane<4>::contribution<ap_int<20> >(ap_uint<WB>(raw), ap_uint<4>(u)).to_int64();
            rep.check(got == w * static_cast<long long>(u), "CodeLane<4> WB=" + str(WB) + " w=" + str(w) + " u=" + str(u) + ": " + str(got));
        }
        for (long long q = -128; q < 128; q += 17) {
            const uint64_t x = static_cast<uint64_t>(q) & 0xff;
            const long long got = bnn::IntegerLane<8, true, -5>::contribution<ap_int<20> >(ap_uint<WB>(raw), ap_uint<8>(x)).to_int64();
            rep.check(got == w * (q + 5), "IntegerLane<8,signed,-5> WB=" + str(WB) + " w=" + str(w) + " q=" + str(q));
        }
        for (long long q = 0; q < 256; q += 15) {
            const long long got = bnn::IntegerLane<8, false, 128>::contribution<ap_int<20> >(ap_uint<WB>(raw), ap_uint<8>(q)).to_int64();
            rep.check(got == w * (q - 128), "IntegerLane<8,unsigned,128> WB=" + str(WB) + " w=" + str(w) + " q=" + str(q));
        }
    }
}

void testLanes(Reporter &rep) {
    rep.begin("WeightTimes via CodeLane and IntegerLane: every weight of 1..8 bits times codes and 8-bit inputs");
    checkWeightTimes<1>(rep);
    checkWeightTimes<2>(rep);
    checkWeightTimes<3>(rep);
    checkWeightTimes<4>(rep);
    checkWeightTimes<8>(rep);
    rep.end();
}

// ---------------------------------------------------------------- Mvau with integer weights

// Input lanes: unsigned codes of B bits (pad 0), or raw 8-bit integers around a zero point.
template <unsigned B>
struct CodeModel {
    typedef bnn::CodeLane<B> Lane;
    static const unsigned BITS = B;
    static uint64_t pad() { return 0; }
    static long long value(uint64_t x) { return static_cast<long long>(x); }
};

template <int ZP>
struct Int8Model {
    typedef bnn::IntegerLane<8, true, ZP> Lane;
    static const unsigned BITS = 8;
    static uint64_t pad() { return static_cast<uint64_t>(ZP) & 0xff; }
    static long long value(uint64_t x) { return signedOf(x, 8) - ZP; }
};

// Random integer weights in [-2^(WB-1), 2^(WB-1) - 1] (WB = 1: +-1), inputs and exact sums.
template <unsigned MW, unsigned MH, unsigned WB, class Model>
struct IntegerLayer {
    std::vector<std::vector<long long> > w;
    std::vector<std::vector<uint64_t> > x;
    std::vector<std::vector<long long> > acc;

    IntegerLayer(Lcg &rng, unsigned reps) : w(MH, std::vector<long long>(MW)), x(reps), acc(reps) {
        for (unsigned r = 0; r < MH; r++)
            for (unsigned c = 0; c < MW; c++)
                w[r][c] = WB == 1 ? (rng.below(2) ? 1 : -1) : rng.range(-(1LL << (WB - 1)), (1LL << (WB - 1)) - 1);
        for (unsigned k = 0; k < reps; k++) {
            x[k].resize(MW);
            for (unsigned c = 0; c < MW; c++) x[k][c] = rng.bits(Model::BITS);
            acc[k].assign(MH, 0);
            for (unsigned r = 0; r < MH; r++)
                for (unsigned c = 0; c < MW; c++) acc[k][r] += w[r][c] * Model::value(x[k][c]);
        }
    }

    // FINN layout, lane s at bits s * WB; padding columns hold 0 (1-bit: +1), padding rows junk.
    template <class Rom, unsigned SIMD, unsigned PE>
    void fill(Rom &rom) const {
        const unsigned SF = (MW + SIMD - 1) / SIMD;
        for (unsigned p = 0; p < PE; p++)
            for (unsigned t = 0; t < Rom::WORDS; t++) {
                ap_uint<SIMD * WB> word = 0;
                const unsigned r = (t / SF) * PE + p;
                for (unsigned s = 0; s < SIMD; s++) {
                    const unsigned c = (t % SF) * SIMD + s;
                    long long v = c >= MW ? (WB == 1 ? 1 : 0) : r >= MH ? static_cast<long long>((r + c) % 3) - 1 : w[r][c];
                    const uint64_t raw = WB == 1 ? (v > 0 ? 1 : 0) : static_cast<uint64_t>(v) & ((1ULL << WB) - 1);
                    setField(word, s, WB, raw);
                }
                rom.words[p][t] = word;
            }
    }

    template <unsigned SIMD>
    void write(hls::stream<ap_uint<SIMD * Model::BITS> > &in) const {
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

// The ROM type for WB bits: BinaryWeights for 1, IntegerWeights above.
template <unsigned SIMD, unsigned PE, unsigned TILES, unsigned WB>
struct RomOf {
    typedef bnn::IntegerWeights<SIMD, PE, TILES, WB> type;
};
template <unsigned SIMD, unsigned PE, unsigned TILES>
struct RomOf<SIMD, PE, TILES, 1> {
    typedef bnn::BinaryWeights<SIMD, PE, TILES> type;
};

template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, unsigned WB, class Model, typename TAcc,
          class Activation, class Expected>
void runIntegerMvau(Reporter &rep, const IntegerLayer<MW, MH, WB, Model> &layer, const Activation &act,
                    Expected expected) {
    const unsigned NF = (MH + PE - 1) / PE;
    const unsigned TILES = NF * ((MW + SIMD - 1) / SIMD);
    const unsigned OW = Activation::OUT_WIDTH;
    const unsigned reps = static_cast<unsigned>(layer.x.size());
    typedef typename RomOf<SIMD, PE, TILES, WB>::type Rom;
    std::unique_ptr<Rom> rom(new Rom);
    layer.template fill<Rom, SIMD, PE>(*rom);
    hls::stream<ap_uint<SIMD * Model::BITS> > in("in");
    hls::stream<ap_uint<PE * OW> > out("out");
    layer.template write<SIMD>(in);
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
                rep.check(got == want, "rep " + str(k) + " neuron " + str(n) + ": got " + str(got) + " want " +
                                           str(want) + " (acc " + str(layer.acc[k][n]) + ")");
            }
        }
    rep.check(out.empty(), "extra output words");
}

template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, unsigned WB, class Model, typename TAcc>
void testIntegerPassThrough(Reporter &rep, const std::string &name, uint64_t seed, unsigned reps) {
    rep.begin("Mvau pass-through " + name + " MW=" + str(MW) + " MH=" + str(MH) + " SIMD=" + str(SIMD) + " PE=" + str(PE) +
              " WB=" + str(WB));
    Lcg rng(seed);
    IntegerLayer<MW, MH, WB, Model> layer(rng, reps);
    const uint64_t mask = (1ULL << TAcc::width) - 1;
    runIntegerMvau<MW, MH, SIMD, PE, WB, Model, TAcc>(rep, layer, bnn::PassThroughActivation<TAcc>(),
                                                      [&](unsigned k, unsigned n) -> uint64_t {
                                                          return static_cast<uint64_t>(layer.acc[k][n]) & mask;
                                                      });
    rep.end();
}

// Spec of a multi-threshold neuron: LEVELS ascending thresholds and a falling flag.
long long levelsReached(long long acc, bool falling, const std::vector<long long> &t) {
    const long long a = falling ? -acc : acc;
    long long count = 0;
    for (unsigned l = 0; l < t.size(); l++) count += a >= t[l] ? 1 : 0;
    return count;
}

// Ascending thresholds near +-acc of the layer's vectors (so equality is hit), some unreachable.
std::vector<long long> drawLevels(Lcg &rng, unsigned levels, long long near) {
    std::vector<long long> t(levels);
    for (unsigned l = 0; l < levels; l++) {
        const unsigned kind = rng.below(8);
        t[l] = kind == 0 ? -100000 : kind == 1 ? 100000 : near + rng.range(-3, 3);
    }
    for (unsigned i = 1; i < levels; i++)
        for (unsigned j = i; j > 0 && t[j - 1] > t[j]; j--) std::swap(t[j - 1], t[j]);
    return t;
}

template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, unsigned WB, class Model, typename TAcc,
          unsigned LEVELS, unsigned OUT_BITS>
void testMultiThreshold(Reporter &rep, const std::string &name, uint64_t seed, unsigned reps) {
    rep.begin("Mvau multi-threshold " + name + " MW=" + str(MW) + " MH=" + str(MH) + " SIMD=" + str(SIMD) + " PE=" + str(PE) +
              " WB=" + str(WB) + " LEVELS=" + str(LEVELS));
    Lcg rng(seed);
    IntegerLayer<MW, MH, WB, Model> layer(rng, reps);
    const unsigned NF = (MH + PE - 1) / PE;
    typedef bnn::MultiThresholdActivation<PE, NF, LEVELS, OUT_BITS, ap_int<20> > Act;
    std::unique_ptr<Act> act(new Act);
    for (unsigned p = 0; p < PE; p++)
        for (unsigned f = 0; f < NF; f++) {
            act->falling[p][f] = false;
            for (unsigned l = 0; l < LEVELS; l++) act->values[p][f][l] = 0;
        }
    std::vector<std::vector<long long> > thr(MH);
    std::vector<bool> falling(MH);
    for (unsigned n = 0; n < MH; n++) {
        falling[n] = rng.below(2) == 1;
        const long long acc = layer.acc[rng.below(reps)][n];
        thr[n] = drawLevels(rng, LEVELS, falling[n] ? -acc : acc);
        act->falling[n % PE][n / PE] = falling[n];
        for (unsigned l = 0; l < LEVELS; l++) act->values[n % PE][n / PE][l] = thr[n][l];
    }
    runIntegerMvau<MW, MH, SIMD, PE, WB, Model, TAcc>(rep, layer, *act, [&](unsigned k, unsigned n) -> uint64_t {
        return static_cast<uint64_t>(levelsReached(layer.acc[k][n], falling[n], thr[n]));
    });
    rep.end();
}

// Border classes: repetition k is pixel k % (OH * OW); class tables and per-class levels random.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, unsigned WB, class Model, typename TAcc,
          unsigned LEVELS, unsigned OUT_BITS, unsigned OH, unsigned OW, unsigned RC, unsigned CC>
void testBorderMultiThreshold(Reporter &rep, const std::string &name, uint64_t seed) {
    rep.begin("Mvau border multi-threshold " + name);
    Lcg rng(seed);
    const unsigned reps = 2 * OH * OW;
    IntegerLayer<MW, MH, WB, Model> layer(rng, reps);
    const unsigned NF = (MH + PE - 1) / PE;
    typedef bnn::BorderMultiThresholdActivation<PE, NF, LEVELS, OUT_BITS, ap_int<20>, OH, OW, RC, CC> Act;
    std::unique_ptr<Act> act(new Act);
    for (unsigned r = 0; r < OH; r++) act->rowClass[r] = static_cast<unsigned short>(rng.below(RC));
    for (unsigned c = 0; c < OW; c++) act->colClass[c] = static_cast<unsigned short>(rng.below(CC));
    for (unsigned p = 0; p < PE; p++) {
        for (unsigned f = 0; f < NF; f++) act->falling[p][f] = false;
        for (unsigned a = 0; a < RC * CC * NF; a++)
            for (unsigned l = 0; l < LEVELS; l++) act->values[p][a][l] = 0;
    }
    std::vector<bool> falling(MH);
    std::vector<std::vector<std::vector<long long> > > thr(RC * CC, std::vector<std::vector<long long> >(MH));
    for (unsigned n = 0; n < MH; n++) {
        falling[n] = rng.below(2) == 1;
        act->falling[n % PE][n / PE] = falling[n];
    }
    for (unsigned k = 0; k < RC * CC; k++)
        for (unsigned n = 0; n < MH; n++) {
            const long long acc = layer.acc[rng.below(reps)][n];
            thr[k][n] = drawLevels(rng, LEVELS, falling[n] ? -acc : acc);
            for (unsigned l = 0; l < LEVELS; l++) act->values[n % PE][k * NF + n / PE][l] = thr[k][n][l];
        }
    runIntegerMvau<MW, MH, SIMD, PE, WB, Model, TAcc>(rep, layer, *act, [&](unsigned k, unsigned n) -> uint64_t {
        const unsigned pixel = k % (OH * OW);
        const unsigned cls = act->rowClass[pixel / OW] * CC + act->colClass[pixel % OW];
        return static_cast<uint64_t>(levelsReached(layer.acc[k][n], falling[n], thr[cls][n]));
    });
    rep.end();
}

// ---------------------------------------------------------------- pools over codes

// Naive pooling of a [H][W][C] map of codes: max (min on flagged channels) or sum per window.
std::vector<uint64_t> naivePool(const std::vector<uint64_t> &map, unsigned H, unsigned W, unsigned C, unsigned PH,
                                unsigned PW, unsigned SH, unsigned SW, const std::vector<int> &minFlags, bool sum) {
    std::vector<uint64_t> out;
    for (unsigned oy = 0; oy + PH <= H; oy += SH)
        for (unsigned ox = 0; ox + PW <= W; ox += SW)
            for (unsigned c = 0; c < C; c++) {
                uint64_t v = map[(oy * W + ox) * C + c];
                uint64_t total = 0;
                for (unsigned dy = 0; dy < PH; dy++)
                    for (unsigned dx = 0; dx < PW; dx++) {
                        const uint64_t e = map[((oy + dy) * W + ox + dx) * C + c];
                        total += e;
                        v = minFlags[c] ? std::min(v, e) : std::max(v, e);
                    }
                out.push_back(sum ? total : v);
            }
    return out;
}

// The unit under test: SumPool, or MaxPoolCodes (OUT_BITS == BITS).
template <unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW, unsigned SH, unsigned SW, unsigned SIMD,
          unsigned BITS, unsigned OUT_BITS, bool SUM>
struct CodePoolCall {
    static void run(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * OUT_BITS> > &out,
                    const bnn::ChannelFlags<SIMD, C / SIMD> &, unsigned reps) {
        bnn::SumPool<H, W, C, PH, PW, SH, SW, SIMD, BITS, OUT_BITS, SCHEDULE_SLACK>(in, out, reps);
    }
};
template <unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW, unsigned SH, unsigned SW, unsigned SIMD,
          unsigned BITS, unsigned OUT_BITS>
struct CodePoolCall<H, W, C, PH, PW, SH, SW, SIMD, BITS, OUT_BITS, false> {
    static void run(hls::stream<ap_uint<SIMD * BITS> > &in, hls::stream<ap_uint<SIMD * OUT_BITS> > &out,
                    const bnn::ChannelFlags<SIMD, C / SIMD> &flags, unsigned reps) {
        bnn::MaxPoolCodes<H, W, C, PH, PW, SH, SW, SIMD, BITS, SCHEDULE_SLACK>(in, out, flags, reps);
    }
};

template <unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW, unsigned SH, unsigned SW, unsigned SIMD,
          unsigned BITS, unsigned OUT_BITS, bool SUM>
void testCodePool(Reporter &rep, uint64_t seed, unsigned reps) {
    rep.begin(std::string(SUM ? "SumPool" : "MaxPoolCodes") + " in " + str(H) + "x" + str(W) + "x" + str(C) + " pool " +
              str(PH) + "x" + str(PW) + " s" + str(SH) + "x" + str(SW) + " SIMD=" + str(SIMD) + " BITS=" + str(BITS));
    Lcg rng(seed);
    const unsigned CF = C / SIMD;
    bnn::ChannelFlags<SIMD, CF> flags;
    std::vector<int> minFlags(C);
    for (unsigned f = 0; f < CF; f++) {
        flags.bits[f] = 0;
        for (unsigned s = 0; s < SIMD; s++) {
            minFlags[f * SIMD + s] = SUM ? 0 : static_cast<int>(rng.below(2));
            flags.bits[f][s] = minFlags[f * SIMD + s];
        }
    }
    hls::stream<ap_uint<SIMD * BITS> > in("in");
    hls::stream<ap_uint<SIMD * OUT_BITS> > out("out");
    std::vector<uint64_t> expect;
    for (unsigned k = 0; k < reps; k++) {
        std::vector<uint64_t> map(H * W * C);
        for (unsigned e = 0; e < map.size(); e++) map[e] = rng.bits(BITS);
        for (unsigned w = 0; w < map.size() / SIMD; w++) {
            ap_uint<SIMD * BITS> word = 0;
            for (unsigned s = 0; s < SIMD; s++) setField(word, s, BITS, map[w * SIMD + s]);
            in.write(word);
        }
        const std::vector<uint64_t> pooled = naivePool(map, H, W, C, PH, PW, SH, SW, minFlags, SUM);
        expect.insert(expect.end(), pooled.begin(), pooled.end());
    }
    addSentinel(in);
    CodePoolCall<H, W, C, PH, PW, SH, SW, SIMD, BITS, OUT_BITS, SUM>::run(in, out, flags, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned w = 0; w < expect.size() / SIMD; w++) {
        ap_uint<SIMD * OUT_BITS> word;
        if (!rep.check(readChecked(out, word), "too few output words (" + str(w) + ")")) break;
        for (unsigned s = 0; s < SIMD; s++)
            rep.check(field(word, s, OUT_BITS) == expect[w * SIMD + s],
                      "element " + str(w * SIMD + s) + ": got " + str(field(word, s, OUT_BITS)) + " want " + str(expect[w * SIMD + s]));
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

// ---------------------------------------------------------------- input quantizer

template <unsigned SIMD, unsigned C, unsigned PIXELS, unsigned LEVELS, unsigned OUT_BITS, bool SIGNED>
void testQuantize(Reporter &rep, uint64_t seed, unsigned reps) {
    rep.begin("Quantize " + std::string(SIGNED ? "int8" : "uint8") + " C=" + str(C) + " SIMD=" + str(SIMD) + " LEVELS=" + str(LEVELS));
    Lcg rng(seed);
    const unsigned CF = C / SIMD;
    typedef bnn::ChannelLevelThresholds<SIMD, CF, LEVELS, ap_int<10> > Thr;
    std::unique_ptr<Thr> thr(new Thr);
    std::vector<std::vector<long long> > t(C);
    for (unsigned c = 0; c < C; c++) {
        t[c] = drawLevels(rng, LEVELS, SIGNED ? rng.range(-128, 127) : rng.range(0, 255));
        for (unsigned l = 0; l < LEVELS; l++) {
            t[c][l] = std::max(-300LL, std::min(300LL, t[c][l]));  // unreachable, within ap_int<10>
            thr->values[c % SIMD][c / SIMD][l] = t[c][l];
        }
    }
    hls::stream<ap_uint<SIMD * 8> > in("in");
    hls::stream<ap_uint<SIMD * OUT_BITS> > out("out");
    std::vector<uint64_t> expect;
    for (unsigned w = 0; w < reps * PIXELS * CF; w++) {
        ap_uint<SIMD * 8> word = 0;
        for (unsigned s = 0; s < SIMD; s++) {
            const long long q = SIGNED ? rng.range(-128, 127) : rng.range(0, 255);
            setField(word, s, 8, static_cast<uint64_t>(q) & 0xff);
            expect.push_back(static_cast<uint64_t>(levelsReached(q, false, t[(w % CF) * SIMD + s])));
        }
        in.write(word);
    }
    addSentinel(in);
    bnn::Quantize<SIMD, C, PIXELS, bnn::IntegerValue<8, SIGNED>, ap_int<10>, LEVELS, OUT_BITS>(in, out, *thr, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    for (unsigned w = 0; w < expect.size() / SIMD; w++) {
        ap_uint<SIMD * OUT_BITS> word;
        if (!rep.check(readChecked(out, word), "too few output words")) break;
        for (unsigned s = 0; s < SIMD; s++)
            rep.check(field(word, s, OUT_BITS) == expect[w * SIMD + s], "element " + str(w * SIMD + s));
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

// ---------------------------------------------------------------- shifted logits

void testShiftedLogit(Reporter &rep) {
    rep.begin("Logit of a ShiftedLogitMap: the plain map's steps, then + shift (one rounding)");
    Lcg rng(77);
    for (unsigned trial = 0; trial < 500; trial++) {
        const bnn::ShiftedLogitMap shifted = {{static_cast<int>(rng.range(-4, 4)), static_cast<int>(rng.range(-500, 500)),
                                        0.0625 * static_cast<double>(rng.range(1, 40)), 0.1 * static_cast<double>(rng.range(-9, 9)),
                                        0.01 * static_cast<double>(rng.range(-99, 99)), trial % 2 == 0, 0.3, -1.7, 1.0000049999875,
                                        0.25}, trial % 3 != 0, 1e-3 * static_cast<double>(rng.range(-999, 999))};
        const bnn::LogitMap &m = shifted.map;
        const long long acc = rng.range(-300, 300);
        // Naive: the same steps written out, one rounding each (built with -ffp-contract=off).
        volatile double y = naiveLogit(acc, m);
        if (shifted.shifted) y = y + shifted.shift;
        rep.check(sameBits(bnn::Logit(ap_int<10>(acc), shifted), y), "trial " + str(trial));
    }
    // -0.0 stays -0.0 without a shift (no + 0.0 applied): 1 * 0 * -1 = -0.0, + bias -0.0 = -0.0.
    const bnn::ShiftedLogitMap zero = {{1, 0, 1.0, -1.0, -0.0, false, 0, 1, 1, 0}, false, 0.0};
    rep.check(sameBits(bnn::Logit(ap_int<4>(0), zero), -0.0), "no shift keeps -0.0");
    rep.end();
}

void testDividedLogit(Reporter &rep) {
    rep.begin("Logit of a DividedLogitMap: (inputScale * sum) / divisor, one rounding, then the shifted map's steps");
    Lcg rng(91);
    for (unsigned trial = 0; trial < 500; trial++) {
        const double divisor = static_cast<double>(2 * rng.range(1, 40) + 1);
        const bnn::DividedLogitMap divided = {{{static_cast<int>(rng.range(1, 4)), static_cast<int>(rng.range(-500, 500)),
                                          0.0625, 0.1 * static_cast<double>(rng.range(-9, 9)), 0.01 * static_cast<double>(rng.range(-99, 99)),
                                          trial % 2 == 0, 0.3, -1.7, 1.0000049999875, 0.25}, trial % 3 == 0, 0.125}, divisor};
        const bnn::LogitMap &m = divided.shifted.map;
        const long long acc = rng.range(-300, 300);
        volatile double y = naiveLogitScaled(acc, m);
        y = y / divisor;
        y = naiveLogitAffine(y, m);
        if (divided.shifted.shifted) y = y + divided.shifted.shift;
        rep.check(sameBits(bnn::Logit(ap_int<10>(acc), divided), y), "trial " + str(trial));
    }
    rep.end();
}

} // namespace

int main() {
    Reporter rep;
    testLanes(rep);

    //                       MW  MH SIMD PE WB Model          TAcc
    testIntegerPassThrough<16, 4, 4, 2, 1, CodeModel<2>, ap_int<8> >(rep, "codes2 1-bit weights", 1, 3);
    testIntegerPassThrough<18, 5, 4, 2, 2, CodeModel<2>, ap_int<9> >(rep, "codes2 ternary (padded)", 2, 3);
    testIntegerPassThrough<27, 7, 9, 3, 4, CodeModel<3>, ap_int<12> >(rep, "codes3 4-bit weights (padded rows)", 3, 2);
    testIntegerPassThrough<75, 6, 25, 6, 8, Int8Model<-3>, ap_int<24> >(rep, "int8 8-bit weights, first layer", 4, 2);
    testIntegerPassThrough<10, 3, 3, 3, 8, Int8Model<0>, ap_int<21> >(rep, "int8 8-bit weights (padded columns)", 5, 3);
    testIntegerPassThrough<40, 4, 40, 1, 3, CodeModel<4>, ap_int<14> >(rep, "codes4 3-bit weights, SIMD=MW (wide word)", 6, 2);

    testMultiThreshold<16, 6, 4, 3, 1, CodeModel<2>, ap_int<8>, 3, 2>(rep, "W1A2", 11, 6);
    testMultiThreshold<36, 10, 6, 4, 2, CodeModel<2>, ap_int<10>, 3, 2>(rep, "W2A2 (padded rows)", 12, 6);
    testMultiThreshold<20, 5, 7, 5, 2, CodeModel<1>, ap_int<8>, 1, 1>(rep, "ternary weights on sign codes, 1 level", 13, 6);
    testMultiThreshold<27, 8, 9, 8, 8, Int8Model<5>, ap_int<20>, 7, 3>(rep, "8-bit first layer to 3-bit codes", 14, 5);
    testMultiThreshold<12, 4, 4, 2, 3, CodeModel<4>, ap_int<12>, 15, 4>(rep, "W3A4, 15 levels", 15, 6);
    testBorderMultiThreshold<18, 5, 6, 5, 2, CodeModel<2>, ap_int<10>, 3, 2, 3, 4, 2, 3>(rep, "W2A2 3x4 pixels, 2x3 classes", 16);
    testBorderMultiThreshold<9, 3, 3, 2, 8, Int8Model<-7>, ap_int<18>, 2, 2, 2, 2, 2, 2>(rep, "8-bit first layer, padded rows", 17);

    //          H  W  C  PH PW SH SW SIMD BITS OUT SUM
    testCodePool<4, 4, 4, 2, 2, 2, 2, 2, 2, 2, false>(rep, 21, 2);
    testCodePool<5, 7, 6, 3, 3, 2, 2, 3, 3, 3, false>(rep, 22, 2);   // overlapping windows, floor
    testCodePool<6, 6, 2, 2, 2, 2, 2, 1, 4, 4, false>(rep, 23, 3);
    testCodePool<4, 4, 4, 2, 2, 2, 2, 2, 2, 4, true>(rep, 24, 2);    // avgpool 2x2 of 2-bit codes: sums 0..12
    testCodePool<6, 6, 3, 3, 3, 3, 3, 3, 2, 5, true>(rep, 25, 2);    // 3x3: sums 0..27
    testCodePool<5, 5, 4, 5, 5, 1, 1, 4, 1, 5, true>(rep, 26, 2);    // global average pool of signs
    testCodePool<7, 5, 2, 3, 2, 2, 1, 2, 3, 6, true>(rep, 27, 2);    // overlapping, non-square

    testQuantize<2, 4, 3, 3, 2, false>(rep, 31, 2);
    testQuantize<3, 3, 5, 7, 3, true>(rep, 32, 2);
    testQuantize<1, 2, 4, 15, 4, false>(rep, 33, 3);

    testShiftedLogit(rep);
    testDividedLogit(rep);
    return rep.finish();
}
