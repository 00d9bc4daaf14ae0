//===- MicrokernelAVX512.cpp - 12x32 AVX-512 GEMM microkernel ------------===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check, so this file must not instantiate templates or inline
// functions shared with other translation units (the linker could pick the
// AVX-512 copy for everyone): it uses intrinsics and its own templates in an
// anonymous namespace only.
//
// Each step k loads two vectors of B, broadcasts kMR values of A straight
// from memory into the FMAs, and updates 24 zmm accumulators: 24 FMAs per
// 14 loads, so the two FMA ports, not the load ports, bound it.
//
//===----------------------------------------------------------------------===//
#include "Microkernel.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

/// Full tiles (Masked = false) use plain loads; edge tiles mask columns.
template <int MR, int NV, bool Masked = true>
inline void tile(int64_t kc, const float *Ap, const float *Bp, int64_t ldb,
                 float *C, int64_t ldc, __mmask16 m0, __mmask16 m1,
                 bool accumulate) {
  // The C tile is read once, after kc steps: fetch it now so its misses
  // (rows a large power-of-two stride apart defeat the prefetchers)
  // overlap the arithmetic.
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    _mm_prefetch(reinterpret_cast<const char *>(C + i * ldc), _MM_HINT_T0);
    if (NV > 1)
      _mm_prefetch(reinterpret_cast<const char *>(C + i * ldc + 16),
                   _MM_HINT_T0);
  }
  __m512 acc[MR][NV];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      acc[i][v] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const float *b = Bp + k * ldb;
    // Software prefetch a few rows ahead: B and A stream from L2.
    _mm_prefetch(reinterpret_cast<const char *>(b + 8 * ldb), _MM_HINT_T0);
    if (NV > 1)
      _mm_prefetch(reinterpret_cast<const char *>(b + 8 * ldb + 16),
                   _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char *>(Ap + (k + 16) * kMR),
                 _MM_HINT_T0);
    __m512 bv[NV];
    if (Masked) {
      bv[0] = _mm512_maskz_loadu_ps(m0, b);
      if (NV > 1)
        bv[NV - 1] = _mm512_maskz_loadu_ps(m1, b + 16);
    } else {
      bv[0] = _mm512_loadu_ps(b);
      if (NV > 1)
        bv[NV - 1] = _mm512_loadu_ps(b + 16);
    }
    const float *a = Ap + k * kMR;
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      __m512 av = _mm512_set1_ps(a[i]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    float *c = C + i * ldc;
    if (!accumulate) {
      _mm512_mask_storeu_ps(c, m0, acc[i][0]);
      if (NV > 1)
        _mm512_mask_storeu_ps(c + 16, m1, acc[i][NV - 1]);
      continue;
    }
    _mm512_mask_storeu_ps(
        c, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c), acc[i][0]));
    if (NV > 1)
      _mm512_mask_storeu_ps(
          c + 16, m1,
          _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + 16), acc[i][NV - 1]));
  }
}

template <int NV>
inline void rows(int mr, int64_t kc, const float *Ap, const float *Bp,
                 int64_t ldb, float *C, int64_t ldc, __mmask16 m0,
                 __mmask16 m1, bool accumulate) {
  switch (mr) {
#define DSRT_ROWS(R)                                                           \
  case R:                                                                      \
    return tile<R, NV>(kc, Ap, Bp, ldb, C, ldc, m0, m1, accumulate);
    DSRT_ROWS(1)
    DSRT_ROWS(2)
    DSRT_ROWS(3)
    DSRT_ROWS(4)
    DSRT_ROWS(5)
    DSRT_ROWS(6)
    DSRT_ROWS(7)
    DSRT_ROWS(8)
    DSRT_ROWS(9)
    DSRT_ROWS(10)
    DSRT_ROWS(11)
    DSRT_ROWS(12)
#undef DSRT_ROWS
  default:
    return;
  }
}

inline __mmask16 maskOf(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF)
                 : static_cast<__mmask16>((1u << n) - 1u);
}

} // namespace

void dsrt::kernels::microkernelAVX512(int mr, int nr, int64_t kc,
                                      const float *Ap, const float *Bp,
                                      int64_t ldb, float *C, int64_t ldc,
                                      bool accumulate) {
  if (mr == kMR && nr == kNR)
    tile<kMR, 2, /*Masked=*/false>(kc, Ap, Bp, ldb, C, ldc, maskOf(16),
                                   maskOf(16), accumulate);
  else if (nr > 16)
    rows<2>(mr, kc, Ap, Bp, ldb, C, ldc, maskOf(16), maskOf(nr - 16),
            accumulate);
  else
    rows<1>(mr, kc, Ap, Bp, ldb, C, ldc, maskOf(nr), 0, accumulate);
}
