//===- LowerDynamicExpandShapes.cpp - expands with dynamic groups ---------===//
//
// memref.expand_shape ops that split one dimension into several dynamic
// ones become memref.reinterpret_cast, ahead of expand-strided-metadata,
// which crashes on them in LLVM 22 (see LowerDynamicExpandShapes.td).
//
//===----------------------------------------------------------------------===//
#include "LowerDynamicExpandShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ds {
#define GEN_PASS_DEF_LOWERDYNAMICEXPANDSHAPESPASS
#include "lib/Target/CPU/LowerDynamicExpandShapes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {

/// True if some reassociation group of `op` has more than one dynamic size
/// in the result: the case expand-strided-metadata cannot handle.
bool hasGroupWithSeveralDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) {
          return type.isDynamicDim(d);
        }) > 1)
      return true;
  return false;
}

/// `a * b`, folded when both are constants.
OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult lhs,
                      OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  if (l == 1)
    return rhs;
  if (r == 1)
    return lhs;
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

/// Where the result type knows a value statically, that value (the
/// reinterpret_cast verifier wants static operands where its type is
/// static); else the computed one.
OpFoldResult preferStatic(OpBuilder &b, int64_t fromType,
                          OpFoldResult computed) {
  if (!ShapedType::isDynamic(fromType))
    return b.getIndexAttr(fromType);
  return computed;
}

/// Rewrites `op` as a reinterpret_cast of its source's base buffer. Fails
/// (leaving `op` alone) when the result's layout is not strided.
LogicalResult lower(RewriterBase &rewriter, memref::ExpandShapeOp op) {
  MemRefType resultType = op.getResultType();
  SmallVector<int64_t> resultStrides;
  int64_t resultOffset;
  if (failed(resultType.getStridesAndOffset(resultStrides, resultOffset)))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto metadata =
      memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
  SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
  SmallVector<OpFoldResult> sourceStrides =
      metadata.getConstifiedMixedStrides();
  SmallVector<OpFoldResult> strides(resultType.getRank());
  for (auto [sourceDim, group] :
       llvm::enumerate(op.getReassociationIndices())) {
    OpFoldResult stride = sourceStrides[sourceDim];
    for (int64_t i = static_cast<int64_t>(group.size()) - 1; i >= 0; --i) {
      strides[group[i]] = stride;
      if (i > 0)
        stride = multiply(rewriter, loc, stride, sizes[group[i]]);
    }
  }
  for (auto [i, stride] : llvm::enumerate(strides))
    stride = preferStatic(rewriter, resultStrides[i], stride);
  for (auto [i, size] : llvm::enumerate(sizes))
    size = preferStatic(rewriter, resultType.getDimSize(i), size);
  OpFoldResult offset = preferStatic(
      rewriter, resultOffset, metadata.getConstifiedMixedOffset());
  rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
      op, resultType, metadata.getBaseBuffer(), offset, sizes, strides);
  return success();
}

struct LowerDynamicExpandShapesPass
    : ds::impl::LowerDynamicExpandShapesPassBase<
          LowerDynamicExpandShapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> expands;
    getOperation()->walk([&](memref::ExpandShapeOp op) {
      if (hasGroupWithSeveralDynamicSizes(op))
        expands.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::ExpandShapeOp op : expands)
      if (failed(lower(rewriter, op))) {
        op.emitOpError("splits a dimension into several dynamic ones with a "
                       "non-strided layout, which the CPU back end cannot "
                       "lower");
        return signalPassFailure();
      }
  }
};

} // namespace
