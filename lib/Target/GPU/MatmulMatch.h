//===- MatmulMatch.h - Operand checks shared by the matmul kernels -*- C++ -*-===//
//
// Internal to lib/Target/GPU. The checks every hand-built matmul kernel
// (mma.sync: TensorCoreMatmul.cpp, wgmma: WarpgroupMatmul.cpp, MFMA:
// MfmaMatmul.cpp) makes before planning tiles: a linalg.matmul or
// batch_matmul on buffers, default indexing maps, static shapes and unit
// innermost strides. Each kernel then applies its own type and size rules.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_MATMULMATCH_H
#define DS_LIB_TARGET_GPU_MATMULMATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <string>

namespace mlir::ds::gpu_matmul {

/// A static shape whose innermost stride is 1 (rows contiguous).
inline bool hasStaticUnitInnerStride(MemRefType type) {
  if (!type.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// The first of `candidates` that divides `value`, or 0.
inline int64_t largestDividing(int64_t value, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (c > 0 && value % c == 0)
      return c;
  return 0;
}

/// A's, B's and C's buffer types of a matmul the kernels may take.
struct MatmulOperands {
  MemRefType a, b, c;
  bool batched = false;
};

/// The operands of `op` if it is a matmul/batch_matmul on buffers with
/// default indexing maps and static, unit-inner-stride operands; otherwise
/// failure with the reason in `why` (the text of the kernels' remarks).
inline FailureOr<MatmulOperands> matchBufferMatmul(linalg::LinalgOp op,
                                                   std::string &why) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op)) {
    why = "not a matmul";
    return failure();
  }
  if (!op.hasPureBufferSemantics()) {
    why = "not on buffers";
    return failure();
  }
  // Default indexing maps only: no transposed or broadcast operands.
  if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation());
      mm && mm.hasUserDefinedMaps()) {
    why = "user-defined indexing maps";
    return failure();
  }
  if (auto bmm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      bmm && bmm.hasUserDefinedMaps()) {
    why = "user-defined indexing maps";
    return failure();
  }
  MatmulOperands operands;
  operands.a = cast<MemRefType>(op.getDpsInputs()[0].getType());
  operands.b = cast<MemRefType>(op.getDpsInputs()[1].getType());
  operands.c = cast<MemRefType>(op.getDpsInits()[0].getType());
  for (MemRefType t : {operands.a, operands.b, operands.c})
    if (!hasStaticUnitInnerStride(t)) {
      why = "dynamic shape or non-unit innermost stride";
      return failure();
    }
  operands.batched = isa<linalg::BatchMatmulOp>(op);
  return operands;
}

} // namespace mlir::ds::gpu_matmul

#endif // DS_LIB_TARGET_GPU_MATMULMATCH_H
