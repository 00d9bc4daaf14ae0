//===- QGemmStoreAVX512.h - Masked row stores of the int8 kernels --------===//
//
// Shared by the AVX-512 VNNI and AMX int8 kernels. Include only from files
// compiled with AVX-512 enabled. The functions sit in an anonymous
// namespace on purpose: each ISA file gets its own copy, so the linker can
// never pick one compiled for another ISA (see MicrokernelAVX512.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_KERNELS_QGEMMSTOREAVX512_H
#define DSRT_KERNELS_QGEMMSTOREAVX512_H

#include "QGemm.h"

#include <immintrin.h>

namespace {

/// The lanes of a 16-float vector that hold one of `valid` columns.
inline __mmask16 columnMask(int64_t valid) {
  if (valid >= 16)
    return 0xFFFF;
  if (valid <= 0)
    return 0;
  return static_cast<__mmask16>((1u << valid) - 1);
}

/// Stores `out` (16 floats of row r, column block j) into the tile's C.
inline void storeVector(const dsrt::kernels::q::Tile &t, int64_t r, int64_t j,
                        __m512 out) {
  int64_t valid = t.nc - j * 16;
  if (valid <= 0)
    return;
  float *dst = t.c + r * t.sC0 + j * 16 * t.sC1;
  if (t.sC1 == 1) {
    _mm512_mask_storeu_ps(dst, columnMask(valid), out);
    return;
  }
  alignas(64) float tmp[16];
  _mm512_store_ps(tmp, out);
  for (int64_t i = 0; i < valid && i < 16; ++i)
    dst[i * t.sC1] = tmp[i];
}

} // namespace

#endif // DSRT_KERNELS_QGEMMSTOREAVX512_H
