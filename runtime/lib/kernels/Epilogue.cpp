//===- Epilogue.cpp - elementwise epilogues of fused kernel calls --------===//
//
// See Epilogue.h. The portable version and the run-time choice.
//
//===----------------------------------------------------------------------===//
#include "Epilogue.h"

#include <cstdlib>

using namespace dsrt::kernels;

void dsrt::kernels::epilogueTileGeneric(const Epilogue &e, int64_t i0,
                                        int64_t mr, int64_t j0, int64_t nr,
                                        float *C, int64_t ldc) {
  for (int64_t i = 0; i < mr; ++i) {
    float *c = C + i * ldc;
    for (int t = 0; t < 2; ++t) {
      const Addend &a = e.add[t];
      if (!a.p)
        continue;
      const float *src = a.p + (i0 + i) * a.s0 + j0 * a.s1;
      for (int64_t j = 0; j < nr; ++j)
        c[j] += src[j * a.s1];
    }
    if (!e.clamp)
      continue;
    // A NaN value stays NaN (comparisons with it are false).
    for (int64_t j = 0; j < nr; ++j) {
      float v = c[j];
      v = v < e.lo ? e.lo : v;
      c[j] = v > e.hi ? e.hi : v;
    }
  }
}

EpilogueTile dsrt::kernels::selectEpilogueTile() {
#if defined(__x86_64__) && defined(DSRT_HAVE_AVX512_KERNELS)
  static const bool hasAVX512 = __builtin_cpu_supports("avx512f");
  if (hasAVX512 && !std::getenv("DSRT_GENERIC_KERNELS"))
    return epilogueTileAVX512;
#endif
  return epilogueTileGeneric;
}
