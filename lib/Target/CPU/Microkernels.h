//===- Microkernels.h - helpers shared by the kernel-call passes -*- C++ -*-===//
//
// Internal to lib/Target/CPU: the matching and call-building pieces that
// ds-cpu-use-microkernels (UseMicrokernels.cpp) and ds-cpu-fuse-conv-kernels
// (FuseConvKernels.cpp) share.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_CPU_MICROKERNELS_H
#define DS_LIB_TARGET_CPU_MICROKERNELS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace mlir::ds::cpu {

/// True if `op` reads two f32 buffers, writes one, and its body is
/// `yield out + a * b` (either operand order).
bool isF32MulAddOnBuffers(linalg::LinalgOp op);

/// Strided metadata of one buffer, plus its data pointer (aligned pointer
/// + offset) as an !llvm.ptr.
struct BufferView {
  Value pointer;
  SmallVector<Value> sizes, strides;
};
BufferView viewOf(OpBuilder &b, Location loc, Value buffer);

/// The element stride of loop `dim` in an operand indexed by `map` (0 if the
/// operand does not depend on it: a broadcast).
Value strideOf(OpBuilder &b, Location loc, const BufferView &view,
               AffineMap map, std::optional<unsigned> dim);

/// True if `buffer` is a view of a constant global (a weight).
bool isConstantBuffer(Value buffer);

/// The `flags` argument of a kernel call (runtime/include/dsrt/kernels.h):
/// DSRT_KERNEL_CONSTANT_A if `a` is constant, _B if `bm` is.
Value kernelFlags(OpBuilder &b, Location loc, Value a, Value bm = {});

/// The private declaration of kernel `name` in `module`, added if missing.
func::FuncOp declareKernel(ModuleOp module, StringRef name,
                           ArrayRef<Type> inputs);

/// Strides and dilations of the grouped 2-D convolution generic that
/// dsg → linalg produces (input [N, G, C, H, W], weight [G, F, C, KH, KW],
/// output [N, G, F, OH, OW]), if `op` is one.
struct ConvRoles {
  int64_t strideH, strideW, dilH, dilW;
};
std::optional<ConvRoles> matchConv2d(linalg::LinalgOp op);

} // namespace mlir::ds::cpu

#endif // DS_LIB_TARGET_CPU_MICROKERNELS_H
