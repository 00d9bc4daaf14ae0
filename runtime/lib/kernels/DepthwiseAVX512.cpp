//===- DepthwiseAVX512.cpp - AVX-512 depthwise convolution row kernel ----===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; like MicrokernelAVX512.cpp it defines nothing inline that
// other translation units share.
//
// An output row is cut into blocks of up to kVecs x 16 columns that stay in
// zmm accumulators across all KH*KW taps: each tap broadcasts one weight
// and adds it times the input columns under the block, loaded with unit
// stride (masked at the row's end), as two loads and an even-lane permute
// for stride 2, or gathered for any other column stride.
//
//===----------------------------------------------------------------------===//
#include "Depthwise.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

constexpr int kVecs = 4;

__mmask16 tailMask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
}

} // namespace

void dsrt::kernels::depthwiseRowAVX512(int64_t OW, int64_t KH, int64_t KW,
                                       int64_t sw, int64_t dw,
                                       const float *in, int64_t rowStep,
                                       int64_t sIW, const float *w,
                                       float *out) {
  int64_t step = sw * sIW; // input elements between adjacent outputs
  bool unit = step == 1, two = step == 2;
  // Even lanes of the 32 floats from two loads: columns 0, 2, ..., 30.
  __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12,
                                   10, 8, 6, 4, 2, 0);
  __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
                                  3, 2, 1, 0);
  __m512i idx = _mm512_mullo_epi32(lane, _mm512_set1_epi32(int(step)));
  for (int64_t ow0 = 0; ow0 < OW; ow0 += kVecs * 16) {
    __mmask16 mask[kVecs];
    __m512 acc[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) {
      int64_t left = OW - (ow0 + v * 16);
      mask[v] = left > 0 ? tailMask(left) : __mmask16(0);
      acc[v] = _mm512_maskz_loadu_ps(mask[v], out + ow0 + v * 16);
    }
    for (int64_t kh = 0; kh < KH; ++kh) {
      const float *row = in + kh * rowStep + ow0 * step;
      for (int64_t kw = 0; kw < KW; ++kw) {
        __m512 wv = _mm512_set1_ps(w[kh * KW + kw]);
        const float *src = row + kw * dw * sIW;
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v) {
          if (!mask[v])
            break;
          const float *p = src + v * 16 * step;
          __m512 x;
          if (unit) {
            x = _mm512_maskz_loadu_ps(mask[v], p);
          } else if (two) {
            // Output lane i reads p[2i]: lanes up to 2*(last column) only.
            int64_t cols = _mm_popcnt_u32(mask[v]);
            int64_t span = 2 * cols - 1;
            __m512 lo = _mm512_maskz_loadu_ps(tailMask(span), p);
            __m512 hi = span > 16 ? _mm512_maskz_loadu_ps(
                                        tailMask(span - 16), p + 16)
                                  : _mm512_setzero_ps();
            x = _mm512_permutex2var_ps(lo, evens, hi);
          } else {
            x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask[v], idx,
                                         p, 4);
          }
          acc[v] = _mm512_fmadd_ps(wv, x, acc[v]);
        }
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v)
      if (mask[v])
        _mm512_mask_storeu_ps(out + ow0 + v * 16, mask[v], acc[v]);
  }
}
