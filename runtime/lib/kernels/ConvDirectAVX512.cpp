//===- ConvDirectAVX512.cpp - AVX-512 tile of the direct convolution -----===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; like MicrokernelAVX512.cpp it defines nothing inline that
// other translation units share (own templates in an anonymous namespace).
//
// Per reduction step: one offset load, two weight vectors, ROWS broadcasts
// straight from the input and 2 * ROWS FMAs into 24 zmm accumulators (for
// 12 rows), so the FMA ports, not the loads, bound it.
//
//===----------------------------------------------------------------------===//
#include "ConvDirect.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

template <int R, int NV>
inline void convTile(int64_t kc, const float *in, const int64_t *off,
                     const float *W, float *C, int64_t ldc, bool accumulate) {
  __m512 acc[R][NV];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      acc[i][v] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; ++k) {
    const float *x = in + off[k];
    const float *w = W + k * kConvCols;
    __m512 b[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      b[v] = _mm512_load_ps(w + 16 * v);
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      __m512 a = _mm512_set1_ps(x[i]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[i][v] = _mm512_fmadd_ps(a, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float *c = C + i * ldc + 16 * v;
      __m512 r = accumulate ? _mm512_add_ps(_mm512_loadu_ps(c), acc[i][v])
                            : acc[i][v];
      _mm512_storeu_ps(c, r);
    }
}

template <int NV>
inline void convRows(int rows, int64_t kc, const float *in, const int64_t *off,
                     const float *W, float *C, int64_t ldc, bool accumulate) {
  switch (rows) {
#define DSRT_CONV_ROWS(R)                                                      \
  case R:                                                                      \
    return convTile<R, NV>(kc, in, off, W, C, ldc, accumulate);
    DSRT_CONV_ROWS(1)
    DSRT_CONV_ROWS(2)
    DSRT_CONV_ROWS(3)
    DSRT_CONV_ROWS(4)
    DSRT_CONV_ROWS(5)
    DSRT_CONV_ROWS(6)
    DSRT_CONV_ROWS(7)
    DSRT_CONV_ROWS(8)
    DSRT_CONV_ROWS(9)
    DSRT_CONV_ROWS(10)
    DSRT_CONV_ROWS(11)
    DSRT_CONV_ROWS(12)
#undef DSRT_CONV_ROWS
  default:
    return;
  }
}

} // namespace

void dsrt::kernels::convTileAVX512(int rows, int vecs, int64_t kc,
                                   const float *in, const int64_t *off,
                                   const float *W, float *C, int64_t ldc,
                                   bool accumulate) {
  if (vecs == 2)
    convRows<2>(rows, kc, in, off, W, C, ldc, accumulate);
  else
    convRows<1>(rows, kc, in, off, W, C, ldc, accumulate);
}

namespace {

/// r[j] = column j of the 16x16 matrix whose row i is r[i].
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  // r[4b + j] now holds, in each 128-bit lane l, column j of rows 4b..4b+3
  // restricted to columns 4l..4l+3, i.e. element (4b + e, 4l + j).
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      t[8 * h + j] = _mm512_shuffle_f32x4(r[8 * h + j], r[8 * h + 4 + j], 0x88);
      t[8 * h + 4 + j] =
          _mm512_shuffle_f32x4(r[8 * h + j], r[8 * h + 4 + j], 0xDD);
    }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
    r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xDD);
  }
}

inline __mmask16 maskOf(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF)
                 : static_cast<__mmask16>((1u << n) - 1u);
}

} // namespace

namespace {

/// Columns j < nc of a transposed 16x16 block: r[j] holds channel j's
/// pixels [0, 16) (pixels past the mask pm dropped), written to
/// out[j * ldo + i] with the addends added and the clamp applied.
inline void storeChannels(const __m512 r[16], int64_t nc, __mmask16 pm,
                          float *out, int64_t ldo, const ConvAddend *add,
                          __m512 vlo, __m512 vhi, bool clamp) {
  for (int64_t j = 0; j < nc; ++j) {
    __m512 v = r[j];
    for (int a = 0; a < 2; ++a) {
      if (!add[a].p)
        continue;
      const float *src = add[a].p + j * add[a].sf;
      v = _mm512_add_ps(v, add[a].si == 0 ? _mm512_set1_ps(*src)
                                          : _mm512_maskz_loadu_ps(pm, src));
    }
    // max/min return their second operand when either is NaN.
    if (clamp)
      v = _mm512_min_ps(vhi, _mm512_max_ps(vlo, v));
    _mm512_mask_storeu_ps(out + j * ldo, pm, v);
  }
}

inline bool addendsContiguous(const ConvAddend *add) {
  for (int a = 0; a < 2; ++a)
    if (add[a].p && add[a].si != 0 && add[a].si != 1)
      return false;
  return true;
}

} // namespace

void dsrt::kernels::convStoreAVX512(const float *T, int64_t ldT,
                                    int64_t count, int64_t nf, float *out,
                                    int64_t ldo, const ConvAddend *add,
                                    float lo, float hi, bool clamp) {
  if (!addendsContiguous(add)) {
    convStoreGeneric(T, ldT, count, nf, out, ldo, add, lo, hi, clamp);
    return;
  }
  __mmask16 pm = maskOf(count);
  __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int64_t fb = 0; fb < nf; fb += 16) {
    int64_t nc = nf - fb < 16 ? nf - fb : 16;
    __mmask16 fm = maskOf(nc);
    __m512 r[16];
    for (int i = 0; i < 16; ++i)
      r[i] = i < count ? _mm512_maskz_loadu_ps(fm, T + i * ldT + fb)
                       : _mm512_setzero_ps();
    transpose16(r);
    ConvAddend at[2] = {add[0], add[1]};
    for (int a = 0; a < 2; ++a)
      if (at[a].p)
        at[a].p += fb * at[a].sf;
    storeChannels(r, nc, pm, out + fb * ldo, ldo, at, vlo, vhi, clamp);
  }
}

namespace {

/// R consecutive pixels x 16 channels over the whole reduction, kept in R
/// zmm accumulators (one per pixel), then transposed in registers and
/// stored: per reduction step one weight load and R FMAs with an embedded
/// broadcast of the input.
template <int R>
inline void convTileStore16(int64_t nf, int64_t K, const float *in,
                            const int64_t *off, const float *W, int64_t ldW,
                            float *out, int64_t ldo, const ConvAddend *add,
                            float lo, float hi, bool clamp) {
  __m512 acc[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i)
    acc[i] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (int64_t k = 0; k < K; ++k) {
    const float *x = in + off[k];
    __m512 w = _mm512_load_ps(W + k * ldW);
    // The input lines of the tile two ahead: K streams (one per reduction
    // step, a plane apart) are more than the hardware prefetchers follow.
    _mm_prefetch(reinterpret_cast<const char *>(x + 2 * kConvStoreRows),
                 _MM_HINT_T0);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i)
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(x[i]), w, acc[i]);
  }
  transpose16(acc);
  storeChannels(acc, nf, maskOf(R), out, ldo, add, _mm512_set1_ps(lo),
                _mm512_set1_ps(hi), clamp);
}

} // namespace

void dsrt::kernels::convTileStoreAVX512(int rows, int64_t nf, int64_t K,
                                        const float *in, const int64_t *off,
                                        const float *W, int64_t ldW,
                                        float *out, int64_t ldo,
                                        const ConvAddend *add, float lo,
                                        float hi, bool clamp) {
  if (!addendsContiguous(add)) {
    convTileStoreGeneric(rows, nf, K, in, off, W, ldW, out, ldo, add, lo, hi,
                         clamp);
    return;
  }
  switch (rows) {
#define DSRT_CONV_ROWS(R)                                                      \
  case R:                                                                      \
    return convTileStore16<R>(nf, K, in, off, W, ldW, out, ldo, add, lo, hi,   \
                              clamp);
    DSRT_CONV_ROWS(1)
    DSRT_CONV_ROWS(2)
    DSRT_CONV_ROWS(3)
    DSRT_CONV_ROWS(4)
    DSRT_CONV_ROWS(5)
    DSRT_CONV_ROWS(6)
    DSRT_CONV_ROWS(7)
    DSRT_CONV_ROWS(8)
    DSRT_CONV_ROWS(9)
    DSRT_CONV_ROWS(10)
    DSRT_CONV_ROWS(11)
    DSRT_CONV_ROWS(12)
    DSRT_CONV_ROWS(13)
    DSRT_CONV_ROWS(14)
    DSRT_CONV_ROWS(15)
    DSRT_CONV_ROWS(16)
#undef DSRT_CONV_ROWS
  default:
    return;
  }
}
