// Unit tests of bnn::MaxPoolBinary against a naive pooling model, and a chained binary convolution
// (SlidingWindow with MaskedPad -> Mvau with MaskedXnorLane and thresholds -> MaxPoolBinary)
// against a naive conv + threshold + pool.
#include <memory>

#include "test_common.hpp"

using namespace bnntest;

namespace {

// Random binary image in HWC order. Each channel gets its own density of ones (1/8, 1/2 or 7/8)
// so that both OR and AND windows come out 0 and 1 often enough to matter.
std::vector<int> randomImage(Lcg &rng, unsigned h, unsigned w, unsigned c) {
    std::vector<unsigned> density(c);
    for (unsigned ch = 0; ch < c; ch++) density[ch] = 1 + 3 * rng.below(3);
    std::vector<int> image(h * w * c);
    for (unsigned e = 0; e < image.size(); e++) image[e] = rng.below(8) < density[e % c] ? 1 : 0;
    return image;
}

// Naive pooling: OR over the window, AND for flagged channels; floor mode, no padding.
std::vector<int> naivePool(const std::vector<int> &image, unsigned h, unsigned w, unsigned c, unsigned ph,
                           unsigned pw, unsigned sh, unsigned sw, const std::vector<int> &andFlag,
                           unsigned &outH, unsigned &outW) {
    outH = 0;
    while (outH * sh + ph <= h) outH++;
    outW = 0;
    while (outW * sw + pw <= w) outW++;
    std::vector<int> pooled;
    for (unsigned oy = 0; oy < outH; oy++)
        for (unsigned ox = 0; ox < outW; ox++)
            for (unsigned ch = 0; ch < c; ch++) {
                int anyOne = 0;
                int allOne = 1;
                for (unsigned ky = 0; ky < ph; ky++)
                    for (unsigned kx = 0; kx < pw; kx++) {
                        const int b = image[((oy * sh + ky) * w + ox * sw + kx) * c + ch];
                        anyOne |= b;
                        allOne &= b;
                    }
                pooled.push_back(andFlag[ch] ? allOne : anyOne);
            }
    return pooled;
}

// Random AND flags with both kinds present when there are at least two channels; mode 1: all
// OR, mode 2: all AND.
template <unsigned SIMD, unsigned CF>
std::vector<int> randomFlags(Lcg &rng, bnn::ChannelFlags<SIMD, CF> &flags, unsigned mode) {
    const unsigned C = SIMD * CF;
    std::vector<int> f(C);
    for (unsigned ch = 0; ch < C; ch++) f[ch] = mode == 1 ? 0 : (mode == 2 ? 1 : static_cast<int>(rng.below(2)));
    if (mode == 0 && C >= 2) {
        const unsigned a = rng.below(C);
        f[a] = 1;
        f[(a + 1 + rng.below(C - 1)) % C] = 0;
    }
    for (unsigned w = 0; w < CF; w++) {
        flags.bits[w] = 0;
        for (unsigned s = 0; s < SIMD; s++) flags.bits[w][s] = f[w * SIMD + s];
    }
    return f;
}

template <int SIMD>
void writeBits(hls::stream<ap_uint<SIMD> > &s, const std::vector<int> &bits) {
    for (unsigned w = 0; w < bits.size() / SIMD; w++) {
        ap_uint<SIMD> word = 0;
        for (unsigned i = 0; i < SIMD; i++) word[i] = bits[w * SIMD + i];
        s.write(word);
    }
}

// Compares the whole output stream with the expected bits (C channels per pixel).
template <int SIMD>
void checkBits(Reporter &rep, hls::stream<ap_uint<SIMD> > &out, const std::vector<int> &expect,
               unsigned perImage, unsigned outW, unsigned c) {
    for (unsigned w = 0; w < expect.size() / SIMD; w++) {
        ap_uint<SIMD> word;
        if (!rep.check(readChecked(out, word), "too few output words (" + str(w) + ")")) return;
        for (unsigned i = 0; i < SIMD; i++) {
            const unsigned e = w * SIMD + i;
            const int got = word[i];
            if (got != expect[e]) {
                const unsigned r = e % perImage;
                const unsigned pix = r / c;
                rep.check(false, "rep " + str(e / perImage) + " out (" + str(pix / outW) + "," + str(pix % outW) +
                                     ") c" + str(r % c) + ": got " + str(got) + " want " + str(expect[e]));
                return;
            }
        }
    }
    rep.check(out.empty(), "extra output words");
}

// ---------------------------------------------------------------- MaxPoolBinary
template <unsigned IN_H, unsigned IN_W, unsigned C, unsigned PH, unsigned PW, unsigned SH, unsigned SW,
          unsigned SIMD, unsigned MIN_REVISIT = SCHEDULE_SLACK>
void testPool(Reporter &rep, uint64_t seed, unsigned reps, unsigned flagMode) {
    static const char *modes[] = {"mixed AND/OR", "all OR", "all AND"};
    rep.begin("MaxPoolBinary in " + str(IN_H) + "x" + str(IN_W) + "x" + str(C) + " pool " + str(PH) + "x" +
              str(PW) + " s" + str(SH) + "x" + str(SW) + " SIMD=" + str(SIMD) + " " + modes[flagMode] +
              " MIN_REVISIT=" + str(MIN_REVISIT) + " reps=" + str(reps));
    Lcg rng(seed);
    bnn::ChannelFlags<SIMD, C / SIMD> flags;
    const std::vector<int> andFlag = randomFlags(rng, flags, flagMode);
    hls::stream<ap_uint<SIMD> > in("in");
    hls::stream<ap_uint<SIMD> > out("out");
    std::vector<int> expect;
    unsigned outH = 0;
    unsigned outW = 0;
    for (unsigned k = 0; k < reps; k++) {
        const std::vector<int> image = randomImage(rng, IN_H, IN_W, C);
        writeBits(in, image);
        const std::vector<int> pooled = naivePool(image, IN_H, IN_W, C, PH, PW, SH, SW, andFlag, outH, outW);
        expect.insert(expect.end(), pooled.begin(), pooled.end());
    }
    // The data must tell OR from AND: some window with mixed bits in every test.
    unsigned ones = 0;
    for (unsigned e = 0; e < expect.size(); e++) ones += expect[e];
    rep.check(ones > 0 && ones < expect.size(), "degenerate test data (all outputs equal)");
    addSentinel(in);
    bnn::MaxPoolBinary<IN_H, IN_W, C, PH, PW, SH, SW, SIMD, MIN_REVISIT>(in, out, flags, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    checkBits(rep, out, expect, outH * outW * C, outW, C);
    rep.end();
}

// Spelled as the generator emits it.
static const bnn::ChannelFlags<4, 2> t_pool_and = {{ap_uint<4>(0x3ULL), ap_uint<4>(0x8ULL)}};

void testFlagsLiteral(Reporter &rep) {
    rep.begin("ChannelFlags brace initializer as generated");
    const int want[8] = {1, 1, 0, 0, 0, 0, 0, 1};
    for (unsigned ch = 0; ch < 8; ch++)
        rep.check(static_cast<int>(t_pool_and.bits[ch / 4][ch % 4]) == want[ch], "channel " + str(ch));
    rep.end();
}

// ---------------------------------------------------------------- chained binary convolution
// SlidingWindow<MaskedPad> -> Mvau<MaskedXnorLane, ThresholdActivation> -> MaxPoolBinary, with the
// Mvau's PE equal to the pool's SIMD. Padded positions add nothing to the signed sum.
template <unsigned H, unsigned W, unsigned C, unsigned K, unsigned PAD, unsigned F, unsigned SIMD, unsigned PE,
          unsigned P, unsigned PS>
void testChain(Reporter &rep, uint64_t seed, unsigned reps) {
    rep.begin("chain SlidingWindow(MaskedPad) -> Mvau(MaskedXnorLane, thresholds) -> MaxPoolBinary: in " +
              str(H) + "x" + str(W) + "x" + str(C) + " conv " + str(K) + "x" + str(K) + " pad " + str(PAD) +
              " -> " + str(F) + " ch, pool " + str(P) + "x" + str(P) + " s" + str(PS) + " SIMD=" + str(SIMD) +
              " PE=" + str(PE) + " reps=" + str(reps));
    Lcg rng(seed);
    const unsigned MW = K * K * C;
    const unsigned CH = H + 2 * PAD - K + 1;  // conv output, stride 1
    const unsigned CW = W + 2 * PAD - K + 1;
    typedef ap_int<12> TAcc;
    typedef ap_int<12> TThr;
    typedef bnn::ThresholdActivation<PE, F / PE, TThr> Act;
    const unsigned TILES = (F / PE) * (MW / SIMD);

    // Weights w[f][(ky * K + kx) * C + c] in FINN's folded layout; thresholds near the sums.
    std::vector<std::vector<int> > w(F, std::vector<int>(MW));
    std::unique_ptr<bnn::BinaryWeights<SIMD, PE, TILES> > rom(new bnn::BinaryWeights<SIMD, PE, TILES>);
    for (unsigned f = 0; f < F; f++)
        for (unsigned col = 0; col < MW; col++) w[f][col] = rng.below(2);
    for (unsigned p = 0; p < PE; p++)
        for (unsigned t = 0; t < TILES; t++) {
            ap_uint<SIMD> word = 0;
            const unsigned f = (t / (MW / SIMD)) * PE + p;
            for (unsigned s = 0; s < SIMD; s++) word[s] = w[f][(t % (MW / SIMD)) * SIMD + s];
            rom->words[p][t] = word;
        }
    std::unique_ptr<Act> act(new Act);
    std::vector<int> thr(F);
    for (unsigned f = 0; f < F; f++) {
        thr[f] = static_cast<int>(rng.range(-3, 3));
        act->values[f % PE][f / PE] = TThr(thr[f]);
    }
    bnn::ChannelFlags<PE, F / PE> flags;
    const std::vector<int> andFlag = randomFlags(rng, flags, 0);

    hls::stream<ap_uint<SIMD> > in("in");
    hls::stream<ap_uint<SIMD * 2> > windows("windows");
    hls::stream<ap_uint<PE> > conv("conv");
    hls::stream<ap_uint<PE> > out("out");
    std::vector<int> expect;
    unsigned outH = 0;
    unsigned outW = 0;
    long long negative = 0;
    for (unsigned k = 0; k < reps; k++) {
        const std::vector<int> image = randomImage(rng, H, W, C);
        writeBits(in, image);
        std::vector<int> activation(CH * CW * F);
        for (unsigned oy = 0; oy < CH; oy++)
            for (unsigned ox = 0; ox < CW; ox++)
                for (unsigned f = 0; f < F; f++) {
                    int sum = 0;
                    for (unsigned ky = 0; ky < K; ky++)
                        for (unsigned kx = 0; kx < K; kx++) {
                            const int y = static_cast<int>(oy + ky) - static_cast<int>(PAD);
                            const int x = static_cast<int>(ox + kx) - static_cast<int>(PAD);
                            if (y < 0 || y >= static_cast<int>(H) || x < 0 || x >= static_cast<int>(W))
                                continue;  // zero padding
                            for (unsigned c = 0; c < C; c++) {
                                const int a = image[(y * W + x) * C + c] ? 1 : -1;
                                const int b = w[f][(ky * K + kx) * C + c] ? 1 : -1;
                                sum += a * b;
                            }
                        }
                    negative += sum < 0;
                    activation[(oy * CW + ox) * F + f] = sum >= thr[f] ? 1 : 0;
                }
        const std::vector<int> pooled = naivePool(activation, CH, CW, F, P, P, PS, PS, andFlag, outH, outW);
        expect.insert(expect.end(), pooled.begin(), pooled.end());
    }
    rep.check(negative > 0, "test data has no negative sums");
    unsigned ones = 0;
    for (unsigned e = 0; e < expect.size(); e++) ones += expect[e];
    rep.check(ones > 0 && ones < expect.size(), "degenerate test data (all outputs equal)");
    addSentinel(in);
    bnn::SlidingWindow<H, W, C, K, K, 1, 1, PAD, PAD, PAD, PAD, SIMD, bnn::MaskedPad, SCHEDULE_SLACK>(in, windows,
                                                                                              reps);
    bnn::Mvau<MW, F, SIMD, PE, bnn::MaskedXnorLane, TAcc, Act>(windows, conv, *rom, *act, reps * CH * CW);
    bnn::MaxPoolBinary<CH, CW, F, P, P, PS, PS, PE, SCHEDULE_SLACK>(conv, out, flags, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    rep.check(windows.empty(), "window words left over");
    rep.check(conv.empty(), "conv words left over");
    checkBits(rep, out, expect, outH * outW * F, outW, F);
    rep.end();
}

} // namespace

int main() {
    Reporter rep;
    testFlagsLiteral(rep);

    //      IN_H IN_W C  PH PW SH SW SIMD
    testPool<4, 4, 8, 2, 2, 2, 2, 8>(rep, 1, 2, 0);     // 2x2/s2
    testPool<5, 5, 3, 2, 2, 2, 2, 1>(rep, 2, 2, 0);     // odd size: row/col 4 dropped, SIMD=1
    testPool<7, 7, 4, 3, 3, 2, 2, 2>(rep, 3, 2, 0);     // 3x3/s2, overlapping
    testPool<6, 5, 6, 2, 2, 1, 1, 3>(rep, 4, 2, 0);     // 2x2/s1
    testPool<7, 6, 4, 3, 2, 3, 2, 4>(rep, 5, 2, 0);     // 3x2 pool, leftover row 6
    testPool<8, 9, 2, 3, 2, 1, 1, 1>(rep, 6, 2, 0);     // 3x2/s1: three rows, two columns open
    testPool<5, 5, 4, 1, 1, 2, 2, 2>(rep, 7, 2, 0);     // 1x1/s2: subsampling
    testPool<9, 9, 16, 3, 3, 3, 3, 16>(rep, 8, 2, 2);   // 3x3/s3, all AND, SIMD=CHANNELS
    testPool<2, 2, 5, 2, 2, 2, 2, 5>(rep, 9, 3, 0);     // one output pixel, one word per pixel
    testPool<6, 8, 6, 2, 3, 1, 3, 2>(rep, 10, 2, 0);    // 2x3 pool, row stride 1
    testPool<7, 7, 2, 2, 2, 3, 3, 2>(rep, 11, 2, 1);    // stride > pool: gaps, all OR
    testPool<11, 10, 12, 3, 3, 2, 2, 4>(rep, 12, 2, 0); // 3x3/s2 on a larger map
    testPool<3, 2, 2, 2, 2, 1, 1, 2, 1>(rep, 13, 3, 0);  // shortest revisit distance
    testPool<3, 3, 4, 2, 2, 1, 1, 2, 16>(rep, 14, 2, 0); // narrow map: rows padded with idle iterations

    //        H  W  C  K PAD F  SIMD PE P PS
    testChain<5, 5, 2, 3, 1, 4, 2, 2, 2, 2>(rep, 20, 2);  // tiny_cnn's shape
    testChain<7, 6, 3, 3, 1, 8, 3, 4, 3, 2>(rep, 21, 2);  // 3x3/s2 pool after a padded conv
    testChain<6, 6, 4, 5, 2, 6, 1, 3, 2, 1>(rep, 22, 2);  // 5x5 conv, SIMD=1, 2x2/s1 pool

    return rep.finish();
}
