//===- quant_kernels.h - quantized kernels called by generated code -*- C -*-===//
//
// The int8 counterparts of kernels.h, called by artifacts whose products
// were quantized (`ds-quantize`, then `ds-cpu-use-quantized-kernels`):
// run-time (dynamic) quantization of activations, and the quantized matrix
// product with its rescale fused into the store. docs/quantization.md
// describes the method; the semantics are those of the dsq dialect.
//
// The product picks, per call, the best of three implementations this CPU
// has: Intel AMX tiles (tdpbssd), AVX-512 VNNI (vpdpbusd) or portable
// scalar code. DSRT_QGEMM_KERNEL=amx|vnni|scalar caps the choice (an
// implementation the CPU lacks is never used), and DSRT_GENERIC_KERNELS,
// set, means scalar, as for the fp32 kernels. Both are read on every call.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_QUANT_KERNELS_H
#define DSRT_QUANT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Symmetric absmax quantization of X [M, K] (element (m, k) at
/// X[m*sX0 + k*sX1]) into Q (Q[m*sQ0 + k*sQ1]):
///   scale = absmax / qmax,  Q = clamp(roundeven(X * (qmax / absmax)), ±qmax)
/// with absmax over each row (`per_row` != 0; row m's scale at
/// scale[m*sScale]) or over all of X (one scale at scale[0]). An all-zero
/// row (or tensor) gets scale 0 and zeros. qmax is 127 (8 bits) or 7
/// (4 bits, still one value per byte).
void dsrt_kernel_quantize_s8(int64_t M, int64_t K, const float *X,
                             int64_t sX0, int64_t sX1, int8_t *Q, int64_t sQ0,
                             int64_t sQ1, float *scale, int64_t sScale,
                             int64_t per_row, int64_t qmax);

/// The quantized product, written (not accumulated) into C:
///   C[m, n] = (sum_g f32(sum_{k in g} A[m,k] * W[n,k]) * wScale[n*G + g])
///             * aScale[m*sAScale] + bias[n]
/// where G = K / group is the number of groups along K (group = K for
/// per-channel weights), A [M, K] is int8 at A[m*sA0 + k*sA1], W is [N, K]
/// int8 (bits = 8: W[n*sW0 + k]) or int4 packed two to a byte (bits = 4:
/// element 2j in the low nibble of byte j of row n, W[n*sW0 + j]), wScale
/// is [N, G] contiguous, `bias` ([N]) may be null, C[m*sC0 + n*sC1].
/// sAScale = 0 means one activation scale for all rows. Products of a group
/// accumulate exactly in int32 (K up to 2^17 with 8-bit values).
/// DSRT_KERNEL_CONSTANT_B (kernels.h) in `flags` says W and wScale are
/// constant data of a loaded module: their packed form (int4 unpacked to
/// int8, 16-column panels, per-group sums) is then built on the first call
/// and kept until a module is freed; otherwise it is built on every call.
void dsrt_kernel_qgemm_s8(int64_t M, int64_t N, int64_t K, const int8_t *A,
                          int64_t sA0, int64_t sA1, const float *aScale,
                          int64_t sAScale, const int8_t *W, int64_t sW0,
                          int64_t bits, int64_t group, const float *wScale,
                          const float *bias, float *C, int64_t sC0,
                          int64_t sC1, int64_t flags);

/// The implementation the next dsrt_kernel_qgemm_s8 call would use:
/// "amx", "vnni" or "scalar" (for tests and benchmarks).
const char *dsrt_kernel_qgemm_isa(void);

#ifdef __cplusplus
}
#endif

#endif // DSRT_QUANT_KERNELS_H
