//===- TopK.cpp - Top-k gradient all-reduce with error feedback ----------===//
#include "dsrt/collectives.h"
#include "dsrt/compression.h"
#include "../Internal.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <numeric>
#include <vector>

struct dsrt_topk {
  std::vector<float> residual;
};

DSRT_EXPORT int32_t dsrt_topk_create(int64_t count, dsrt_topk **out) {
  if (!out)
    return dsrt::setError(DSRT_INVALID_ARGUMENT, "dsrt: topk_create: null output");
  *out = nullptr;
  if (count <= 0)
    return dsrt::setError(DSRT_INVALID_ARGUMENT,
                          "dsrt: topk_create: count " + std::to_string(count) + " must be > 0");
  dsrt_topk *s = new (std::nothrow) dsrt_topk;
  if (!s)
    return dsrt::setError(DSRT_INTERNAL, "dsrt: topk_create: out of memory");
  s->residual.assign(static_cast<size_t>(count), 0.0f);
  *out = s;
  return 0;
}

DSRT_EXPORT void dsrt_topk_free(dsrt_topk *state) { delete state; }

DSRT_EXPORT const float *dsrt_topk_residual(const dsrt_topk *state) {
  return state ? state->residual.data() : nullptr;
}

DSRT_EXPORT int32_t dsrt_topk_all_reduce(dsrt_topk *state, const float *grad, float *out,
                                         int64_t k, const int64_t *mesh_shape,
                                         int32_t mesh_ndim, const int32_t *axes,
                                         int32_t num_axes) {
  auto fail = [](dsrt_status st, const std::string &m) {
    return dsrt::setError(st, "dsrt: topk_all_reduce: " + m);
  };
  if (!state || !grad || !out)
    return fail(DSRT_INVALID_ARGUMENT, "null state or buffer");
  int64_t count = static_cast<int64_t>(state->residual.size());
  if (k <= 0 || k > count)
    return fail(DSRT_INVALID_ARGUMENT, "k = " + std::to_string(k) + " must be in [1, " +
                                           std::to_string(count) + "]");
  if (out == grad)
    return fail(DSRT_INVALID_ARGUMENT, "out aliases grad");
  // Group size from a 1-element all_gather would cost a round; compute it
  // from the mesh instead (validated by the gathers below).
  int64_t n = 1;
  if (dsrt_world_size() > 1)
    for (int32_t i = 0; i < num_axes; ++i)
      if (axes && mesh_shape && axes[i] >= 0 && axes[i] < mesh_ndim)
        n *= mesh_shape[axes[i]];
  std::vector<float> &acc = state->residual;
  for (int64_t i = 0; i < count; ++i)
    acc[i] += grad[i];
  // The k largest |acc|, ties to the lower index (deterministic).
  std::vector<int64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  auto larger = [&](int64_t a, int64_t b) {
    float x = std::fabs(acc[a]), y = std::fabs(acc[b]);
    return x > y || (x == y && a < b);
  };
  std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), larger);
  std::vector<int64_t> idx(order.begin(), order.begin() + k);
  std::sort(idx.begin(), idx.end());
  std::vector<float> val(k);
  for (int64_t j = 0; j < k; ++j)
    val[j] = acc[idx[j]];
  std::vector<int64_t> allIdx(static_cast<size_t>(n * k));
  std::vector<float> allVal(static_cast<size_t>(n * k));
  if (int32_t st = dsrt_all_gather(idx.data(), allIdx.data(), k, DSRT_I64, mesh_shape, mesh_ndim,
                                   axes, num_axes, DSRT_ALGO_AUTO))
    return st; // message already set (and the residual still holds grad)
  if (int32_t st = dsrt_all_gather(val.data(), allVal.data(), k, DSRT_F32, mesh_shape, mesh_ndim,
                                   axes, num_axes, DSRT_ALGO_AUTO))
    return st;
  // Sent entries leave the residual only once the exchange succeeded.
  for (int64_t j = 0; j < k; ++j)
    acc[idx[j]] = 0.0f;
  std::fill(out, out + count, 0.0f);
  for (int64_t j = 0; j < n * k; ++j) {
    if (allIdx[j] < 0 || allIdx[j] >= count)
      return fail(DSRT_INTERNAL, "a peer sent index " + std::to_string(allIdx[j]) +
                                     " outside the tensor (mismatched counts?)");
    out[allIdx[j]] += allVal[j];
  }
  return 0;
}
