//===- ConvPointwise.h - pixel-vectorized 1x1 convolution --------*- C++ -*-===//
//
// A 1x1, stride-1, unpadded convolution of an NCHW tensor whose planes are
// dense is the matrix product out[f][p] = sum_c W[f][c] * in[c][p] with
// every input row in[c][.] contiguous: no im2col or packing of the input is
// needed. This kernel vectorizes along the pixels (16 per zmm), keeps a tile
// of kPwRows output channels x up to kPwVecs vectors of pixels in registers
// over the whole reduction, broadcasts the weights (re-laid out once per
// constant weight into [block][c][kPwRows]) and reads the input rows in
// place. The result is already in NCHW order: bias, residual and clamp are
// applied in registers and the tile is stored directly (no transpose, no
// tile buffer). See docs/direct-conv.md ("The pixel-vectorized pointwise
// kernel") for when it is picked and the measurements behind the rule.
//
// Every output element is one call's sum in channel order whatever the task
// split, so results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_CONVPOINTWISE_H
#define DSRT_LIB_KERNELS_CONVPOINTWISE_H

#include "ConvDirect.h"

#include <cstdint>

namespace dsrt::kernels {

/// Output channels per tile (broadcast weights) and per weight block.
constexpr int kPwRows = 8;
/// Pixel vectors (16 pixels each) per full tile.
constexpr int kPwVecs = 3;

/// Computes channels [0, nf) (nf <= kPwRows) x pixels [0, npix) (npix <=
/// 16 * kPwVecs) of out[f * ldo + i] = epilogue(sum_{c < K} W[c * kPwRows
/// + f] * x[c * ldx + i]) where the epilogue adds the addends (ConvAddend:
/// channel f, pixel i at p[f * sf + i * si], si 0 or 1) and clamps to
/// [lo, hi] when `clamp` (a NaN stays NaN). W is 64-byte aligned with zeros
/// past nf. `prefetch` asks the kernel to prefetch the input of the next
/// tile (the pixels after npix) while it runs.
using ConvPointwiseTile = void (*)(int nf, int npix, int64_t K,
                                   const float *x, int64_t ldx,
                                   const float *W, float *out, int64_t ldo,
                                   const ConvAddend *add, float lo, float hi,
                                   bool clamp, bool prefetch);
/// AVX-512F; only to be called when the CPU has AVX-512F.
void convPointwiseTileAVX512(int nf, int npix, int64_t K, const float *x,
                             int64_t ldx, const float *W, float *out,
                             int64_t ldo, const ConvAddend *add, float lo,
                             float hi, bool clamp, bool prefetch);
/// Portable code.
void convPointwiseTileGeneric(int nf, int npix, int64_t K, const float *x,
                              int64_t ldx, const float *W, float *out,
                              int64_t ldo, const ConvAddend *add, float lo,
                              float hi, bool clamp, bool prefetch);

/// Whether convPointwise handles `p` (a 1x1 stride-1 unpadded convolution
/// with dense input planes, flat output and addends with pixel stride 0 or
/// 1) and its shape is one where the kernel measured faster than the other
/// direct tiles and the im2col GEMM: at least 784 pixels, at least 16
/// output channels, at most 256 input channels. DSRT_CONV_TILE=pixelvec forces it for
/// every convolution it can run, DSRT_CONV_TILE=panel|pixel16 turns it off.
bool convPointwiseApplies(const DirectConv &p);

/// Runs `p` (convPointwiseApplies(p) must hold) on the runtime's pool.
void convPointwise(const DirectConv &p);

/// Drops every cached weight layout (a module was freed).
void clearConvPointwisePacked();

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_CONVPOINTWISE_H
