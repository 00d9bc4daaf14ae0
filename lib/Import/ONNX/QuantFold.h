//===- QuantFold.h - exact integer ONNX products as dsq ops -----*- C++ -*-===//
//
// See QuantFold.cpp and docs/quantization.md ("ONNX integer products").
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_IMPORT_ONNX_QUANTFOLD_H
#define DS_LIB_IMPORT_ONNX_QUANTFOLD_H

#include "Importer.h"

namespace mlir::ds::onnx_import {

/// `a @ b` in i32 as `dsq.qmatmul` (+ a cast to i32) when that is exact:
/// int8 `a` and `b`, zero points `aZp`/`bZp` absent or constant 0, `b` a
/// constant `[K, N]` matrix whose accumulators stay within 2^24. Returns
/// null (and builds nothing) otherwise. `i32Type` is the result type.
Value foldIntegerMatMul(NodeContext &ctx, unsigned a, unsigned aZp, unsigned b,
                        unsigned bZp, RankedTensorType i32Type);

/// The attributes of an integer convolution, as the importer parsed them.
struct IntegerConvAttrs {
  ArrayRef<int64_t> strides, pads, dilations;
  int64_t group;
};

/// The 2-D integer convolution `x conv w` in i32 as `dsq.qconv` (+ a cast to
/// i32) under the same conditions as foldIntegerMatMul, `w` a constant
/// `[F, C/group, KH, KW]`. Returns null (and builds nothing) otherwise.
Value foldIntegerConv(NodeContext &ctx, unsigned x, unsigned xZp, unsigned w,
                      unsigned wZp, const IntegerConvAttrs &attrs,
                      RankedTensorType i32Type);

/// DequantizeLinear (input 0 x, 1 scale, 2 zero point) of a constant int8
/// weight with zero point absent or constant 0 and a constant f32 scale,
/// per tensor or per output channel: a `[K, N]` MatMul/Gemm weight (`axis`
/// 1) or a `[F, C, KH, KW]` convolution weight (`axis` 0). Returns the f32
/// weight as `dsq.dequantize` of a `dsq.weight` (`[N, K]` / `[F, C·KH·KW]`)
/// followed by a `dsg.transpose` / `dsg.reshape` back to x's shape, the
/// same values as the `dsg` arithmetic (q · scale in f32); null otherwise.
Value foldDequantizeWeight(NodeContext &ctx, int64_t axis);

/// After import: every f32 `dsg.matmul`, `dsg.gemm` (no transA, alpha 1,
/// no C or a [N] bias with beta 1) and 2-D `dsg.conv` whose weight is
/// foldDequantizeWeight's value becomes the weight-only `dsq.qmatmul` /
/// `dsq.qconv` on that `dsq.weight`. A dequantized weight that no product
/// took becomes the f32 constant the dsg arithmetic would have given.
void foldWeightOnlyProducts(Operation *root);

} // namespace mlir::ds::onnx_import

#endif // DS_LIB_IMPORT_ONNX_QUANTFOLD_H
