//===- DepthwiseAVX512.cpp - AVX-512 depthwise convolution kernels -------===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; like MicrokernelAVX512.cpp it defines nothing inline that
// other translation units share.
//
// The flat kernel (Depthwise.h) keeps kVecs x 16 consecutive outputs in zmm
// accumulators across all taps: each tap adds its broadcast weight times
// sixteen inputs (masked at the run's end): one load for step 1, two loads
// and an even-lane permute for step 2. For 3x3 kernels the weights stay in
// registers across blocks.
//
//===----------------------------------------------------------------------===//
#include "Depthwise.h"

#include <immintrin.h>

using namespace dsrt::kernels;

namespace {

constexpr int kVecs = 4;
constexpr int64_t kBlock = kVecs * 16;

__mmask16 tailMask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF)
                    : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
}

/// Sixteen inputs src[kStep * i] for the lanes i of `mask` (a prefix),
/// reading nothing past the last of them.
template <int kStep>
inline __m512 loadInputs(const float *src, __mmask16 mask, int64_t cols) {
  if (kStep == 1)
    return _mm512_maskz_loadu_ps(mask, src);
  // Even lanes of the 32 floats from two loads: columns 0, 2, ..., 30.
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                         12, 10, 8, 6, 4, 2, 0);
  int64_t span = 2 * cols - 1;
  __m512 lo = _mm512_maskz_loadu_ps(tailMask(span), src);
  __m512 hi = _mm512_maskz_loadu_ps(tailMask(span - 16), src + 16);
  return _mm512_permutex2var_ps(lo, evens, hi);
}

/// One block of up to kBlock outputs at p0; `kT` taps when positive (the
/// loop unrolls), else `T` taps.
template <int kT, int kStep>
inline void flatBlock(int64_t p0, int64_t L, int64_t T, const int64_t *off,
                      const __m512 *wv, const float *w, const float *in,
                      __m512 bias, bool clamp, __m512 lo, __m512 hi,
                      float *out) {
  __mmask16 mask[kVecs];
  int64_t cols[kVecs];
  __m512 acc[kVecs];
#pragma GCC unroll 4
  for (int v = 0; v < kVecs; ++v) {
    int64_t left = L - (p0 + v * 16);
    cols[v] = left < 0 ? 0 : left > 16 ? 16 : left;
    mask[v] = tailMask(left);
    acc[v] = _mm512_setzero_ps();
  }
  int64_t taps = kT > 0 ? kT : T;
#pragma GCC unroll 9
  for (int64_t t = 0; t < taps; ++t) {
    __m512 weight = kT > 0 ? wv[t] : _mm512_set1_ps(w[t]);
    const float *src = in + off[t] + kStep * p0;
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v)
      acc[v] = _mm512_fmadd_ps(
          weight, loadInputs<kStep>(src + kStep * 16 * v, mask[v], cols[v]),
          acc[v]);
  }
#pragma GCC unroll 4
  for (int v = 0; v < kVecs; ++v) {
    __m512 x = _mm512_add_ps(acc[v], bias);
    // A NaN sum stays NaN: vmaxps/vminps return the second operand when
    // either is NaN.
    if (clamp)
      x = _mm512_min_ps(hi, _mm512_max_ps(lo, x));
    _mm512_mask_storeu_ps(out + p0 + v * 16, mask[v], x);
  }
}

template <int kT, int kStep>
void flat(int64_t L, int64_t T, const int64_t *off, const float *w,
          const float *in, const DepthwiseFinish &finish, float *out) {
  __m512 wv[kT > 0 ? kT : 1];
  for (int t = 0; t < kT; ++t)
    wv[t] = _mm512_set1_ps(w[t]);
  __m512 bias = _mm512_set1_ps(finish.bias);
  __m512 lo = _mm512_set1_ps(finish.lo), hi = _mm512_set1_ps(finish.hi);
  for (int64_t p0 = 0; p0 < L; p0 += kBlock)
    flatBlock<kT, kStep>(p0, L, T, off, wv, w, in, bias, finish.clamp, lo, hi,
                         out);
}

} // namespace

void dsrt::kernels::depthwiseFlatAVX512(int64_t L, int64_t step, int64_t T,
                                        const int64_t *off, const float *w,
                                        const float *in,
                                        const DepthwiseFinish &finish,
                                        float *out) {
  if (step == 1) {
    if (T == 9)
      flat<9, 1>(L, T, off, w, in, finish, out);
    else
      flat<0, 1>(L, T, off, w, in, finish, out);
  } else if (step == 2) {
    if (T == 9)
      flat<9, 2>(L, T, off, w, in, finish, out);
    else
      flat<0, 2>(L, T, off, w, in, finish, out);
  } else {
    depthwiseFlatGeneric(L, step, T, off, w, in, finish, out);
  }
}

void dsrt::kernels::copyRowsAVX512(const float *src, int64_t srcStride,
                                   int64_t rows, int64_t n, float *dst,
                                   int64_t dstStride) {
  for (int64_t i = 0; i < rows; ++i) {
    const float *s = src + i * srcStride;
    float *d = dst + i * dstStride;
    for (int64_t j = 0; j < n; j += 16) {
      __mmask16 m = tailMask(n - j);
      _mm512_mask_storeu_ps(d + j, m, _mm512_maskz_loadu_ps(m, s + j));
    }
  }
}
