//===- Depthwise.h - depthwise 2-D convolution kernel ------------*- C++ -*-===//
//
// A convolution with one input and one output channel per group (MobileNet's
// depthwise layers) is G independent single-channel 2-D correlations: as a
// grouped GEMM it is G products of a 1 x KH*KW weight row with a KH*KW x
// OH*OW im2col matrix, so packing dominates and the 12x32 microkernel runs
// one row of twelve. dsrt_kernel_conv2d_f32 sends such calls here instead:
// each (image, channel) plane is a task on the runtime's pool and each output
// row is computed by a row kernel that keeps the whole row in registers
// across the KH*KW taps (AVX-512 along the output width, or scalar code).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_DEPTHWISE_H
#define DSRT_LIB_KERNELS_DEPTHWISE_H

#include "Epilogue.h"

#include <cstdint>
#include <functional>

namespace dsrt::kernels {

/// One output row of a single-channel correlation:
///   out[ow] += sum_{kh,kw} w[kh*KW + kw] * in[kh*rowStep + (ow*sw + kw*dw)*sIW]
/// for ow in [0, OW); `rowStep` is the element distance between the input
/// rows of consecutive taps kh (dilation included), `w` is dense KH x KW.
using DepthwiseRow = void (*)(int64_t OW, int64_t KH, int64_t KW, int64_t sw,
                              int64_t dw, const float *in, int64_t rowStep,
                              int64_t sIW, const float *w, float *out);

/// AVX-512F; only to be called when the CPU has AVX-512F, and only with
/// |(OW*sw + KW*dw) * sIW| < 2^31 (gather indices are 32-bit).
void depthwiseRowAVX512(int64_t OW, int64_t KH, int64_t KW, int64_t sw,
                        int64_t dw, const float *in, int64_t rowStep,
                        int64_t sIW, const float *w, float *out);
/// Portable scalar code.
void depthwiseRowGeneric(int64_t OW, int64_t KH, int64_t KW, int64_t sw,
                         int64_t dw, const float *in, int64_t rowStep,
                         int64_t sIW, const float *w, float *out);

/// The row kernel for this CPU: AVX-512 when the CPU has it, unless the
/// environment sets DSRT_GENERIC_KERNELS (read on every call, so tests can
/// cover both variants in one process).
DepthwiseRow selectDepthwiseRow();

/// The epilogue of plane (n, g) of a fused call, on rows oh, columns ow.
using DepthwisePlaneEpilogue = std::function<Epilogue(int64_t n, int64_t g)>;

/// dsrt_kernel_conv2d_f32 / dsrt_kernel_conv2d_fused_f32 for F == 1 and
/// C == 1 (same arguments, less F, C and flags): the weight of group g is
/// the KH x KW plane at weight + g*sW0. Input rows and columns outside
/// [0, IH) x [0, IW), after subtracting padH and padW, read as zeros (a
/// plane that needs them is copied into a zero-padded buffer first). With
/// `epilogue` the output is written, with the epilogue applied; without, it
/// is accumulated into.
void depthwiseConv2d(int64_t N, int64_t G, int64_t OH, int64_t OW, int64_t KH,
                     int64_t KW, int64_t sh, int64_t sw, int64_t dh,
                     int64_t dw, int64_t IH, int64_t IW, int64_t padH,
                     int64_t padW, const float *in, int64_t sI0, int64_t sI1,
                     int64_t sI3, int64_t sI4, const float *weight,
                     int64_t sW0, int64_t sW3, int64_t sW4, float *out,
                     int64_t sO0, int64_t sO1, int64_t sO3, int64_t sO4,
                     const DepthwisePlaneEpilogue *epilogue);

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_DEPTHWISE_H
