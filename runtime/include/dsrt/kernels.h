//===- kernels.h - microkernels called by generated code -------*- C -*-===//
//
// Compute kernels that artifacts produced by the ds CPU back end call
// instead of generating loops (the `ds-cpu-use-microkernels` pass emits
// the calls; docs/performance.md explains the choice). The plain entry
// points accumulate into their output (C += A·B), so an output initialised
// with a bias or zero by the generated code keeps that value; the fused
// convolution writes its output with its epilogue applied. Every operand is
// given by a base pointer plus one element stride per dimension, so views
// (transposes, slices, broadcasts with stride 0) need no copies.
//
// The kernels use the runtime's thread pool (dsrt_set_num_threads) and are
// safe to call from several threads at once: a call that finds the pool
// busy, or that runs on one of its workers, runs on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_KERNELS_H
#define DSRT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A (the convolution's weight) is constant data of a loaded module: the
/// kernel may keep its packed form, keyed by address and strides, until a
/// module is freed (dsrt_module_free drops every such copy).
#define DSRT_KERNEL_CONSTANT_A 1
/// The same for B (dsrt_kernel_sgemm only).
#define DSRT_KERNEL_CONSTANT_B 2

/// For b < batch, m < M, n < N:
///   C[b,m,n] += sum_k A[b,m,k] * B[b,k,n]
/// where X[i,j,l] = X[i*sX0 + j*sX1 + l*sX2] (element strides, any sign or
/// zero except that distinct C elements must not alias).
/// `flags` is a bitwise or of DSRT_KERNEL_* values.
void dsrt_kernel_sgemm(int64_t batch, int64_t M, int64_t N, int64_t K,
                       const float *A, int64_t sA0, int64_t sA1, int64_t sA2,
                       const float *B, int64_t sB0, int64_t sB1, int64_t sB2,
                       float *C, int64_t sC0, int64_t sC1, int64_t sC2,
                       int64_t flags);

/// Grouped 2-D convolution in the layout dsg → linalg produces:
///   in  [N, G, C, IH, IW], weight [G, F, C, KH, KW], out [N, G, F, OH, OW]
///   out[n,g,f,oh,ow] += sum_{c,kh,kw} in[n,g,c,oh*sh+kh*dh,ow*sw+kw*dw]
///                                    * weight[g,f,c,kh,kw]
/// The twelve sizes come first, then each operand as a base pointer and its
/// five element strides in the order of its dimensions above. Padding is
/// already applied to `in` (IH >= (OH-1)*sh + (KH-1)*dh + 1, same for W).
/// Depthwise calls (F == 1 and C == 1) run a direct per-channel kernel
/// instead of the grouped GEMM.
void dsrt_kernel_conv2d_f32(int64_t N, int64_t G, int64_t F, int64_t C,
                            int64_t OH, int64_t OW, int64_t KH, int64_t KW,
                            int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                            const float *in, int64_t sI0, int64_t sI1,
                            int64_t sI2, int64_t sI3, int64_t sI4,
                            const float *weight, int64_t sW0, int64_t sW1,
                            int64_t sW2, int64_t sW3, int64_t sW4, float *out,
                            int64_t sO0, int64_t sO1, int64_t sO2, int64_t sO3,
                            int64_t sO4, int64_t flags);

/// A fused convolution: dsrt_kernel_conv2d_f32 with the zero padding of the
/// input and an elementwise epilogue done inside the kernel, and the output
/// written rather than accumulated into (its old contents are ignored):
///   v = sum_{c,kh,kw} x(n, g, c, oh*sh + kh*dh - padH, ow*sw + kw*dw - padW)
///                     * weight[g,f,c,kh,kw]
///   v = v + add0[n,g,f,oh,ow] + add1[n,g,f,oh,ow]     (each when non-null)
///   out[n,g,f,oh,ow] = min(max(v, lo), hi)
/// where x(n,g,c,iy,ix) = in[n,g,c,iy,ix] for 0 <= iy < IH, 0 <= ix < IW and
/// 0 elsewhere (the padding; IH, IW are the unpadded input's extents). The
/// addends are any strided views in the output's layout (stride 0 for a
/// broadcast: a per-channel bias is add0 with strides {0, F*s, s, 0, 0});
/// they and the input must not overlap the output, except that a depthwise
/// call (F == 1, C == 1) may write its output over its input, element for
/// element (same base and strides, OH == IH, OW == IW). lo = -INFINITY and
/// hi = INFINITY disable the clamp; a NaN value propagates as in
/// arith.maximumf/minimumf (a NaN bound makes every output NaN). `flags` as
/// for dsrt_kernel_conv2d_f32. Calls with at least 32 output channels per
/// group and a reduction (C*KH*KW) of at least 27, and an output with flat
/// (oh, ow), run a direct convolution vectorized over output channels (no
/// im2col; runtime/lib/kernels/ConvDirect.h); the environment variable
/// DSRT_CONV_IM2COL=1 sends them to the im2col GEMM instead (to compare).
void dsrt_kernel_conv2d_fused_f32(
    int64_t N, int64_t G, int64_t F, int64_t C, int64_t OH, int64_t OW,
    int64_t KH, int64_t KW, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t IH, int64_t IW, int64_t padH, int64_t padW, const float *in,
    int64_t sI0, int64_t sI1, int64_t sI2, int64_t sI3, int64_t sI4,
    const float *weight, int64_t sW0, int64_t sW1, int64_t sW2, int64_t sW3,
    int64_t sW4, float *out, int64_t sO0, int64_t sO1, int64_t sO2,
    int64_t sO3, int64_t sO4, const float *add0, int64_t sA0, int64_t sA1,
    int64_t sA2, int64_t sA3, int64_t sA4, const float *add1, int64_t sB0,
    int64_t sB1, int64_t sB2, int64_t sB3, int64_t sB4, float lo, float hi,
    int64_t flags);

/// `kind` of dsrt_kernel_pool2d_f32.
#define DSRT_POOL_MAX 0
#define DSRT_POOL_SUM 1

/// The window reduction of 2-D pooling, accumulated into the output:
///   out[n,c,oh,ow] = op(out[n,c,oh,ow], in[n,c,oh*sh+kh*dh,ow*sw+kw*dw])
/// for kh < KH, kw < KW in that order, where op is arith.maximumf (NaN when
/// either operand is NaN) for DSRT_POOL_MAX and + for DSRT_POOL_SUM; each
/// operand is a base pointer and its four element strides. When the window
/// is a whole contiguous plane (OH = OW = 1, KW = the input's row stride,
/// unit column stride, no dilation: global pooling) a sum may be taken in
/// another fixed order. The input must not overlap the output.
void dsrt_kernel_pool2d_f32(int64_t kind, int64_t N, int64_t C, int64_t OH,
                            int64_t OW, int64_t KH, int64_t KW, int64_t sh,
                            int64_t sw, int64_t dh, int64_t dw,
                            const float *in, int64_t sI0, int64_t sI1,
                            int64_t sI2, int64_t sI3, float *out, int64_t sO0,
                            int64_t sO1, int64_t sO2, int64_t sO3);

#ifdef __cplusplus
}
#endif

#endif // DSRT_KERNELS_H
