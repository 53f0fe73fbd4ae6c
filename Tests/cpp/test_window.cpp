// Unit tests of bnn::SlidingWindow and its padding policies against a naive im2col model.
#include "test_common.hpp"

using namespace bnntest;

namespace {

// Naive models of the padding policies: element widths and what a real or padded position holds.
template <unsigned B, unsigned V>
struct ConstantPadModel {
    typedef bnn::ConstantPad<B, V> Pad;
    static const unsigned IN_BITS = B;
    static const unsigned OUT_BITS = B;
    static uint64_t real(uint64_t x) { return x; }
    static uint64_t padded(long long, long long) { return V; }
    static std::string name() { return "ConstantPad<" + str(B) + "," + str(V) + ">"; }
};

struct MaskedPadModel {
    typedef bnn::MaskedPad Pad;
    static const unsigned IN_BITS = 1;
    static const unsigned OUT_BITS = 2;
    static uint64_t real(uint64_t x) { return 2 | x; }  // valid bit 1, activation bit 0
    static uint64_t padded(long long, long long) { return 0; }
    static std::string name() { return "MaskedPad"; }
};

// pad_value "odd_even" on codes: the spec's rule, +1 where row + column (of the unpadded input,
// negative outside) is even, -1 where odd; PLUS and MINUS are the codes of +1 and -1.
template <unsigned B, unsigned PLUS, unsigned MINUS>
struct ParityPadModel {
    typedef bnn::ParityPad<B, PLUS, MINUS> Pad;
    static const unsigned IN_BITS = B;
    static const unsigned OUT_BITS = B;
    static uint64_t real(uint64_t x) { return x; }
    static uint64_t padded(long long y, long long x) {
        const long long sum = y + x;
        const bool even = sum % 2 == 0;  // C++ remainder: -3 % 2 == -1, so test == 0 only
        return even ? PLUS : MINUS;
    }
    static std::string name() { return "ParityPad<" + str(B) + "," + str(PLUS) + "," + str(MINUS) + ">"; }
};

// The policies themselves, element by element.
void testPadPolicies(Reporter &rep) {
    rep.begin("padding policies: ConstantPad<1,1>, <1,0>, <8,zp>, MaskedPad");
    rep.check(bnn::ConstantPad<1, 1>::padded(-1, 0) == 1, "ConstantPad<1,1> pads with 1 (+1)");
    rep.check(bnn::ConstantPad<1, 0>::padded(0, -1) == 0, "ConstantPad<1,0> pads with 0 (-1)");
    rep.check(bnn::ConstantPad<8, 0x80>::padded(-2, 3) == 0x80, "ConstantPad<8,0x80> pads with 0x80");
    rep.check(bnn::ConstantPad<8, (-3) & 0xff>::padded(5, 9) == 0xfd, "ConstantPad<8,-3&0xff> pads with 0xfd");
    for (unsigned v = 0; v < 256; v++)
        rep.check(bnn::ConstantPad<8, 0x80>::real(ap_uint<8>(v)) == v, "ConstantPad<8> real " + str(v));
    for (unsigned v = 0; v < 2; v++) {
        rep.check(bnn::ConstantPad<1, 0>::real(ap_uint<1>(v)) == v, "ConstantPad<1> real " + str(v));
        rep.check(bnn::MaskedPad::real(ap_uint<1>(v)) == (2 | v), "MaskedPad real " + str(v));
    }
    rep.check(bnn::MaskedPad::padded(-1, -1) == 0, "MaskedPad padded is 0 (not valid)");
    // ParityPad: (-1, 0), (0, -1), (-1, -2), (4, -1) are odd; (-1, -1), (0, -2), (-2, 5)... listed by hand.
    rep.check(bnn::ParityPad<2, 3, 1>::padded(-1, 0) == 1 && bnn::ParityPad<2, 3, 1>::padded(0, -1) == 1 &&
                  bnn::ParityPad<2, 3, 1>::padded(-1, -2) == 1 && bnn::ParityPad<2, 3, 1>::padded(4, -1) == 1,
              "ParityPad odd positions hold ODD");
    rep.check(bnn::ParityPad<2, 3, 1>::padded(-1, -1) == 3 && bnn::ParityPad<2, 3, 1>::padded(0, -2) == 3 &&
                  bnn::ParityPad<2, 3, 1>::padded(-3, 5) == 3 && bnn::ParityPad<2, 3, 1>::padded(6, 6) == 3,
              "ParityPad even positions hold EVEN");
    rep.check(bnn::ParityPad<2, 3, 1>::real(ap_uint<2>(2)) == 2, "ParityPad real passes the code");
    rep.check(bnn::ConstantPad<1, 1>::IN_WIDTH == 1 && bnn::ConstantPad<1, 1>::OUT_WIDTH == 1 &&
                  bnn::ConstantPad<8, 5>::IN_WIDTH == 8 && bnn::ConstantPad<8, 5>::OUT_WIDTH == 8 &&
                  bnn::MaskedPad::IN_WIDTH == 1 && bnn::MaskedPad::OUT_WIDTH == 2,
              "policy widths");
    rep.end();
}

// One test: random images, the unit under test against a naive im2col of the padded image.
template <unsigned IN_H, unsigned IN_W, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PB, unsigned PL, unsigned PR, unsigned SIMD, class Model,
          unsigned GUARD = SCHEDULE_SLACK>
void testWindow(Reporter &rep, uint64_t seed, unsigned reps) {
    rep.begin("SlidingWindow in " + str(IN_H) + "x" + str(IN_W) + "x" + str(C) + " k" + str(KH) + "x" +
              str(KW) + " s" + str(SH) + "x" + str(SW) + " pad t" + str(PT) + " b" + str(PB) + " l" +
              str(PL) + " r" + str(PR) + " SIMD=" + str(SIMD) + " " + Model::name() + " GUARD=" +
              str(GUARD) + " reps=" + str(reps));
    Lcg rng(seed);
    const unsigned IB = Model::IN_BITS;
    const unsigned OB = Model::OUT_BITS;

    // Output size by counting the windows that fit the padded image.
    unsigned outH = 0;
    while (outH * SH + KH <= IN_H + PT + PB) outH++;
    unsigned outW = 0;
    while (outW * SW + KW <= IN_W + PL + PR) outW++;

    hls::stream<ap_uint<SIMD * IB> > in("in");
    hls::stream<ap_uint<SIMD * OB> > out("out");
    std::vector<uint64_t> expect;  // every output element, in stream order
    for (unsigned k = 0; k < reps; k++) {
        std::vector<uint64_t> image(IN_H * IN_W * C);
        for (unsigned e = 0; e < image.size(); e++) image[e] = rng.bits(IB);
        for (unsigned w = 0; w < image.size() / SIMD; w++) {
            ap_uint<SIMD * IB> word = 0;
            for (unsigned s = 0; s < SIMD; s++) setField(word, s, IB, image[w * SIMD + s]);
            in.write(word);
        }
        for (unsigned oy = 0; oy < outH; oy++)
            for (unsigned ox = 0; ox < outW; ox++)
                for (unsigned ky = 0; ky < KH; ky++)
                    for (unsigned kx = 0; kx < KW; kx++)
                        for (unsigned c = 0; c < C; c++) {
                            // Coordinates in the padded image, then in the real one.
                            const long long py = static_cast<long long>(oy * SH + ky);
                            const long long px = static_cast<long long>(ox * SW + kx);
                            const long long y = py - PT;
                            const long long x = px - PL;
                            if (y < 0 || y >= IN_H || x < 0 || x >= IN_W)
                                expect.push_back(Model::padded(y, x));
                            else
                                expect.push_back(Model::real(image[(y * IN_W + x) * C + c]));
                        }
    }
    addSentinel(in);
    bnn::SlidingWindow<IN_H, IN_W, C, KH, KW, SH, SW, PT, PB, PL, PR, SIMD, typename Model::Pad, GUARD>(
        in, out, reps);
    rep.check(consumedExactly(in), "input not consumed exactly (under- or over-read)");
    const unsigned perImage = outH * outW * KH * KW * C;
    for (unsigned w = 0; w < expect.size() / SIMD; w++) {
        ap_uint<SIMD * OB> word;
        if (!rep.check(readChecked(out, word), "too few output words (" + str(w) + ")")) break;
        bool ok = true;
        for (unsigned s = 0; s < SIMD && ok; s++) {
            const unsigned e = w * SIMD + s;
            const uint64_t got = field(word, s, OB);
            if (got != expect[e]) {
                // Decode the element's position for the message.
                const unsigned r = e % perImage;
                const unsigned c = r % C;
                const unsigned kx = (r / C) % KW;
                const unsigned ky = (r / C / KW) % KH;
                const unsigned pix = r / (C * KW * KH);
                ok = rep.check(false, "rep " + str(e / perImage) + " out (" + str(pix / outW) + "," +
                                          str(pix % outW) + ") k(" + str(ky) + "," + str(kx) + ") c" +
                                          str(c) + ": got " + str(got) + " want " + str(expect[e]));
            }
        }
        if (!ok) break;
    }
    rep.check(out.empty(), "extra output words");
    rep.end();
}

typedef ConstantPadModel<1, 1> PadPlus;
typedef ConstantPadModel<1, 0> PadMinus;
typedef ConstantPadModel<8, 128> PadU8Zp128;
typedef ConstantPadModel<8, (-3) & 0xff> PadS8Zm3;

} // namespace

int main() {
    Reporter rep;
    testPadPolicies(rep);

    //          IN_H IN_W C  KH KW SH SW PT PB PL PR SIMD Model
    testWindow<5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, MaskedPadModel>(rep, 1, 2);    // tiny_cnn's conv
    testWindow<5, 7, 3, 3, 3, 1, 1, 1, 0, 2, 1, 1, PadPlus>(rep, 2, 2);           // asymmetric pad, SIMD=1
    testWindow<6, 6, 4, 3, 3, 2, 2, 0, 0, 0, 0, 4, PadMinus>(rep, 3, 2);          // floor: row/col 5 unused
    testWindow<7, 5, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, PadU8Zp128>(rep, 4, 2);        // 1x1, single channel
    testWindow<8, 8, 5, 5, 5, 1, 1, 2, 2, 2, 2, 5, MaskedPadModel>(rep, 5, 2);    // 5x5, SIMD=CHANNELS
    testWindow<9, 9, 6, 5, 5, 2, 2, 2, 2, 2, 2, 3, PadPlus>(rep, 6, 2);           // 5x5 stride 2
    testWindow<4, 6, 3, 1, 1, 2, 2, 0, 0, 0, 0, 3, PadS8Zm3>(rep, 7, 2);          // 1x1 stride 2: reads dominate
    testWindow<5, 5, 16, 3, 3, 2, 2, 1, 1, 1, 1, 8, PadMinus>(rep, 8, 2);         // stride 2 with padding
    testWindow<3, 3, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, MaskedPadModel>(rep, 9, 3);    // one output pixel
    testWindow<1, 1, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2, MaskedPadModel>(rep, 10, 2);   // 1x1 image, all but centre padded
    testWindow<2, 3, 1, 3, 3, 1, 1, 2, 2, 2, 2, 1, PadPlus>(rep, 11, 2);          // windows entirely in padding
    testWindow<6, 5, 3, 2, 3, 2, 1, 0, 1, 1, 0, 3, PadU8Zp128>(rep, 12, 2);       // non-square kernel, SH != SW
    testWindow<7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, PadU8Zp128>(rep, 13, 2);       // 8-bit first layer
    testWindow<10, 10, 12, 3, 3, 1, 1, 0, 0, 0, 0, 4, PadPlus>(rep, 14, 3);       // no padding, reps=3
    testWindow<6, 7, 2, 3, 3, 2, 1, 1, 1, 0, 0, 1, MaskedPadModel>(rep, 15, 2);   // pad top/bottom only
    testWindow<6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 2, PadMinus>(rep, 16, 2);         // floor drops bottom/right pad
    testWindow<7, 7, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, MaskedPadModel>(rep, 17, 2);   // floor drops input row/col 6
    testWindow<5, 8, 2, 1, 2, 1, 3, 0, 0, 1, 2, 1, PadS8Zm3>(rep, 18, 2);         // SW > KW, gaps between windows
    testWindow<9, 4, 1, 2, 2, 3, 3, 1, 0, 0, 0, 1, PadMinus>(rep, 19, 2);         // SH > KH, skipped rows
    testWindow<4, 4, 24, 3, 3, 1, 1, 1, 1, 1, 1, 24, MaskedPadModel>(rep, 20, 2); // SIMD=CHANNELS=24
    testWindow<3, 12, 2, 3, 5, 1, 2, 1, 1, 0, 3, 2, PadPlus>(rep, 21, 2);         // wide image, big right pad
    testWindow<5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, MaskedPadModel, 1>(rep, 22, 2); // shortest guard
    testWindow<6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 2, PadMinus, 9>(rep, 23, 3);      // long guard: rows idle
    // pad_value "odd_even" on 2-bit codes (+1 = code 3, -1 = code 1; and +1 = 2, -1 = 0), 1-bit signs.
    testWindow<5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, ParityPadModel<2, 3, 1> >(rep, 24, 2);
    testWindow<6, 7, 3, 3, 3, 2, 1, 2, 1, 1, 2, 1, ParityPadModel<2, 2, 0> >(rep, 25, 2); // asymmetric, stride 2
    testWindow<4, 4, 4, 5, 5, 1, 1, 2, 2, 2, 2, 4, ParityPadModel<1, 1, 0> >(rep, 26, 2); // 5x5, 2-deep border

    return rep.finish();
}
