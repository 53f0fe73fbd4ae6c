#ifndef CXNORBENCH_H
#define CXNORBENCH_H
#include <stdint.h>

/* The yardstick for the simulator benchmark: a tight XNOR-popcount layer in C, compiled with
 * -O3 -march=native. Weights are row-major, `limbs` 64-bit words per row; inputs likewise. */

/* Thresholded layer: out bit r of image i = (disagreements <= limit[r]); `out` is zeroed here. */
void cxnor_threshold_layer(const uint64_t *weights, int rows, int limbs, const int64_t *limit,
                           const uint64_t *input, int batch, uint64_t *out, int out_limbs);

/* Last layer: agreeing-bit counts, rows per image. */
void cxnor_count_layer(const uint64_t *weights, int rows, int limbs, int columns,
                       const uint64_t *input, int batch, int32_t *out);

/* The same thresholded layer with rows interleaved by 8 (`weights8[block][limb][8]`, rows padded to
 * a multiple of 8 with limit -1): one vector xor + popcount + add per limb. */
void cxnor_threshold_layer8(const uint64_t *weights8, int rows, int limbs, const int64_t *limit,
                            const uint64_t *input, int batch, uint64_t *out, int out_limbs);

/* Last layer, interleaved by 8 as above. */
void cxnor_count_layer8(const uint64_t *weights8, int rows, int limbs, int columns,
                        const uint64_t *input, int batch, int32_t *out);

#endif
