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

} // namespace mlir::ds::onnx_import

#endif // DS_LIB_IMPORT_ONNX_QUANTFOLD_H
