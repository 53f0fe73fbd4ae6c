#include "CXnorBench.h"
#include <string.h>

/* Images are processed in tiles so a row's weights are reused while they sit in L1. */
enum { TILE = 64 };

/* Bits where a weight row and an input vector differ: the XNOR-popcount loop itself. */
static inline int64_t disagreements(const uint64_t *w, const uint64_t *x, int limbs) {
    int64_t d = 0;
    for (int l = 0; l < limbs; l++) d += __builtin_popcountll(w[l] ^ x[l]);
    return d;
}

void cxnor_threshold_layer(const uint64_t *weights, int rows, int limbs, const int64_t *limit,
                           const uint64_t *input, int batch, uint64_t *out, int out_limbs) {
    memset(out, 0, sizeof(uint64_t) * (size_t)batch * (size_t)out_limbs);
    for (int first = 0; first < batch; first += TILE) {
        int last = first + TILE < batch ? first + TILE : batch;
        for (int r = 0; r < rows; r++) {
            const uint64_t *w = weights + (size_t)r * limbs;
            for (int i = first; i < last; i++) {
                if (disagreements(w, input + (size_t)i * limbs, limbs) <= limit[r]) out[(size_t)i * out_limbs + r / 64] |= 1ULL << (r % 64);
            }
        }
    }
}

void cxnor_count_layer(const uint64_t *weights, int rows, int limbs, int columns,
                       const uint64_t *input, int batch, int32_t *out) {
    for (int first = 0; first < batch; first += TILE) {
        int last = first + TILE < batch ? first + TILE : batch;
        for (int r = 0; r < rows; r++) {
            const uint64_t *w = weights + (size_t)r * limbs;
            for (int i = first; i < last; i++) {
                out[(size_t)i * rows + r] = columns - (int32_t)disagreements(w, input + (size_t)i * limbs, limbs);
            }
        }
    }
}

/* Eight rows' limbs in one 512-bit vector: broadcast the input limb, xor, popcount, add. */
typedef uint64_t u64x8 __attribute__((vector_size(64)));

static inline void count8(const uint64_t *w, int limbs, const uint64_t *x, uint64_t d[8]) {
    u64x8 acc = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int l = 0; l < limbs; l++) {
        u64x8 wl;
        memcpy(&wl, w + l * 8, sizeof wl);
        acc += __builtin_elementwise_popcount(wl ^ x[l]);
    }
    memcpy(d, &acc, sizeof acc);
}

void cxnor_threshold_layer8(const uint64_t *weights8, int rows, int limbs, const int64_t *limit,
                            const uint64_t *input, int batch, uint64_t *out, int out_limbs) {
    const int blocks = (rows + 7) / 8;
    memset(out, 0, sizeof(uint64_t) * (size_t)batch * (size_t)out_limbs);
    for (int first = 0; first < batch; first += TILE) {
        int last = first + TILE < batch ? first + TILE : batch;
        for (int b = 0; b < blocks; b++) {
            const uint64_t *w = weights8 + (size_t)b * limbs * 8;
            for (int i = first; i < last; i++) {
                uint64_t d[8];
                count8(w, limbs, input + (size_t)i * limbs, d);
                uint64_t byte = 0;
                for (int k = 0; k < 8; k++) byte |= (uint64_t)((int64_t)d[k] <= limit[b * 8 + k]) << k;
                out[(size_t)i * out_limbs + (b * 8) / 64] |= byte << ((b * 8) % 64);
            }
        }
    }
}

void cxnor_count_layer8(const uint64_t *weights8, int rows, int limbs, int columns,
                        const uint64_t *input, int batch, int32_t *out) {
    const int blocks = (rows + 7) / 8;
    for (int first = 0; first < batch; first += TILE) {
        int last = first + TILE < batch ? first + TILE : batch;
        for (int b = 0; b < blocks; b++) {
            const uint64_t *w = weights8 + (size_t)b * limbs * 8;
            for (int i = first; i < last; i++) {
                uint64_t d[8];
                count8(w, limbs, input + (size_t)i * limbs, d);
                for (int k = 0; k < 8 && b * 8 + k < rows; k++) out[(size_t)i * rows + b * 8 + k] = columns - (int32_t)d[k];
            }
        }
    }
}
