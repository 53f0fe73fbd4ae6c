#include "CXnorBench.h"
#include <string.h>

/* Images are processed in tiles so a row's weights are reused while they sit in L1. */
enum { TILE = 64 };

void cxnor_threshold_layer(const uint64_t *weights, int rows, int limbs, const int64_t *limit,
                           const uint64_t *input, int batch, uint64_t *out, int out_limbs) {
    memset(out, 0, sizeof(uint64_t) * (size_t)batch * (size_t)out_limbs);
    for (int first = 0; first < batch; first += TILE) {
        int last = first + TILE < batch ? first + TILE : batch;
        for (int r = 0; r < rows; r++) {
            const uint64_t *w = weights + (size_t)r * limbs;
            for (int i = first; i < last; i++) {
                const uint64_t *x = input + (size_t)i * limbs;
                int64_t d = 0;
                for (int l = 0; l < limbs; l++) d += __builtin_popcountll(w[l] ^ x[l]);
                if (d <= limit[r]) out[(size_t)i * out_limbs + r / 64] |= 1ULL << (r % 64);
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
                const uint64_t *x = input + (size_t)i * limbs;
                int32_t d = 0;
                for (int l = 0; l < limbs; l++) d += __builtin_popcountll(w[l] ^ x[l]);
                out[(size_t)i * rows + r] = columns - d;
            }
        }
    }
}
