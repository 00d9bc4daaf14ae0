//===- EpilogueAVX512.cpp - AVX-512 epilogue of fused kernel calls -------===//
//
// Compiled with -mavx512f (see runtime/CMakeLists.txt) and called only after
// a CPUID check; like MicrokernelAVX512.cpp it defines nothing inline that
// other translation units share. Sixteen columns per step: addends with
// column stride 1 are loaded, stride 0 broadcast; max/min keep a NaN of the
// value (the second operand of vmaxps/vminps is returned when either is
// NaN), as arith.maximumf does; NaN bounds are handled by the caller.
//
//===----------------------------------------------------------------------===//
#include "Epilogue.h"

#include <immintrin.h>

using namespace dsrt::kernels;

void dsrt::kernels::epilogueTileAVX512(const Epilogue &e, int64_t i0,
                                       int64_t mr, int64_t j0, int64_t nr,
                                       float *C, int64_t ldc) {
  for (const Addend &a : e.add)
    if (a.p && a.s1 != 0 && a.s1 != 1) {
      epilogueTileGeneric(e, i0, mr, j0, nr, C, ldc);
      return;
    }
  __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi);
  for (int64_t i = 0; i < mr; ++i) {
    float *c = C + i * ldc;
    const float *a[2];
    for (int t = 0; t < 2; ++t)
      a[t] = e.add[t].p ? e.add[t].p + (i0 + i) * e.add[t].s0 +
                              j0 * e.add[t].s1
                        : nullptr;
    for (int64_t j = 0; j < nr; j += 16) {
      int64_t left = nr - j;
      __mmask16 m = left >= 16 ? __mmask16(0xFFFF)
                               : __mmask16((1u << left) - 1);
      __m512 v = _mm512_maskz_loadu_ps(m, c + j);
      for (int t = 0; t < 2; ++t) {
        if (!a[t])
          continue;
        __m512 x = e.add[t].s1 == 0 ? _mm512_set1_ps(*a[t])
                                    : _mm512_maskz_loadu_ps(m, a[t] + j);
        v = _mm512_add_ps(v, x);
      }
      if (e.clamp)
        v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
      _mm512_mask_storeu_ps(c + j, m, v);
    }
  }
}
