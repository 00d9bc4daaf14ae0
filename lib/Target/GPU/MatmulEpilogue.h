//===- MatmulEpilogue.h - what a tensor-core matmul can absorb --*- C++ -*-===//
//
// Internal to lib/Target/GPU. The buffer-level analyses that let
// ds-gpu-tensor-core-matmul fold a matmul's constant init (linalg.fill, or a
// copy of a filled buffer) into its accumulators and apply its elementwise
// consumer (bias, activation, residual, cast) to the accumulator fragments
// before the single store. See docs/gpu.md, "Matmul epilogues".
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_MATMULEPILOGUE_H
#define DS_LIB_TARGET_GPU_MATMULEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::ds::gpu_epilogue {

/// The value every element of a matmul's init holds when the matmul starts,
/// and the op that wrote it when that op becomes dead once the kernel
/// starts its accumulators from `value` (nullptr when something else still
/// reads the init before the matmul).
struct ConstantInit {
  Value value;
  Operation *deadWriter = nullptr;
};

/// The splat the init `matmul` accumulates into holds, if the last write to
/// it in the same block is a `linalg.fill` or a `memref.copy` from a buffer
/// whose last write is one. Fails when any op between may write it.
FailureOr<ConstantInit> findConstantInit(linalg::LinalgOp matmul);

/// An all-parallel linalg.generic that is the only reader of a matmul's
/// result (through expand/collapse_shape views), applied per accumulator
/// element inside the tensor-core kernel.
struct Epilogue {
  linalg::GenericOp generic;
  /// The generic's input that reads the matmul result.
  unsigned accInput = 0;
  /// The generic's iteration space; the first `rowDims` loops delinearize
  /// the matmul's row (batch · M + m), the rest its column n.
  SmallVector<int64_t> loopShape;
  unsigned rowDims = 0;
  /// The generic writes the matmul's result buffer itself (C is then
  /// overwritten by the epilogue's values, as unfused).
  bool inPlace = false;
};

/// The consumer of `matmul`'s result that can run as its epilogue, or
/// failure with the reason in `why`. The result is row-major with rows of
/// `gemmN` elements (N of a matmul, OH·OW of a convolution).
FailureOr<Epilogue> findEpilogue(linalg::LinalgOp matmul, int64_t gemmN,
                                 std::string &why);

/// Emits the epilogue for the accumulator element `acc` (f32) at `row`
/// (batch · M + m) and `col` of the matmul result: loads the generic's other
/// operands at the element's indices, runs its body, stores the yielded
/// value to its output.
void emitEpilogueElement(OpBuilder &b, Location loc, const Epilogue &epilogue,
                         Value acc, Value row, Value col);

/// Erases the matmul's result buffer when, after the fusion, only
/// deallocations and views are left using it.
void eraseDeadBuffer(Value buffer);

} // namespace mlir::ds::gpu_epilogue

#endif // DS_LIB_TARGET_GPU_MATMULEPILOGUE_H
