//===- compression.h - Compressed gradient all-reduce ------------*- C -*-===//
//
// Top-k sparsification with error feedback for data-parallel gradient
// all-reduce (Stich et al., "Sparsified SGD with Memory", NeurIPS 2018;
// Lin et al., "Deep Gradient Compression", ICLR 2018). Each rank keeps a
// residual per gradient tensor; each step it adds the new gradient to the
// residual, sends only the k entries of largest magnitude, and keeps the
// rest for later steps. Nothing is lost: over any number of steps, the sum
// of the outputs plus the ranks' residuals equals the sum of all gradients.
//
// The exchange is two all-gathers of k entries (indices and values) over the
// group of the collective ABI (dsrt/collectives.h), so it runs on any
// backend; every rank sums the contributions in group-index order and gets
// bit-identical outputs. It pays off when k * group size is well below the
// tensor size.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_COMPRESSION_H
#define DSRT_COMPRESSION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dsrt_topk dsrt_topk;

/// Creates the error-feedback state of one float32 gradient tensor of
/// `count` elements (residual starts at zero).
int32_t dsrt_topk_create(int64_t count, dsrt_topk **out);
void dsrt_topk_free(dsrt_topk *state);

/// out = sum over the group of each rank's top-`k` entries of
/// (grad + residual); the residual keeps the entries that were not sent.
/// 0 < k <= count. `out` must not alias `grad`.
int32_t dsrt_topk_all_reduce(dsrt_topk *state, const float *grad, float *out,
                             int64_t k, const int64_t *mesh_shape,
                             int32_t mesh_ndim, const int32_t *axes,
                             int32_t num_axes);

/// The residual (`count` elements), valid until the next call or free.
const float *dsrt_topk_residual(const dsrt_topk *state);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // DSRT_COMPRESSION_H
