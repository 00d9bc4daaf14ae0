//===- Gemv.cpp - matrix-vector product for one-row GEMMs ----------------===//
//
// The driver of the kernel in Gemv.h: the portable tile, the choice of tile
// for this CPU, and the split of the panels over the runtime's pool (whole
// panels per task, so the split never changes any element's sum).
//
//===----------------------------------------------------------------------===//
#include "Gemv.h"
#include "../ThreadPool.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace dsrt;
using namespace dsrt::kernels;

void dsrt::kernels::gemvTileGeneric(int np, int lastCols, int64_t K,
                                    const float *a, const float *b, int64_t ldb,
                                    int64_t panelStride, float *out) {
  for (int p = 0; p < np; ++p) {
    int cols = p == np - 1 ? lastCols : kGemvCols;
    float acc[kGemvCols] = {};
    const float *panel = b + p * panelStride;
    for (int64_t k = 0; k < K; ++k) {
      float x = a[k];
      const float *row = panel + k * ldb;
      for (int j = 0; j < cols; ++j)
        acc[j] += x * row[j];
    }
    std::copy(acc, acc + kGemvCols, out + p * kGemvCols);
  }
}

namespace {

GemvTile selectTile() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return gemvTileAVX512;
#endif
  return gemvTileGeneric;
}

/// Elements of B per task below which another thread costs more (waking it,
/// splitting the stream) than it saves: 256 KiB of B.
constexpr int64_t kMinTaskWork = int64_t(1) << 16;

} // namespace

void dsrt::kernels::gemv(int64_t N, int64_t K, const float *a, int64_t sa,
                         const float *b, int64_t ldb, int64_t panelStride,
                         float *c, int64_t sc) {
  if (N <= 0 || K <= 0)
    return;
  GemvTile tileFn = selectTile();
  // The kernel reads a densely; a strided vector is copied once.
  std::vector<float> aCopy;
  if (sa != 1) {
    aCopy.resize(size_t(K));
    for (int64_t k = 0; k < K; ++k)
      aCopy[size_t(k)] = a[k * sa];
    a = aCopy.data();
  }
  int64_t panels = (N + kGemvCols - 1) / kGemvCols;
  int64_t tasks =
      std::min<int64_t>({int64_t(numThreads()), panels,
                         std::max<int64_t>(1, N * K / kMinTaskWork)});
  auto run = [&](int64_t t) {
    int64_t p0 = panels * t / tasks, p1 = panels * (t + 1) / tasks;
    float out[kGemvPanels * kGemvCols];
    for (int64_t p = p0; p < p1; p += kGemvPanels) {
      int np = int(std::min<int64_t>(kGemvPanels, p1 - p));
      int64_t n0 = p * kGemvCols;
      int64_t cols = std::min<int64_t>(np * kGemvCols, N - n0);
      int lastCols = int(cols - (np - 1) * kGemvCols);
      tileFn(np, lastCols, K, a, b + p * panelStride, ldb, panelStride, out);
      float *cp = c + n0 * sc;
      for (int64_t j = 0; j < cols; ++j)
        cp[j * sc] += out[j];
    }
  };
  if (tasks <= 1)
    run(0);
  else
    parallelFor(tasks, [&](int64_t t) { run(t); });
}
