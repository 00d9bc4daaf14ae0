//===- ConvDirect.h - output-channel-vectorized direct convolution -*- C++ -*-===//
//
// Dense (non-depthwise) convolutions without im2col (stride > 1 reads a
// phase-split copy of the input, so every tap is a unit-stride run; 1x1-like
// convolutions with a short reduction use a second, 16 x 16 tile stored from
// registers; 1x1 stride-1 convolutions on planes of at least 28 x 28 go to
// the pixel-vectorized kernel of ConvPointwise.h: see docs/direct-conv.md).
// The weights of each group are re-laid out once (constant weights: on first
// use, cached like the GEMM's packed operands) into panels of kConvCols
// output channels, [panel][c, kh, kw][kConvCols], and the microkernel
// computes a tile of kConvRows output pixels x kConvCols output channels:
// per reduction step it loads kConvCols weights (two zmm) and broadcasts
// kConvRows input values read straight from the input, so nothing is packed
// per call.
//
// Pixels are numbered over a "virtual" output row as wide as the (padded)
// input row, q = oh * Wv + ow, so that the input value of pixel q at
// reduction step k = (c, kh, kw) is in[off[k] + q] for one offset table and
// a group of kConvRows consecutive pixels may span output rows; the columns
// ow >= OW of each virtual row are computed and dropped. Padding is applied
// by a zero-padded copy of the input made per call (none when unpadded).
//
// The tile is accumulated pixel-major into a per-task buffer and written to
// the NCHW output transposed, with the fused epilogue (addends, clamp)
// applied on the way. Every output element is reduced in the same order
// whatever the thread count (the K slices are fixed), so results are
// deterministic.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_KERNELS_CONVDIRECT_H
#define DSRT_LIB_KERNELS_CONVDIRECT_H

#include <cstdint>

namespace dsrt::kernels {

/// Output pixels per tile (broadcast operands).
constexpr int kConvRows = 12;
/// Output channels per tile and per weight panel (two 16-float vectors).
constexpr int kConvCols = 32;

/// C[i][j] (+)= sum_{k < kc} in[off[k] + i] * W[k * kConvCols + j] for
/// i < rows (<= kConvRows) and j < 16 * vecs (vecs 1 or 2); row i of C at
/// C + i * ldc. accumulate == false overwrites C without reading it.
using ConvTile = void (*)(int rows, int vecs, int64_t kc, const float *in,
                          const int64_t *off, const float *W, float *C,
                          int64_t ldc, bool accumulate);

/// AVX-512F; only to be called when the CPU has AVX-512F.
void convTileAVX512(int rows, int vecs, int64_t kc, const float *in,
                    const int64_t *off, const float *W, float *C, int64_t ldc,
                    bool accumulate);
/// Portable code.
void convTileGeneric(int rows, int vecs, int64_t kc, const float *in,
                     const int64_t *off, const float *W, float *C,
                     int64_t ldc, bool accumulate);

/// An addend of the output block a ConvStore writes: channel f, pixel i at
/// p[f * sf + i * si] (si 0 or 1 on the AVX-512 path; others go generic).
struct ConvAddend {
  const float *p = nullptr;
  int64_t sf = 0, si = 0;
};

/// Writes pixels [0, count) (count <= 16) x channels [0, nf) of a
/// pixel-major tile T (pixel i, channel f at T[i * ldT + f]) transposed to
/// out (channel f, pixel i at out[f * ldo + i]), adding the addends and
/// clamping to [lo, hi] when `clamp` (a NaN value stays NaN).
using ConvStore = void (*)(const float *T, int64_t ldT, int64_t count,
                           int64_t nf, float *out, int64_t ldo,
                           const ConvAddend *add, float lo, float hi,
                           bool clamp);
void convStoreAVX512(const float *T, int64_t ldT, int64_t count, int64_t nf,
                     float *out, int64_t ldo, const ConvAddend *add, float lo,
                     float hi, bool clamp);
void convStoreGeneric(const float *T, int64_t ldT, int64_t count, int64_t nf,
                      float *out, int64_t ldo, const ConvAddend *add,
                      float lo, float hi, bool clamp);

/// Pixels per tile of the pointwise variant (a 16x16 in-register transpose).
constexpr int kConvStoreRows = 16;

/// The pointwise variant, for convolutions whose pixels run across output
/// rows (1x1 with stride 1, or any stride with a 1-wide window): computes
/// pixels [0, rows) (rows <= 16) x channels [0, nf) (nf <= 16) over the
/// whole reduction, C[i][j] = sum_{k < K} in[off[k] + i] * W[k * ldW + j],
/// and writes it straight to out[j * ldo + i] with the addends and the
/// clamp (as a ConvStore), with no tile buffer and no K slices. W has 16
/// valid floats per step (zeros past nf), 64-byte aligned.
using ConvTileStore = void (*)(int rows, int64_t nf, int64_t K,
                               const float *in, const int64_t *off,
                               const float *W, int64_t ldW, float *out,
                               int64_t ldo, const ConvAddend *add, float lo,
                               float hi, bool clamp);
void convTileStoreAVX512(int rows, int64_t nf, int64_t K, const float *in,
                         const int64_t *off, const float *W, int64_t ldW,
                         float *out, int64_t ldo, const ConvAddend *add,
                         float lo, float hi, bool clamp);
void convTileStoreGeneric(int rows, int64_t nf, int64_t K, const float *in,
                          const int64_t *off, const float *W, int64_t ldW,
                          float *out, int64_t ldo, const ConvAddend *add,
                          float lo, float hi, bool clamp);

/// A fused convolution (see dsrt_kernel_conv2d_fused_f32 in dsrt/kernels.h
/// for the meaning of every field), strides in the 5-D layouts
/// in [N, G, C, IH, IW], weight [G, F, C, KH, KW], out [N, G, F, OH, OW].
struct DirectConv {
  int64_t N, G, F, C, OH, OW, KH, KW, sh, sw, dh, dw, IH, IW, padH, padW;
  const float *in;
  int64_t sI[5];
  const float *weight;
  int64_t sW[5];
  float *out;
  int64_t sO[5];
  /// The weight is constant data of a loaded module: its re-laid-out form
  /// may be cached (dropped by clearConvDirectPacked).
  bool constantWeight;
  const float *add[2];
  int64_t sAdd[2][5];
  float lo, hi;
  bool clamp;
};

/// Whether convDirect handles `p`: unit strides, unit input column stride,
/// flat (oh, ow) in the output and addends, and a shape where it measured
/// faster than the im2col GEMM.
bool convDirectApplies(const DirectConv &p);

/// Runs `p` (convDirectApplies(p) must hold) on the runtime's pool.
void convDirect(const DirectConv &p);

/// Drops every cached weight layout (a module was freed).
void clearConvDirectPacked();

} // namespace dsrt::kernels

#endif // DSRT_LIB_KERNELS_CONVDIRECT_H
