//===- ConvAsGemm.h - 2-D convolutions seen as GEMMs ------------*- C++ -*-===//
//
// Internal to lib/Target/GPU. Recognizes the convolution generic that
// dsg → linalg emits (loops n, g, f, oh, ow, c, kh, kw over an input padded
// beforehand) as an implicit GEMM for ds-gpu-tensor-core-matmul:
//
//   C[n][f][oh·OW + ow] = Σ_k A[f][k] · B_n[k][oh·OW + ow],
//   k = (c·KH + kh)·KW + kw,  A = the weight as [F, C·KH·KW] (contiguous),
//   B_n[k][p] = input[n, 0, c, oh·sh + kh·dh, ow·sw + kw·dw] (gathered).
//
// See docs/gpu.md, "Convolutions on tensor cores".
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_CONVASGEMM_H
#define DS_LIB_TARGET_GPU_CONVASGEMM_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>

namespace mlir::ds::gpu_conv {

struct ConvGemm {
  /// input [N, 1, C, H, W], weight [1, F, C, KH, KW], output
  /// [N, 1, F, OH, OW] (one group).
  Value input, weight, output;
  int64_t batch = 0, f = 0, c = 0, kh = 0, kw = 0, oh = 0, ow = 0;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;

  int64_t gemmM() const { return f; }
  int64_t gemmN() const { return oh * ow; }
  int64_t gemmK() const { return c * kh * kw; }
};

/// The convolution `op` computes, or failure with the reason in `why`
/// (empty when `op` is not a convolution at all).
FailureOr<ConvGemm> matchConvAsGemm(linalg::GenericOp op, std::string &why);

} // namespace mlir::ds::gpu_conv

#endif // DS_LIB_TARGET_GPU_CONVASGEMM_H
