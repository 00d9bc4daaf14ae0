//===- Depthwise.h - depthwise 2-D convolution kernel ------------*- C++ -*-===//
//
// A convolution with one input and one output channel per group (MobileNet's
// depthwise layers) is G independent single-channel 2-D correlations: as a
// grouped GEMM it is G products of a 1 x KH*KW weight row with a KH*KW x
// OH*OW im2col matrix, so packing dominates and the 12x32 microkernel runs
// one row of twelve. dsrt_kernel_conv2d_f32 sends such calls here instead.
//
// Each (image, channel) plane is a task on the runtime's pool. The plane is
// computed "flat": with its input laid out so that every tap (kh, kw) reads
// input sw*p + off(kh, kw) for output p = oh * Wo + ow (Wo >= OW; columns
// beyond OW are computed and dropped), the outputs of all rows form one run
// and the kernel is a 1-D correlation over it, sixteen outputs per vector
// whatever the plane's width: a 7x7 plane takes four vectors instead of
// seven one-row vectors half empty. The input rows are R = sw*Wo floats
// apart; with row stride sh they are split into sh phase planes (rows by
// their remainder modulo sh) while the plane is copied with its zero
// border, so that consecutive output rows read consecutive rows of a phase.
// A plane with row stride 1 and no padding is read in place. A per-plane
// bias and the clamp (ReLU6) are applied in registers before the store.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_DEPTHWISE_H
#define DSRT_LIB_KERNELS_DEPTHWISE_H

#include "Epilogue.h"

#include <cstdint>
#include <functional>

namespace dsrt::kernels {

/// What a flat kernel does to each sum before storing it:
/// v = min(max(v + bias, lo), hi), the clamp only when `clamp`.
struct DepthwiseFinish {
  float bias = 0;
  float lo = 0, hi = 0;
  bool clamp = false;
};

/// out[p] = finish(sum_{t < T} w[t] * in[step*p + off[t]]) for p in
/// [0, L), the sum taken in tap order t = 0, 1, ... from zero. Reads only
/// elements that some p in [0, L) reads.
using DepthwiseFlat = void (*)(int64_t L, int64_t step, int64_t T,
                               const int64_t *off, const float *w,
                               const float *in, const DepthwiseFinish &finish,
                               float *out);

/// AVX-512F; only to be called when the CPU has AVX-512F. Vectorized for
/// steps 1 and 2; other steps take the portable code.
void depthwiseFlatAVX512(int64_t L, int64_t step, int64_t T,
                         const int64_t *off, const float *w, const float *in,
                         const DepthwiseFinish &finish, float *out);
/// Portable scalar code.
void depthwiseFlatGeneric(int64_t L, int64_t step, int64_t T,
                          const int64_t *off, const float *w,
                          const float *in, const DepthwiseFinish &finish,
                          float *out);

/// dst[i*dstStride + j] = src[i*srcStride + j] for i < rows, j < n: the
/// short rows a plane is copied in and out with.
using CopyRows = void (*)(const float *src, int64_t srcStride, int64_t rows,
                          int64_t n, float *dst, int64_t dstStride);
void copyRowsAVX512(const float *src, int64_t srcStride, int64_t rows,
                    int64_t n, float *dst, int64_t dstStride);
void copyRowsGeneric(const float *src, int64_t srcStride, int64_t rows,
                     int64_t n, float *dst, int64_t dstStride);

/// The kernels for this CPU: AVX-512 when the CPU has it, unless the
/// environment sets DSRT_GENERIC_KERNELS (read on every call, so tests can
/// cover both variants in one process).
DepthwiseFlat selectDepthwiseFlat();
CopyRows selectCopyRows();

/// The epilogue of plane (n, g) of a fused call, on rows oh, columns ow.
using DepthwisePlaneEpilogue = std::function<Epilogue(int64_t n, int64_t g)>;

/// dsrt_kernel_conv2d_f32 / dsrt_kernel_conv2d_fused_f32 for F == 1 and
/// C == 1 (same arguments, less F, C and flags): the weight of group g is
/// the KH x KW plane at weight + g*sW0. Input rows and columns outside
/// [0, IH) x [0, IW), after subtracting padH and padW, read as zeros. With
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
