// Unit tests of the residual-graph stages: Duplicate copies every word to both outputs, and
// JoinThresholds applies thresholds indexed by the shortcut code to accumulators (signed) and to
// codes (unsigned), with falling neurons and padded channels. Expected codes come from plain
// long long arithmetic (count of levels reached), never from the library.
#include <memory>

#include "test_common.hpp"

using namespace bnntest;

namespace {

void testDuplicate(Reporter &rep) {
    rep.begin("Duplicate<24, 5>: every word of 3 frames reaches both outputs, in order");
    Lcg rng(7);
    hls::stream<ap_uint<24> > in("in"), a("a"), b("b");
    std::vector<uint64_t> sent;
    for (unsigned i = 0; i < 15; i++) {
        sent.push_back(rng.bits(24));
        in.write(ap_uint<24>(sent.back()));
    }
    addSentinel(in);
    bnn::Duplicate<24, 5>(in, a, b, 3);
    rep.check(consumedExactly(in), "input not consumed exactly");
    for (unsigned i = 0; i < sent.size(); i++) {
        ap_uint<24> x, y;
        if (!rep.check(readChecked(a, x) && readChecked(b, y), "output ends early at " + str(i))) break;
        rep.check(x.to_uint64() == sent[i] && y.to_uint64() == sent[i], "word " + str(i) + " differs");
    }
    rep.check(a.empty() && b.empty(), "extra output words");
    rep.end();
}

// CHANNELS channels in PE lanes over PIXELS pixels; main values of MAIN_BITS (signed when
// SIGNED_MAIN), shortcut codes of SB bits, LEVELS thresholds per (channel, code).
template <unsigned CHANNELS, unsigned PE, unsigned PIXELS, unsigned MAIN_BITS, bool SIGNED_MAIN, unsigned SB, unsigned LEVELS,
          unsigned OUT_BITS>
void checkJoin(Reporter &rep, uint64_t seed) {
    const unsigned NF = (CHANNELS + PE - 1) / PE;
    const unsigned CODES = 1u << SB;  // SB = 0: Requantize (no shortcut), one set of thresholds
    typedef typename bnn::Select<SIGNED_MAIN, ap_int<MAIN_BITS>, ap_uint<MAIN_BITS> >::type TMain;
    typedef bnn::CodeIndexedThresholds<PE, NF, CODES, LEVELS, OUT_BITS, ap_int<MAIN_BITS + 2> > Table;
    rep.begin(std::string(SB == 0 ? "Requantize<" : "JoinThresholds<") + str(CHANNELS) + " ch, PE " + str(PE) + ", " + str(PIXELS) + " px, " + (SIGNED_MAIN ? "int" : "uint") +
              str(MAIN_BITS) + " main, " + str(SB) + "-bit shortcut, " + str(LEVELS) + " levels>");
    Lcg rng(seed);
    const long long lo = SIGNED_MAIN ? -(1LL << (MAIN_BITS - 1)) : 0;
    const long long hi = SIGNED_MAIN ? (1LL << (MAIN_BITS - 1)) - 1 : (1LL << MAIN_BITS) - 1;
    // thr[channel][code][level] ascending, falling[channel].
    std::vector<std::vector<std::vector<long long> > > thr(NF * PE, std::vector<std::vector<long long> >(CODES));
    std::vector<bool> falls(NF * PE);
    std::unique_ptr<Table> table(new Table());
    for (unsigned c = 0; c < NF * PE; c++) {
        falls[c] = rng.below(3) == 0;
        table->falling[c % PE][c / PE] = falls[c];
        for (unsigned k = 0; k < CODES; k++) {
            long long t = rng.range(-hi - 2, hi / 2);
            for (unsigned l = 0; l < LEVELS; l++) {
                thr[c][k].push_back(t);
                table->values[c % PE][k * NF + c / PE][l] = t;
                t += rng.range(0, (hi - lo) / LEVELS + 1);
            }
        }
    }
    hls::stream<ap_uint<PE * MAIN_BITS> > mainIn("main");
    hls::stream<ap_uint<PE * (SB == 0 ? 1 : SB)> > shortcutIn("shortcut");
    hls::stream<ap_uint<PE * OUT_BITS> > out("out");
    std::vector<unsigned> expected;
    for (unsigned px = 0; px < PIXELS; px++)
        for (unsigned f = 0; f < NF; f++) {
            ap_uint<PE * MAIN_BITS> m = 0;
            ap_uint<PE * (SB == 0 ? 1 : SB)> s = 0;
            for (unsigned p = 0; p < PE; p++) {
                const unsigned c = f * PE + p;
                const long long v = rng.range(lo, hi);
                const unsigned code = static_cast<unsigned>(rng.below(CODES));
                setField(m, p, MAIN_BITS, static_cast<uint64_t>(v) & ((1ULL << MAIN_BITS) - 1));
                if (SB > 0) setField(s, p, SB, code);
                const long long a = falls[c] ? -v : v;
                unsigned n = 0;
                for (unsigned l = 0; l < LEVELS; l++) n += a >= thr[c][code][l] ? 1 : 0;
                expected.push_back(n);
            }
            mainIn.write(m);
            if (SB > 0) shortcutIn.write(s);
        }
    addSentinel(mainIn);
    if (SB > 0) addSentinel(shortcutIn);
    if (SB == 0) {
        bnn::Requantize<CHANNELS, PE, PIXELS, TMain>(mainIn, out, *table, 1);
    } else {
        bnn::JoinThresholds<CHANNELS, PE, PIXELS, TMain, (SB == 0 ? 1 : SB)>(mainIn, shortcutIn, out, *table, 1);
    }
    rep.check(consumedExactly(mainIn) && (SB == 0 || consumedExactly(shortcutIn)), "inputs not consumed exactly");
    for (unsigned w = 0; w < PIXELS * NF; w++) {
        ap_uint<PE * OUT_BITS> word;
        if (!rep.check(readChecked(out, word), "output ends early at word " + str(w))) break;
        for (unsigned p = 0; p < PE; p++) {
            const unsigned got = static_cast<unsigned>(field(word, p, OUT_BITS));
            rep.check(got == expected[w * PE + p], "word " + str(w) + " lane " + str(p) + ": got " + str(got) + ", expected " +
                                                      str(expected[w * PE + p]));
        }
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

}  // namespace

int main() {
    Reporter rep;
    testDuplicate(rep);
    checkJoin<8, 4, 3, 10, true, 1, 1, 1>(rep, 1);    // accumulators, 1-bit shortcut, binary output
    checkJoin<6, 4, 2, 9, true, 2, 3, 2>(rep, 2);     // padded channels, 2-bit codes
    checkJoin<5, 1, 4, 12, true, 2, 7, 3>(rep, 3);    // PE = 1, 3-bit output
    checkJoin<16, 16, 2, 2, false, 2, 3, 2>(rep, 4);  // both-exact add: main codes
    checkJoin<12, 3, 2, 4, false, 1, 15, 4>(rep, 5);  // codes in, 15 levels
    checkJoin<6, 4, 3, 2, false, 0, 1, 1>(rep, 6);    // requantization: 2-bit codes to signs
    checkJoin<5, 5, 2, 3, false, 0, 3, 2>(rep, 7);    // requantization to 2-bit codes
    return rep.finish();
}
