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

// GCC 12's unpack and extract intrinsics pass _mm512_undefined_ps(), a
// self-initialized variable, as the unused merge operand, and
// -Wmaybe-uninitialized flags it once inlined (GCC bug 105593): nothing
// here reads an undefined value.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
void dsrt::kernels::packPanelAVX512(const float *src, int64_t ld, int64_t kc,
                                    float *dst) {
  static_assert(kMR == 12, "the transpose below handles 12 rows");
  int64_t k = 0;
  for (; k + 16 <= kc; k += 16) {
    // Rows 4g..4g+3 interleaved in two steps: afterwards lane j (128 bits)
    // of u[g][m] holds column 4j+m of those four rows, i.e. one third of
    // the packed column, stored as is.
    __m512 u[3][4];
#pragma GCC unroll 3
    for (int g = 0; g < 3; ++g) {
      const float *r = src + 4 * g * ld + k;
      __m512 r0 = _mm512_loadu_ps(r), r1 = _mm512_loadu_ps(r + ld),
             r2 = _mm512_loadu_ps(r + 2 * ld), r3 = _mm512_loadu_ps(r + 3 * ld);
      __m512 t0 = _mm512_unpacklo_ps(r0, r1), t1 = _mm512_unpackhi_ps(r0, r1);
      __m512 t2 = _mm512_unpacklo_ps(r2, r3), t3 = _mm512_unpackhi_ps(r2, r3);
      u[g][0] = _mm512_castpd_ps(
          _mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
      u[g][1] = _mm512_castpd_ps(
          _mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
      u[g][2] = _mm512_castpd_ps(
          _mm512_unpacklo_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
      u[g][3] = _mm512_castpd_ps(
          _mm512_unpackhi_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
    }
    float *d = dst + k * kMR;
#pragma GCC unroll 3
    for (int g = 0; g < 3; ++g)
#pragma GCC unroll 4
      for (int m = 0; m < 4; ++m) {
        _mm_storeu_ps(d + m * kMR + 4 * g, _mm512_castps512_ps128(u[g][m]));
        _mm_storeu_ps(d + (4 + m) * kMR + 4 * g,
                      _mm512_extractf32x4_ps(u[g][m], 1));
        _mm_storeu_ps(d + (8 + m) * kMR + 4 * g,
                      _mm512_extractf32x4_ps(u[g][m], 2));
        _mm_storeu_ps(d + (12 + m) * kMR + 4 * g,
                      _mm512_extractf32x4_ps(u[g][m], 3));
      }
  }
  for (; k < kc; ++k)
    for (int i = 0; i < kMR; ++i)
      dst[k * kMR + i] = src[i * ld + k];
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
