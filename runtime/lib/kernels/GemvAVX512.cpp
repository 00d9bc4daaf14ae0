//===- GemvAVX512.cpp - AVX-512 tile of the matrix-vector product --------===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; defines nothing inline that other translation units share.
//
// Per step k: one broadcast of a[k], 2 * NP loads of B (NP independent
// streams, which the hardware prefetcher follows) and 2 * NP FMAs into as
// many accumulators. With NP = 4 that is eight dependency chains, enough to
// cover the FMA latency; the product is bound by reading B anyway.
//
//===----------------------------------------------------------------------===//
#include "Gemv.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

inline __mmask16 lanes(int n) {
  return n >= 16  ? static_cast<__mmask16>(0xFFFF)
         : n <= 0 ? static_cast<__mmask16>(0)
                  : static_cast<__mmask16>((1u << n) - 1u);
}

template <int NP>
inline void tile(int lastCols, int64_t K, const float *a, const float *b,
                 int64_t ldb, int64_t ps, float *out) {
  static_assert(kGemvCols == 32, "two vectors per panel");
  __mmask16 mask[2 * NP];
  for (int p = 0; p < NP; ++p) {
    int cols = p == NP - 1 ? lastCols : kGemvCols;
    mask[2 * p] = lanes(cols);
    mask[2 * p + 1] = lanes(cols - 16);
  }
  __m512 acc[2 * NP];
  for (int v = 0; v < 2 * NP; ++v)
    acc[v] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m512 x = _mm512_set1_ps(a[k]);
    const float *row = b + k * ldb;
    for (int p = 0; p < NP; ++p) {
      acc[2 * p] = _mm512_fmadd_ps(
          x, _mm512_maskz_loadu_ps(mask[2 * p], row + p * ps), acc[2 * p]);
      acc[2 * p + 1] = _mm512_fmadd_ps(
          x, _mm512_maskz_loadu_ps(mask[2 * p + 1], row + p * ps + 16),
          acc[2 * p + 1]);
    }
  }
  for (int v = 0; v < 2 * NP; ++v)
    _mm512_storeu_ps(out + 16 * v, acc[v]);
}

} // namespace

void dsrt::kernels::gemvTileAVX512(int np, int lastCols, int64_t K,
                                   const float *a, const float *b, int64_t ldb,
                                   int64_t panelStride, float *out) {
  switch (np) {
  case 1:
    return tile<1>(lastCols, K, a, b, ldb, panelStride, out);
  case 2:
    return tile<2>(lastCols, K, a, b, ldb, panelStride, out);
  case 3:
    return tile<3>(lastCols, K, a, b, ldb, panelStride, out);
  default:
    return tile<4>(lastCols, K, a, b, ldb, panelStride, out);
  }
}
