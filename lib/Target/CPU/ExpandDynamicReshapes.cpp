//===- ExpandDynamicReshapes.cpp - multi-dynamic expand_shape → view ------===//
//
// Works around MLIR 22.1's expand-strided-metadata, which crashes on a
// memref.expand_shape with two or more dynamic sizes in one reassociation
// group (Passes.td has the details). The view is rebuilt from the source's
// strided metadata, which is exactly what the upstream rewrite produces for
// the cases it handles.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ds {
#define GEN_PASS_DEF_EXPANDDYNAMICRESHAPESPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// True if some reassociation group of `op` has more than one dynamic size.
bool hasMultiDynamicGroup(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  return llvm::any_of(op.getReassociationIndices(),
                      [&](const ReassociationIndices &group) {
                        return llvm::count_if(group, [&](int64_t d) {
                                 return type.isDynamicDim(d);
                               }) > 1;
                      });
}

/// `a * b`, folded when both are constants.
OpFoldResult multiply(PatternRewriter &rewriter, Location loc, OpFoldResult a,
                      OpFoldResult b) {
  std::optional<int64_t> ca = getConstantIntValue(a);
  std::optional<int64_t> cb = getConstantIntValue(b);
  if (ca && cb)
    return rewriter.getIndexAttr(*ca * *cb);
  if (ca == 1)
    return b;
  if (cb == 1)
    return a;
  return arith::MulIOp::create(
             rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, a),
             getValueOrCreateConstantIndexOp(rewriter, loc, b))
      .getResult();
}

struct ExpandShapeToReinterpretCast
    : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasMultiDynamicGroup(op))
      return rewriter.notifyMatchFailure(op, "no group with two dynamic "
                                             "sizes");
    MemRefType resultType = op.getResultType();
    SmallVector<int64_t> staticStrides;
    int64_t staticOffset;
    if (failed(resultType.getStridesAndOffset(staticStrides, staticOffset)))
      return rewriter.notifyMatchFailure(op, "result is not strided");

    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    for (auto [srcDim, group] :
         llvm::enumerate(op.getReassociationIndices())) {
      // Innermost first: each stride is the next inner one times its size.
      OpFoldResult stride = metadata.getStrides()[srcDim];
      for (int64_t d : llvm::reverse(group)) {
        strides[d] = ShapedType::isDynamic(staticStrides[d])
                         ? stride
                         : rewriter.getIndexAttr(staticStrides[d]);
        stride = multiply(rewriter, loc, strides[d], sizes[d]);
      }
    }
    OpFoldResult offset = ShapedType::isDynamic(staticOffset)
                              ? OpFoldResult(metadata.getOffset())
                              : rewriter.getIndexAttr(staticOffset);
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, metadata.getBaseBuffer(), offset, sizes, strides);
    return success();
  }
};

struct ExpandDynamicReshapesPass
    : ds::impl::ExpandDynamicReshapesPassBase<ExpandDynamicReshapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToReinterpretCast>(&getContext());
    // Only the matched ops change: no folding of anything else.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};
} // namespace
