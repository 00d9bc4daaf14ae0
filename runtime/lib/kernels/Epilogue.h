//===- Epilogue.h - elementwise epilogues of fused kernel calls -*- C++ -*-===//
//
// What dsrt_kernel_conv2d_fused_f32 does to each output element after the
// reduction, while the element is still in cache: add up to two strided
// addends (a per-channel bias, a residual), then clamp (ReLU, ReLU6, Clip).
// The GEMM driver applies it to each microkernel tile after the tile's last
// K slice, the depthwise driver to each output row.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_EPILOGUE_H
#define DSRT_LIB_KERNELS_EPILOGUE_H

#include <cstdint>

namespace dsrt::kernels {

/// Element (i, j) of an addend is p[i*s0 + j*s1] (strides may be 0).
struct Addend {
  const float *p = nullptr;
  int64_t s0 = 0, s1 = 0;
};

/// v = min(max(v + add[0](i,j) + add[1](i,j), lo), hi), each part only when
/// present (a null addend, clamp == false).
struct Epilogue {
  Addend add[2];
  float lo = 0, hi = 0;
  bool clamp = false;
  bool empty() const { return !add[0].p && !add[1].p && !clamp; }
};

/// Applies `e` to rows [i0, i0+mr) x columns [j0, j0+nr) of a matrix whose
/// row i0 starts at C (rows ldc apart, unit column stride), in place.
using EpilogueTile = void (*)(const Epilogue &e, int64_t i0, int64_t mr,
                              int64_t j0, int64_t nr, float *C, int64_t ldc);

/// AVX-512F; only to be called when the CPU has AVX-512F. Addends with a
/// column stride other than 0 or 1 go to the generic code.
void epilogueTileAVX512(const Epilogue &e, int64_t i0, int64_t mr, int64_t j0,
                        int64_t nr, float *C, int64_t ldc);
/// Portable code.
void epilogueTileGeneric(const Epilogue &e, int64_t i0, int64_t mr,
                         int64_t j0, int64_t nr, float *C, int64_t ldc);

/// AVX-512 when the CPU has it and DSRT_GENERIC_KERNELS is unset.
EpilogueTile selectEpilogueTile();

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_EPILOGUE_H
