//===- LowerQuantized.h - pieces of ds-lower-quantized ----------*- C++ -*-===//
#ifndef DS_PASSES_QUANTIZATION_LOWERQUANTIZED_H
#define DS_PASSES_QUANTIZATION_LOWERQUANTIZED_H

#include "Quant/QuantOps.h"

namespace mlir::ds {

/// Replaces `op` by the AVX-512 VNNI kernel (vpdpbusd over weights repacked
/// at compile time). Fails, leaving `op` untouched, when the kernel does not
/// apply: float activations, weights that are not a dsq.weight, a
/// reduction size that is not a multiple of 4 (8 for 4-bit weights), or a
/// bias that is not constant.
LogicalResult lowerQMatMulToVNNI(quant::QMatMulOp op);

/// Replaces `op` by the patch matrix of its input (im2col) and one
/// dsq.qmatmul per convolution group, then transposes the product back to
/// [N, F, OH, OW] (DecomposeQConv.cpp).
LogicalResult decomposeQConv(quant::QConvOp op);

} // namespace mlir::ds

#endif // DS_PASSES_QUANTIZATION_LOWERQUANTIZED_H
