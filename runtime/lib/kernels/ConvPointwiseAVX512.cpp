//===- ConvPointwiseAVX512.cpp - AVX-512 tile of the 1x1 convolution -----===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; defines nothing inline that other translation units share.
//
// Per reduction step of a full tile: kPwVecs (3) input vectors loaded
// straight from the input row, kPwRows (8) weights broadcast from memory
// (embedded broadcasts) and 24 FMAs into 24 zmm accumulators, so the FMA
// ports bound it; the result is in NCHW order and is stored directly.
//
//===----------------------------------------------------------------------===//
#include "ConvPointwise.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

inline __mmask16 lanes(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF)
         : n <= 0 ? static_cast<__mmask16>(0)
                  : static_cast<__mmask16>((1u << n) - 1u);
}

template <int NV, bool PF>
inline void pointwiseTile(int nf, int npix, int64_t K, const float *x,
                          int64_t ldx, const float *W, float *out, int64_t ldo,
                          const ConvAddend *add, float lo, float hi,
                          bool clamp) {
  __m512 acc[kPwRows][NV];
#pragma GCC unroll 8
  for (int r = 0; r < kPwRows; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v)
      acc[r][v] = _mm512_setzero_ps();
  // Only the last vector may be partial (NV = ceil(npix / 16)).
  const __mmask16 last = lanes(npix - 16 * (NV - 1));
#pragma GCC unroll 2
  for (int64_t k = 0; k < K; ++k) {
    const float *xk = x + k * ldx;
    __m512 a[NV];
#pragma GCC unroll 3
    for (int v = 0; v < NV - 1; ++v)
      a[v] = _mm512_loadu_ps(xk + 16 * v);
    a[NV - 1] = _mm512_maskz_loadu_ps(last, xk + 16 * (NV - 1));
    if (PF) {
      // The next tile's input: K rows a plane apart are more streams than
      // the hardware prefetchers follow.
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v)
        _mm_prefetch(reinterpret_cast<const char *>(xk + 16 * (NV + v)),
                     _MM_HINT_T0);
    }
    const float *w = W + k * kPwRows;
#pragma GCC unroll 8
    for (int r = 0; r < kPwRows; ++r) {
      __m512 b = _mm512_set1_ps(w[r]);
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v)
        acc[r][v] = _mm512_fmadd_ps(a[v], b, acc[r][v]);
    }
  }
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
#pragma GCC unroll 8
  for (int r = 0; r < kPwRows; ++r) {
    if (r >= nf)
      break;
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) {
      __mmask16 m = v == NV - 1 ? last : static_cast<__mmask16>(0xFFFF);
      __m512 val = acc[r][v];
      for (int t = 0; t < 2; ++t) {
        if (!add[t].p)
          continue;
        const float *src = add[t].p + r * add[t].sf;
        val = _mm512_add_ps(val, add[t].si == 0
                                     ? _mm512_set1_ps(*src)
                                     : _mm512_maskz_loadu_ps(m, src + 16 * v));
      }
      // max/min return their second operand when either is NaN.
      if (clamp)
        val = _mm512_min_ps(vhi, _mm512_max_ps(vlo, val));
      _mm512_mask_storeu_ps(out + r * ldo + 16 * v, m, val);
    }
  }
}

template <bool PF>
inline void pointwiseTiles(int nf, int npix, int64_t K, const float *x,
                           int64_t ldx, const float *W, float *out,
                           int64_t ldo, const ConvAddend *add, float lo,
                           float hi, bool clamp) {
  static_assert(kPwVecs == 3, "the dispatch below covers 1-3 vectors");
  switch ((npix + 15) / 16) {
  case 1:
    return pointwiseTile<1, PF>(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi,
                                clamp);
  case 2:
    return pointwiseTile<2, PF>(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi,
                                clamp);
  case 3:
    return pointwiseTile<3, PF>(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi,
                                clamp);
  default:
    return;
  }
}

} // namespace

void dsrt::kernels::convPointwiseTileAVX512(int nf, int npix, int64_t K,
                                            const float *x, int64_t ldx,
                                            const float *W, float *out,
                                            int64_t ldo, const ConvAddend *add,
                                            float lo, float hi, bool clamp,
                                            bool prefetch) {
  for (int t = 0; t < 2; ++t)
    if (add[t].p && add[t].si != 0 && add[t].si != 1) {
      convPointwiseTileGeneric(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi,
                               clamp, prefetch);
      return;
    }
  if (prefetch)
    pointwiseTiles<true>(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi, clamp);
  else
    pointwiseTiles<false>(nf, npix, K, x, ldx, W, out, ldo, add, lo, hi,
                          clamp);
}
