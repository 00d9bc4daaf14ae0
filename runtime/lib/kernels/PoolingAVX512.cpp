//===- PoolingAVX512.cpp - AVX-512 pooling plane kernel ------------------===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; defines nothing inline that other translation units share.
//
// Sixteen outputs of a row per vector (up to four vectors) stay in
// registers across the window; inputs with column step 1 are loaded, step 2
// loaded as two vectors and an even-lane permute, other steps gathered one
// by one. Each output is combined with its taps in (kh, kw) order, as the
// portable code does. A window over a whole contiguous plane (global
// pooling) is reduced sixteen lanes at a time and then across the lanes.
//
//===----------------------------------------------------------------------===//
#include "Pooling.h"

#include <immintrin.h>

#include <cmath>

using namespace dsrt::kernels;

namespace {

constexpr int kVecs = 4;

__mmask16 tailMask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF)
                    : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
}

/// arith.maximumf or addition, lane by lane.
inline __m512 combine(bool max, __m512 acc, __m512 x) {
  if (!max)
    return _mm512_add_ps(acc, x);
  // vmaxps returns its second operand when either is NaN; a NaN in either
  // must win, so lanes with a NaN take acc + x (NaN).
  __mmask16 nan = _mm512_cmp_ps_mask(acc, x, _CMP_UNORD_Q);
  return _mm512_mask_add_ps(_mm512_max_ps(acc, x), nan, acc, x);
}

/// Inputs src[i * step] of the lanes in `mask`, a prefix of `cols` lanes.
inline __m512 loadStrided(const float *src, int64_t step, __mmask16 mask,
                          int64_t cols) {
  if (step == 1)
    return _mm512_maskz_loadu_ps(mask, src);
  if (step == 2) {
    const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                           12, 10, 8, 6, 4, 2, 0);
    int64_t span = 2 * cols - 1;
    __m512 lo = _mm512_maskz_loadu_ps(tailMask(span), src);
    __m512 hi = _mm512_maskz_loadu_ps(tailMask(span - 16), src + 16);
    return _mm512_permutex2var_ps(lo, evens, hi);
  }
  alignas(64) float lanes[16] = {};
  for (int64_t i = 0; i < cols; ++i)
    lanes[i] = src[i * step];
  return _mm512_load_ps(lanes);
}

float reduceLanes(bool max, __m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float acc = lanes[0];
  for (int i = 1; i < 16; ++i) {
    float x = lanes[i];
    if (!max)
      acc += x;
    else if (x != x || acc != acc)
      acc = acc + x;
    else
      acc = acc < x ? x : acc;
  }
  return acc;
}

} // namespace

void dsrt::kernels::poolPlaneAVX512(bool max, int64_t OH, int64_t OW,
                                    int64_t KH, int64_t KW, int64_t sh,
                                    int64_t sw, int64_t dh, int64_t dw,
                                    const float *in, int64_t sI2, int64_t sI3,
                                    float *out, int64_t sO2, int64_t sO3) {
  if (OH == 1 && OW == 1 && sI3 == 1 && sI2 == KW && dh == 1 && dw == 1) {
    // Global pooling of a contiguous plane.
    int64_t n = KH * KW;
    __m512 acc = max ? _mm512_set1_ps(-INFINITY) : _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
      __mmask16 m = tailMask(n - i);
      __m512 x = _mm512_maskz_loadu_ps(m, in + i);
      acc = _mm512_mask_mov_ps(acc, m, combine(max, acc, x));
    }
    float r = reduceLanes(max, acc);
    float o = *out;
    if (!max)
      *out = o + r;
    else
      *out = (o != o || r != r) ? o + r : (o < r ? r : o);
    return;
  }
  if (sO3 != 1) {
    poolPlaneGeneric(max, OH, OW, KH, KW, sh, sw, dh, dw, in, sI2, sI3, out,
                     sO2, sO3);
    return;
  }
  int64_t step = sw * sI3;
  for (int64_t oh = 0; oh < OH; ++oh) {
    float *o = out + oh * sO2;
    for (int64_t ow0 = 0; ow0 < OW; ow0 += kVecs * 16) {
      __mmask16 mask[kVecs];
      int64_t cols[kVecs];
      __m512 acc[kVecs];
      for (int v = 0; v < kVecs; ++v) {
        int64_t left = OW - (ow0 + v * 16);
        cols[v] = left < 0 ? 0 : left > 16 ? 16 : left;
        mask[v] = tailMask(left);
        acc[v] = _mm512_maskz_loadu_ps(mask[v], o + ow0 + v * 16);
      }
      for (int64_t kh = 0; kh < KH; ++kh) {
        const float *row = in + (oh * sh + kh * dh) * sI2 + ow0 * step;
        for (int64_t kw = 0; kw < KW; ++kw) {
          const float *src = row + kw * dw * sI3;
          for (int v = 0; v < kVecs; ++v) {
            if (!mask[v])
              break;
            acc[v] = combine(max, acc[v],
                             loadStrided(src + v * 16 * step, step, mask[v],
                                         cols[v]));
          }
        }
      }
      for (int v = 0; v < kVecs; ++v)
        if (mask[v])
          _mm512_mask_storeu_ps(o + ow0 + v * 16, mask[v], acc[v]);
    }
  }
}
