//===- GraphOps.h - the dsg dialect -----------------------------*- C++ -*-===//
#ifndef DS_DIALECTS_GRAPH_GRAPHOPS_H
#define DS_DIALECTS_GRAPH_GRAPHOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Graph/GraphOpsDialect.h.inc"

namespace mlir::ds::graph {

/// Shared verifiers, used from the ODS definitions.
LogicalResult verifyBroadcastingOp(Operation *op, bool sameElementTypes);
/// Floating-point element type, or (with `allowIntegers`) a non-boolean
/// integer one.
LogicalResult verifyUnaryOp(Operation *op, bool allowIntegers);
/// Operands of one element type that broadcast to the (i1) result's shape.
LogicalResult verifyCompareOp(Operation *op);
LogicalResult verifyReduceOp(Operation *op, ArrayRef<int64_t> axes,
                             bool keepdims);
/// An index reduction (arg_max, arg_min) over `axis`.
LogicalResult verifyArgOp(Operation *op, int64_t axis, bool keepdims);

/// Computes the NumPy-style broadcast of `shapes` (ShapedType::kDynamic for
/// unknown sizes). Fails if two static sizes other than 1 disagree.
FailureOr<SmallVector<int64_t>>
broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes);

} // namespace mlir::ds::graph

#define GET_OP_CLASSES
#include "Graph/GraphOps.h.inc"

#endif // DS_DIALECTS_GRAPH_GRAPHOPS_H
