//===- Pooling.h - 2-D pooling reductions -------------------------*- C++ -*-===//
//
// dsrt_kernel_pool2d_f32 (runtime/include/dsrt/kernels.h): the max and sum
// windows of pooling layers (MaxPool, AveragePool before its division,
// GlobalAveragePool) that dsg → linalg leaves as reduction generics. As
// loops they ran one scalar NaN-checking compare and one store per element
// and window tap (LLVM cannot tell the output from the input); here each
// (image, channel) plane is a task and a row of outputs stays in vector
// registers across the window.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_POOLING_H
#define DSRT_LIB_KERNELS_POOLING_H

#include <cstdint>

namespace dsrt::kernels {

/// One plane: out[oh*sO2 + ow*sO3] = op over kh < KH, kw < KW, in that
/// order, starting from its old value, of in[(oh*sh + kh*dh)*sI2 +
/// (ow*sw + kw*dw)*sI3]; op is arith.maximumf (NaN if either operand is)
/// when `max`, else addition. A window covering the whole plane (OH = OW =
/// 1, sI3 = 1, sI2 = KW) may be summed in another order.
using PoolPlane = void (*)(bool max, int64_t OH, int64_t OW, int64_t KH,
                           int64_t KW, int64_t sh, int64_t sw, int64_t dh,
                           int64_t dw, const float *in, int64_t sI2,
                           int64_t sI3, float *out, int64_t sO2, int64_t sO3);

/// AVX-512F; only to be called when the CPU has AVX-512F.
void poolPlaneAVX512(bool max, int64_t OH, int64_t OW, int64_t KH, int64_t KW,
                     int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                     const float *in, int64_t sI2, int64_t sI3, float *out,
                     int64_t sO2, int64_t sO3);
/// Portable code, in the exact order above.
void poolPlaneGeneric(bool max, int64_t OH, int64_t OW, int64_t KH,
                      int64_t KW, int64_t sh, int64_t sw, int64_t dh,
                      int64_t dw, const float *in, int64_t sI2, int64_t sI3,
                      float *out, int64_t sO2, int64_t sO3);

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_POOLING_H
